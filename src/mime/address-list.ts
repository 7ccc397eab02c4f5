/**
 * An RFC 5322 §3.4 address-list read the way IMAP's ENVELOPE needs it (RFC 3501 §7.4.2): display
 * names kept even when they equal the address, the obsolete source route (§4.4 obs-route) kept as
 * the adl, groups with their members, and comments used as a name only by a mailbox without one (a
 * comment alone is never an address). Works on byte strings (one char per octet, as header bytes
 * arrive); never throws, and linear in the input.
 */

export interface ParsedMailbox {
  kind: 'mailbox';
  /** Display name (phrase, quotes removed) or, without one, the comment; '' when neither. */
  name: string;
  /** The source route, `@a,@b`; '' when none. */
  route: string;
  /** Local part, '' when missing. */
  mailbox: string;
  /** Domain, '' when missing. */
  host: string;
  /** True when the entry was only words (a phrase) and no address at all. */
  phraseOnly: boolean;
}

export interface ParsedGroup {
  kind: 'group';
  name: string;
  members: ParsedMailbox[];
}

type Token =
  | { t: 'word'; v: string; quoted: boolean }
  | { t: 'comment'; v: string }
  | { t: 'literal'; v: string }
  | { t: 'special'; v: string };

const SPECIALS = new Set(['<', '>', '@', ',', ';', ':', '.']);

function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    // Any white space separates (the word loop below stops at \s too: a vertical tab or a no-break
    // space that neither skipped nor consumed made this loop push empty words without end).
    if (/\s/.test(c)) { i++; continue; }
    if (c === '"') {
      let v = '';
      i++;
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '\\' && i + 1 < s.length) i++;
        v += s[i++];
      }
      i++;
      out.push({ t: 'word', v, quoted: true });
      continue;
    }
    if (c === '(') {
      let depth = 1;
      let v = '';
      i++;
      while (i < s.length && depth > 0) {
        const d = s[i]!;
        if (d === '\\' && i + 1 < s.length) { v += s[i + 1]; i += 2; continue; }
        if (d === '(') depth++;
        else if (d === ')' && --depth === 0) { i++; break; }
        v += d;
        i++;
      }
      out.push({ t: 'comment', v: v.trim() });
      continue;
    }
    if (c === '[') {
      const end = s.indexOf(']', i);
      const stop = end < 0 ? s.length : end + 1;
      out.push({ t: 'literal', v: s.slice(i, stop) });
      i = stop;
      continue;
    }
    if (SPECIALS.has(c) || c === ')' || c === ']') {
      out.push({ t: 'special', v: c });
      i++;
      continue;
    }
    let v = s[i++]!; // at least one character, so the loop always moves on
    while (i < s.length && !/[\s"(),:;<>@[\].\]]/.test(s[i]!)) v += s[i++];
    out.push({ t: 'word', v, quoted: false });
  }
  return out;
}

/** Words of a phrase joined by single spaces (quoted strings unquoted); a '.' sticks to the word before it. */
function phrase(tokens: readonly Token[]): string {
  let out = '';
  for (const tk of tokens) {
    if (tk.t === 'word') out += (out === '' ? '' : ' ') + tk.v;
    else if (tk.t === 'special' && tk.v === '.') out += '.';
  }
  return out.trim();
}

const comments = (tokens: readonly Token[]): string =>
  tokens.filter((tk): tk is Extract<Token, { t: 'comment' }> => tk.t === 'comment').map((tk) => tk.v).filter((v) => v !== '').join(' ');

/** Splits an addr-spec's tokens at the last top-level '@'. */
function addrSpec(tokens: readonly Token[]): { mailbox: string; host: string } {
  const bare = tokens.filter((tk) => tk.t !== 'comment');
  let at = -1;
  for (let k = bare.length - 1; k >= 0; k--) if (bare[k]!.t === 'special' && bare[k]!.v === '@') { at = k; break; }
  if (at < 0) return { mailbox: joinSpec(bare), host: '' };
  return { mailbox: joinSpec(bare.slice(0, at)), host: joinSpec(bare.slice(at + 1)) };
}

