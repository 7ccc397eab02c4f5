/**
 * FETCH arguments (RFC 3501 §6.4.5): the sequence set, the attributes — ENVELOPE, FLAGS, INTERNALDATE,
 * RFC822[.HEADER/.SIZE/.TEXT], BODY, BODYSTRUCTURE, UID, BODY[section]<partial>, BODY.PEEK, the macros
 * ALL/FAST/FULL expanded — plus BINARY[.PEEK/.SIZE] (RFC 3516), MODSEQ and the CHANGEDSINCE / VANISHED
 * modifiers (RFC 7162 §3.1.4, §3.2.6). fetchItemName() gives the name a response item carries. It does
 * not add the UID or MODSEQ items a UID FETCH / CHANGEDSINCE implies: the FETCH command does.
 */
import { ATOM_CHAR, DIGIT, type Cursor } from './cursor.ts';
import { parseSequenceSet, type SequenceSet } from './sequence-set.ts';
import { formatString } from './serializer.ts';

export type SimpleFetchName =
  | 'ENVELOPE' | 'FLAGS' | 'INTERNALDATE' | 'RFC822' | 'RFC822.HEADER' | 'RFC822.SIZE' | 'RFC822.TEXT'
  | 'BODY' | 'BODYSTRUCTURE' | 'UID' | 'MODSEQ';
export type SectionText = 'HEADER' | 'HEADER.FIELDS' | 'HEADER.FIELDS.NOT' | 'TEXT' | 'MIME';

/** section = "[" [section-spec] "]": a part path (1.2.3) and/or a text specifier. */
export interface BodySection {
  part: number[];
  text?: SectionText;
  /** Header field names for HEADER.FIELDS(.NOT), as sent. */
  fields?: string[];
}
export interface PartialRange {
  offset: number;
  length: number;
}

export type FetchAttribute =
  | { name: SimpleFetchName }
  | { name: 'BODY[]'; peek: boolean; section: BodySection; partial?: PartialRange }
  | { name: 'BINARY'; peek: boolean; part: number[]; partial?: PartialRange }
  | { name: 'BINARY.SIZE'; part: number[] };

const SIMPLE = new Set<string>(['ENVELOPE', 'FLAGS', 'INTERNALDATE', 'RFC822', 'RFC822.HEADER', 'RFC822.SIZE', 'RFC822.TEXT', 'BODY', 'BODYSTRUCTURE', 'UID', 'MODSEQ']);
const MACROS: Record<string, SimpleFetchName[]> = {
  ALL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE'],
  FAST: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE'],
  FULL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODY'],
};
const NAME_CHARS = new Uint8Array(256).map((_, c) => ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2e ? 1 : 0));
const SECTION_WORD = new Uint8Array(256).map((_, c) => ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2e ? 1 : 0));
/** A message more than 64 levels deep is not one we will serve; it also bounds the work per item. */
const MAX_PART_DEPTH = 64;

export interface FetchArgs {
  sequenceSet: SequenceSet;
  attributes: FetchAttribute[];
  changedSince?: bigint;
  vanished: boolean;
}

/** SP sequence-set SP (macro / fetch-att / "(" fetch-att *(SP fetch-att) ")") [SP "(" modifiers ")"]. */
export function parseFetchArgs(c: Cursor, uid: boolean): FetchArgs {
  c.sp();
  const sequenceSet = parseSequenceSet(c);
  c.sp();
  const attributes: FetchAttribute[] = [];
  if (c.accept(0x28)) {
    do attributes.push(parseFetchAttribute(c));
    while (c.accept(0x20));
    c.expect(0x29, '")" to close the fetch attributes');
  } else {
    const macro = MACROS[c.peekAtom()];
    if (macro) {
      c.atom();
      for (const name of macro) attributes.push({ name });
    } else {
      attributes.push(parseFetchAttribute(c));
    }
  }
  const args: FetchArgs = { sequenceSet, attributes, vanished: false };
  if (c.accept(0x20)) {
    c.expect(0x28, '"(" to open the fetch modifiers');
    do {
      const word = c.atom('a fetch modifier').toUpperCase();
      if (word === 'CHANGEDSINCE') {
        c.sp();
        args.changedSince = c.modseq(true);
      } else if (word === 'VANISHED') {
        args.vanished = true;
      } else {
        c.fail(`Unknown fetch modifier ${word.slice(0, 24)}`);
      }
    } while (c.accept(0x20));
    c.expect(0x29, '")" to close the fetch modifiers');
  }
  c.end();
  // RFC 7162 §3.2.6: VANISHED only in UID FETCH, and only together with CHANGEDSINCE.
  if (args.vanished && !uid) c.fail('VANISHED is only allowed in UID FETCH');
  if (args.vanished && args.changedSince === undefined) c.fail('VANISHED requires CHANGEDSINCE');
  return args;
}

