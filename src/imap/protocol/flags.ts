/**
 * Message flags (RFC 3501 §2.3.2, §9 flag / flag-list / flag-keyword): system flags are returned in their
 * canonical case ("\seen" → "\Seen"); unknown backslash flags are refused (as Dovecot does) and \Recent
 * cannot be set by a client; keywords are atoms, kept as sent (compare them case-insensitively). Lists
 * drop case-insensitive duplicates. Also the RFC 6154 special-use attributes for CREATE (USE (…)).
 */
import { ATOM_CHAR, LITERAL, type Cursor } from './cursor.ts';

export const SYSTEM_FLAGS = ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft'] as const;
export const RECENT = '\\Recent';
/** RFC 6154 §2 use-attr, plus \Important (RFC 8457). */
export const SPECIAL_USE = ['\\All', '\\Archive', '\\Drafts', '\\Flagged', '\\Junk', '\\Sent', '\\Trash', '\\Important'] as const;

const BY_UPPER = new Map<string, string>([...SYSTEM_FLAGS, RECENT].map((f) => [f.toUpperCase(), f]));
const SPECIAL_BY_UPPER = new Map<string, string>(SPECIAL_USE.map((f) => [f.toUpperCase(), f]));

/** flag: a system flag (canonical case) or a keyword. \Recent only when `allowRecent` (searching). */
export function parseFlag(c: Cursor, allowRecent = false): string {
  if (c.accept(0x5c /* \ */)) {
    const name = '\\' + c.atom('a flag name');
    const canonical = BY_UPPER.get(name.toUpperCase());
    if (canonical === undefined) c.fail(`Unknown system flag ${name.slice(0, 32)}`);
    if (canonical === RECENT && !allowRecent) c.fail('\\Recent cannot be set by a client');
    return canonical;
  }
  return parseKeyword(c);
}

/** A keyword's characters plus the atom-specials `%`, `*` and `]`, which clients do send in keywords. */
const KEYWORD_LIKE = new Uint8Array(256);
for (let b = 0; b < 256; b++) KEYWORD_LIKE[b] = ATOM_CHAR[b] === 1 || b === 0x25 || b === 0x2a || b === 0x5d ? 1 : 0;

/**
 * flag-keyword = atom. A keyword with `%`, `*` or `]` in it is well formed as a command but can never
 * be stored: NO [CANNOT] (RFC 9051 §7.1), as Dovecot answers, not BAD, so a client does not take a
 * refused keyword for a broken connection.
 */
export function parseKeyword(c: Cursor): string {
  const word = c.readRun(KEYWORD_LIKE);
  if (word.length === 0) c.fail(`Expected a flag keyword at ${c.near()}`);
  if (/[%*\]]/.test(word)) c.fail(`Invalid characters in keyword ${word.slice(0, 32)}`, { status: 'NO', code: 'CANNOT' });
  return word;
}

/**
 * The keyword of SEARCH KEYWORD / UNKEYWORD: an atom, or leniently (as Dovecot) any astring or
 * flag. A name no message can carry simply matches nothing (UNKEYWORD: everything).
 */
export function parseSearchKeyword(c: Cursor): string {
  const p = c.peek();
  if (p === 0x22 || p === LITERAL) return c.astring('a flag keyword').toString('utf8');
  if (p === 0x5c) {
    c.accept(0x5c);
    const name = '\\' + c.atom('a flag name');
    return BY_UPPER.get(name.toUpperCase()) ?? name;
  }
  const word = c.readRun(KEYWORD_LIKE);
  if (word.length === 0) c.fail(`Expected a flag keyword at ${c.near()}`);
  return word;
}

/** flag-list = "(" [flag *(SP flag)] ")" */
export function parseFlagList(c: Cursor): string[] {
  c.expect(0x28, '"(" to open the flag list');
  const flags: string[] = [];
  if (c.accept(0x29)) return flags;
  do flags.push(parseFlag(c));
  while (c.accept(0x20));
  c.expect(0x29, '")" to close the flag list');
  return dedupe(flags);
}

/** STORE's bare form: flag *(SP flag), up to the end of the command. */
export function parseFlagSequence(c: Cursor): string[] {
  const flags = [parseFlag(c)];
  while (c.accept(0x20)) flags.push(parseFlag(c));
  return dedupe(flags);
}

/** A special-use attribute in canonical case; unknown ones are refused with [USEATTR] by the caller. */
export function parseUseAttr(c: Cursor): string {
  c.expect(0x5c, 'a special-use attribute');
  const name = '\\' + c.atom('a special-use attribute');
  const canonical = SPECIAL_BY_UPPER.get(name.toUpperCase());
  if (canonical === undefined) c.fail(`Unknown special-use attribute ${name.slice(0, 32)}`, { status: 'NO', code: 'USEATTR' });
  return canonical;
}

function dedupe(flags: string[]): string[] {
  const seen = new Set<string>();
  return flags.filter((f) => {
    const k = f.toUpperCase();
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