/** Tokens of a local part or domain written back without spaces (a quoted local part keeps its quotes off, as IMAP wants). */
const joinSpec = (tokens: readonly Token[]): string => tokens.map((tk) => tk.v).join('');

function mailbox(tokens: readonly Token[]): ParsedMailbox | undefined {
  const lt = tokens.findIndex((tk) => tk.t === 'special' && tk.v === '<');
  if (lt >= 0) {
    const gt = tokens.findIndex((tk, k) => k > lt && tk.t === 'special' && tk.v === '>');
    let inner = tokens.slice(lt + 1, gt < 0 ? tokens.length : gt);
    let route = '';
    // obs-route: "@a,@b:" before the addr-spec.
    if (inner[0]?.t === 'special' && inner[0].v === '@') {
      const colon = inner.findIndex((tk) => tk.t === 'special' && tk.v === ':');
      if (colon > 0) {
        route = joinSpec(inner.slice(0, colon));
        inner = inner.slice(colon + 1);
      }
    }
    const { mailbox: local, host } = addrSpec(inner);
    const name = phrase(tokens.slice(0, lt)) || comments(tokens);
    if (local === '' && host === '' && name === '' && route === '') return undefined;
    return { kind: 'mailbox', name, route, mailbox: local, host, phraseOnly: false };
  }
  const bare = tokens.filter((tk) => tk.t !== 'comment');
  if (bare.length === 0) return undefined; // a comment alone is not an address
  const hasAt = bare.some((tk) => tk.t === 'special' && tk.v === '@');
  const words = bare.filter((tk) => tk.t === 'word');
  if (!hasAt && words.length > 1) {
    // Only words: a phrase that names no address ("Undisclosed recipients").
    return { kind: 'mailbox', name: phrase(bare), route: '', mailbox: '', host: '', phraseOnly: true };
  }
  const { mailbox: local, host } = addrSpec(bare);
  return { kind: 'mailbox', name: comments(tokens), route: '', mailbox: local, host, phraseOnly: false };
}

/** The entries of an address-list, in order. */
export function parseAddressList(value: string): Array<ParsedMailbox | ParsedGroup> {
  const tokens = tokenize(value);
  const out: Array<ParsedMailbox | ParsedGroup> = [];
  let i = 0;
  const isSpecial = (k: number, v: string) => tokens[k]?.t === 'special' && tokens[k]!.v === v;
  while (i < tokens.length) {
    // An entry runs to a top-level ',' (or a group's ';'); inside <…> commas belong to a route.
    let k = i;
    let angle = false;
    let group = -1;
    while (k < tokens.length) {
      if (isSpecial(k, '<')) angle = true;
      else if (isSpecial(k, '>')) angle = false;
      else if (!angle && isSpecial(k, ':') && group < 0) group = k;
      else if (!angle && isSpecial(k, ',') && group < 0) break;
      else if (!angle && isSpecial(k, ';') && group >= 0) break;
      k++;
    }
    if (group >= 0) {
      const members: ParsedMailbox[] = [];
      let m = group + 1;
      while (m < k) {
        let e = m;
        let inAngle = false;
        while (e < k && !(isSpecial(e, ',') && !inAngle)) {
          if (isSpecial(e, '<')) inAngle = true;
          else if (isSpecial(e, '>')) inAngle = false;
          e++;
        }
        const member = mailbox(tokens.slice(m, e));
        if (member) members.push(member);
        m = e + 1;
      }
      out.push({ kind: 'group', name: phrase(tokens.slice(i, group)), members });
      i = k + 1;
      // Skip the ',' between a group and what follows.
      if (isSpecial(i, ',')) i++;
      continue;
    }
    const entry = mailbox(tokens.slice(i, k));
    if (entry) out.push(entry);
    i = k + 1;
  }
  return out;
}