export function parseFetchAttribute(c: Cursor): FetchAttribute {
  const name = c.readRun(NAME_CHARS).toUpperCase();
  if (name.length === 0) c.fail(`Expected a fetch attribute at ${c.near()}`);
  const bracket = c.peek() === 0x5b;
  if (name === 'BODY' || name === 'BODY.PEEK') {
    if (!bracket) {
      if (name === 'BODY.PEEK') c.fail('BODY.PEEK needs a section');
      return { name: 'BODY' };
    }
    const section = parseSection(c);
    const partial = parsePartial(c);
    return { name: 'BODY[]', peek: name === 'BODY.PEEK', section, ...(partial ? { partial } : {}) };
  }
  if (name === 'BINARY' || name === 'BINARY.PEEK' || name === 'BINARY.SIZE') {
    if (!bracket) c.fail(`${name} needs a section`);
    c.expect(0x5b, '"["');
    const part = c.peek() === 0x5d ? [] : parsePart(c);
    c.expect(0x5d, '"]" to close the section');
    if (name === 'BINARY.SIZE') return { name, part };
    const partial = parsePartial(c);
    return { name: 'BINARY', peek: name === 'BINARY.PEEK', part, ...(partial ? { partial } : {}) };
  }
  if (SIMPLE.has(name) && !bracket && ATOM_CHAR[c.peek() & 0xff] !== 1) return { name: name as SimpleFetchName };
  return c.fail(`Unknown fetch attribute ${name.slice(0, 24)}`);
}

function parsePart(c: Cursor): number[] {
  const part = [c.nzNumber('a part number')];
  while (c.peek() === 0x2e && DIGIT[c.peek(1) & 0xff] === 1 && c.peek(1) >= 0) {
    c.accept(0x2e);
    part.push(c.nzNumber('a part number'));
    if (part.length > MAX_PART_DEPTH) c.fail('Section part nested too deeply');
  }
  return part;
}

function parseSection(c: Cursor): BodySection {
  c.expect(0x5b, '"["');
  const section: BodySection = { part: [] };
  if (c.peek() >= 0 && DIGIT[c.peek()] === 1) {
    section.part = parsePart(c);
    if (!c.accept(0x2e)) {
      c.expect(0x5d, '"]" to close the section');
      return section;
    }
  } else if (c.accept(0x5d)) {
    return section;
  }
  const word = c.readRun(SECTION_WORD).toUpperCase();
  switch (word) {
    case 'HEADER':
    case 'TEXT':
      section.text = word;
      break;
    case 'MIME':
      if (section.part.length === 0) c.fail('MIME needs a part number');
      section.text = word;
      break;
    case 'HEADER.FIELDS':
    case 'HEADER.FIELDS.NOT':
      section.text = word;
      c.sp();
      section.fields = parseHeaderList(c);
      break;
    default:
      c.fail(`Unknown section ${word.slice(0, 24) || c.near()}`);
  }
  c.expect(0x5d, '"]" to close the section');
  return section;
}

/** header-list = "(" header-fld-name *(SP header-fld-name) ")"; names are RFC 5322 ftext. */
function parseHeaderList(c: Cursor): string[] {
  c.expect(0x28, '"(" to open the header list');
  const fields: string[] = [];
  do {
    const name = c.utf8(c.astring('a header field name'), 'header field name');
    if (!/^[\x21-\x39\x3b-\x7e]+$/.test(name)) c.fail('Invalid header field name');
    fields.push(name);
  } while (c.accept(0x20));
  c.expect(0x29, '")" to close the header list');
  return fields;
}

/** partial = "<" number "." nz-number ">" */
function parsePartial(c: Cursor): PartialRange | undefined {
  if (!c.accept(0x3c)) return undefined;
  const offset = c.number('a partial offset');
  c.expect(0x2e, '"." in partial');
  const length = c.nzNumber('a partial length');
  c.expect(0x3e, '">" to close the partial');
  return { offset, length };
}

/** The item name in the FETCH response: BODY.PEEK[…] answers as BODY[…], a partial as <offset>. */
export function fetchItemName(att: FetchAttribute): string {
  switch (att.name) {
    case 'BODY[]': {
      const s = att.section;
      let spec = s.part.join('.');
      if (s.text) spec += (spec ? '.' : '') + s.text;
      if (s.fields) spec += ` (${s.fields.map((f) => (/^[!#$&'+,\-./0-9;<=>?@A-Z^_`a-z|}~]+$/.test(f) ? f : formatString(f).toString('latin1'))).join(' ')})`;
      return `BODY[${spec}]${att.partial ? `<${att.partial.offset}>` : ''}`;
    }
    case 'BINARY':
      return `BINARY[${att.part.join('.')}]${att.partial ? `<${att.partial.offset}>` : ''}`;
    case 'BINARY.SIZE':
      return `BINARY.SIZE[${att.part.join('.')}]`;
    default:
      return att.name;
  }
}
