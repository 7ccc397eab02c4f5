/**
 * Mailbox-naming arguments: mailbox names (astring, modified UTF-7 decoded unless UTF8=ACCEPT, RFC 6855;
 * "INBOX" in any case becomes "INBOX", RFC 3501 §5.1), SELECT/EXAMINE parameters (CONDSTORE, QRESYNC,
 * RFC 7162 §3.2.5), CREATE (USE (…)) (RFC 6154 §3), LIST with LIST-EXTENDED selection and return options
 * (RFC 5258 §3, RFC 5819 STATUS, RFC 6154 SPECIAL-USE), LSUB and STATUS items (RFC 3501, 7162, 8438,
 * 7889, 9051 DELETED). Unknown options are BAD. Patterns keep their % and * wildcards.
 */
import type { ListReturn, ListSelection, ParseOptions, QresyncParams, StatusItem } from './command.ts';
import type { Cursor } from './cursor.ts';
import { parseUseAttr } from './flags.ts';
import { decodeMailboxName, MailboxNameError } from './mutf7.ts';
import { parseSequenceSet } from './sequence-set.ts';

const STATUS_ITEMS = new Set<string>(['MESSAGES', 'RECENT', 'UIDNEXT', 'UIDVALIDITY', 'UNSEEN', 'HIGHESTMODSEQ', 'SIZE', 'DELETED', 'APPENDLIMIT']);

/** Decodes a mailbox name or pattern from the wire. */
export function decodeMailbox(c: Cursor, bytes: Buffer, options: ParseOptions, what = 'mailbox name'): string {
  if (options.utf8) return c.utf8(bytes, what);
  for (const b of bytes) if (b >= 0x80) c.fail(`8-bit ${what} without UTF8=ACCEPT; use modified UTF-7`);
  try {
    return decodeMailboxName(bytes.toString('latin1'));
  } catch (e) {
    return c.fail(`Invalid ${what}: ${e instanceof MailboxNameError ? e.message : 'not modified UTF-7'}`);
  }
}

/** mailbox = "INBOX" / astring */
export function parseMailbox(c: Cursor, options: ParseOptions): string {
  const name = decodeMailbox(c, c.astring('a mailbox name'), options);
  return name.toUpperCase() === 'INBOX' ? 'INBOX' : name;
}

/** SELECT / EXAMINE: mailbox [SP "(" select-param *(SP select-param) ")"]. */
export function parseSelectArgs(c: Cursor, options: ParseOptions): { mailbox: string; condstore: boolean; qresync?: QresyncParams } {
  c.sp();
  const mailbox = parseMailbox(c, options);
  let condstore = false;
  let qresync: QresyncParams | undefined;
  if (c.accept(0x20)) {
    c.expect(0x28, '"(" to open the select parameters');
    do {
      const word = c.atom('a select parameter').toUpperCase();
      if (word === 'CONDSTORE') condstore = true;
      else if (word === 'QRESYNC') {
        c.sp();
        qresync = parseQresync(c);
      } else c.fail(`Unknown select parameter ${word.slice(0, 24)}`);
    } while (c.accept(0x20));
    c.expect(0x29, '")" to close the select parameters');
  }
  c.end();
  return { mailbox, condstore, ...(qresync ? { qresync } : {}) };
}

/** "(" uidvalidity SP mod-sequence-value [SP known-uids] [SP seq-match-data] ")" — RFC 7162 §3.2.5. */
function parseQresync(c: Cursor): QresyncParams {
  c.expect(0x28, '"(" after QRESYNC');
  const params: QresyncParams = { uidvalidity: c.nzNumber('a UIDVALIDITY'), modseq: 0n };
  c.sp();
  params.modseq = c.modseq(false);
  if (c.accept(0x20) && !(c.peek() === 0x28)) {
    params.knownUids = parseSequenceSet(c, { allowStar: false, allowSaved: false });
    if (!c.accept(0x20)) {
      c.expect(0x29, '")" to close QRESYNC');
      return params;
    }
  }
  if (c.accept(0x28)) {
    const sequences = parseSequenceSet(c, { allowStar: false, allowSaved: false });
    c.sp();
    const uids = parseSequenceSet(c, { allowStar: false, allowSaved: false });
    c.expect(0x29, '")" to close the sequence match data');
    params.seqMatch = { sequences, uids };
  }
  c.expect(0x29, '")" to close QRESYNC');
  return params;
}

/** CREATE mailbox [SP "(" "USE" SP "(" [use-attr *(SP use-attr)] ")" ")"]. */
export function parseCreateArgs(c: Cursor, options: ParseOptions): { mailbox: string; specialUse: string[] } {
  c.sp();
  const mailbox = parseMailbox(c, options);
  const specialUse: string[] = [];
  if (c.accept(0x20)) {
    c.expect(0x28, '"(" to open the create parameters');
    do {
      const word = c.atom('a create parameter').toUpperCase();
      if (word !== 'USE') c.fail(`Unknown create parameter ${word.slice(0, 24)}`);
      c.sp();
      c.expect(0x28, '"(" after USE');
      if (!c.accept(0x29)) {
        do {
          const attr = parseUseAttr(c);
          if (!specialUse.includes(attr)) specialUse.push(attr);
        } while (c.accept(0x20));
        c.expect(0x29, '")" to close USE');
      }
    } while (c.accept(0x20));
    c.expect(0x29, '")" to close the create parameters');
  }
  c.end();
  return { mailbox, specialUse };
}

/** "(" status-att *(SP status-att) ")" */
export function parseStatusItems(c: Cursor): StatusItem[] {
  c.expect(0x28, '"(" to open the status items');
  const items: StatusItem[] = [];
  do {
    const word = c.atom('a status item').toUpperCase();
    if (!STATUS_ITEMS.has(word)) c.fail(`Unknown status item ${word.slice(0, 24)}`);
    if (!items.includes(word as StatusItem)) items.push(word as StatusItem);
  } while (c.accept(0x20));
  c.expect(0x29, '")" to close the status items');
  return items;
}

export interface ListArgs {
  reference: string;
  patterns: string[];
  selection: ListSelection;
  returns: ListReturn;
  extended: boolean;
}

/** LIST [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts] — RFC 5258 §6. */
export function parseListArgs(c: Cursor, options: ParseOptions): ListArgs {
  const selection: ListSelection = { subscribed: false, remote: false, recursiveMatch: false, specialUse: false };
  const returns: ListReturn = { subscribed: false, children: false, specialUse: false };
  let extended = false;
  c.sp();
  if (c.accept(0x28)) {
    extended = true;
    while (!c.accept(0x29)) {
      if (selection.subscribed || selection.remote || selection.recursiveMatch || selection.specialUse) c.sp();
      const word = c.atom('a selection option').toUpperCase();
      if (word === 'SUBSCRIBED') selection.subscribed = returns.subscribed = true; // implies RETURN (SUBSCRIBED)
      else if (word === 'REMOTE') selection.remote = true;
      else if (word === 'RECURSIVEMATCH') selection.recursiveMatch = true;
      else if (word === 'SPECIAL-USE') selection.specialUse = true;
      else c.fail(`Unknown selection option ${word.slice(0, 24)}`);
    }
    // RFC 5258 §3: RECURSIVEMATCH alone (or with REMOTE only) is BAD.
    if (selection.recursiveMatch && !selection.subscribed && !selection.specialUse) c.fail('RECURSIVEMATCH needs another selection option');
    c.sp();
  }
  const reference = decodeMailbox(c, c.astring('a reference name'), options, 'reference name');
  c.sp();
  const patterns: string[] = [];
  if (c.accept(0x28)) {
    extended = true;
    do patterns.push(decodeMailbox(c, c.listMailbox(), options, 'mailbox pattern'));
    while (c.accept(0x20));
    c.expect(0x29, '")" to close the patterns');
  } else {
    patterns.push(decodeMailbox(c, c.listMailbox(), options, 'mailbox pattern'));
  }
  if (c.accept(0x20)) {
    if (!c.acceptWord('RETURN')) c.fail(`Expected RETURN at ${c.near()}`);
    extended = true;
    c.sp();
    c.expect(0x28, '"(" after RETURN');
    let first = true;
    while (!c.accept(0x29)) {
      if (!first) c.sp();
      first = false;
      const word = c.atom('a return option').toUpperCase();
      if (word === 'SUBSCRIBED') returns.subscribed = true;
      else if (word === 'CHILDREN') returns.children = true;
      else if (word === 'SPECIAL-USE') returns.specialUse = true;
      else if (word === 'STATUS') {
        c.sp();
        returns.status = parseStatusItems(c);
      } else c.fail(`Unknown return option ${word.slice(0, 24)}`);
    }
  }
  c.end();
  return { reference, patterns, selection, returns, extended };
}

/** LSUB mailbox SP list-mailbox */
export function parseLsubArgs(c: Cursor, options: ParseOptions): { reference: string; pattern: string } {
  c.sp();
  const reference = decodeMailbox(c, c.astring('a reference name'), options, 'reference name');
  c.sp();
  const pattern = decodeMailbox(c, c.listMailbox(), options, 'mailbox pattern');
  c.end();
  return { reference, pattern };
}
