/**
 * The keys SORT and THREAD compare (RFC 5256, RFC 5957), pure functions: the base subject (§2.1),
 * whether a subject is a reply or forward (§2.1 step 1's "reply or forward" for THREAD), the
 * first address's mailbox for FROM/TO/CC and the display name for DISPLAYFROM/DISPLAYTO (groups
 * skipped: the first real address counts), and the i;ascii-casemap comparator (RFC 4790 §9.2:
 * ASCII letters folded to upper case, then octet order).
 */
import addressparser from 'nodemailer/lib/addressparser';

/** i;ascii-casemap: only a–z are folded; every other character compares as it is. */
export const casemap = (s: string): string => s.replace(/[a-z]+/g, (m) => m.toUpperCase());

export function compareCasemap(a: string, b: string): number {
  const x = casemap(a);
  const y = casemap(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

// subj-blob = "[" *BLOBCHAR "]" *WSP; subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"
// Chinese clients' 回复/答复/转发 with a full-width colon count as the same prefixes.
const BLOB = String.raw`\[[^\[\]]*\] *`;
const LEADER = new RegExp(String.raw`^((?:${BLOB})*)(re|fwd?|回复|答复|转发) *(?:${BLOB})?[:：]`, 'i');
const LEADING_BLOB = new RegExp(`^${BLOB}`);
const TRAILER = /(\(fwd\)| )$/i;

/** The base subject (RFC 5256 §2.1) and whether extracting it removed a reply or forward marker. */
export function baseSubjectOf(subject: string): { base: string; reply: boolean } {
  // (1) encoded words are decoded by the caller; tabs and line breaks become spaces, runs collapse.
  let s = subject.replace(/[\t\r\n]+/g, ' ').replace(/ {2,}/g, ' ');
  let reply = false;
  for (;;) {
    // (2) trailing "(fwd)" and white space.
    for (let t = s.replace(TRAILER, ''); t !== s; t = s.replace(TRAILER, '')) {
      if (/\(fwd\)$/i.test(s)) reply = true;
      s = t;
    }
    // (3)–(5) leading white space and Re:/Fwd: leaders, then a [blob] that does not leave the subject empty.
    for (;;) {
      const before = s;
      s = s.replace(/^ +/, '');
      const leader = LEADER.exec(s);
      if (leader) {
        s = s.slice(leader[0].length);
        reply = true;
      }
      const blob = LEADING_BLOB.exec(s);
      if (blob && s.length > blob[0].length && s.slice(blob[0].length).trim() !== '') s = s.slice(blob[0].length);
      if (s === before) break;
    }
    // (6) "[fwd: … ]" around the whole subject: unwrap and start again at (2).
    if (/^\[fwd:/i.test(s) && s.endsWith(']')) {
      s = s.slice(5, -1);
      reply = true;
      continue;
    }
    return { base: s, reply };
  }
}

export const baseSubject = (subject: string): string => baseSubjectOf(subject).base;

/** The first real address of an address header (groups flattened; a group's name is not an address). */
function firstMailbox(value: string): { name: string; address: string } | undefined {
  let parsed: Array<{ name?: string; address?: string }>;
  try {
    parsed = addressparser(value, { flatten: true });
  } catch {
    return undefined;
  }
  const first = parsed.find((a) => (a.address ?? '') !== '');
  return first ? { name: (first.name ?? '').trim(), address: first.address! } : undefined;
}

/** FROM/TO/CC (RFC 5256 §3): the mailbox (local part) of the first address; '' when there is none. */
export function addressKey(value: string): string {
  const a = firstMailbox(value);
  if (!a) return '';
  const at = a.address.lastIndexOf('@');
  return at < 0 ? a.address : a.address.slice(0, at);
}

/** DISPLAYFROM/DISPLAYTO (RFC 5957 §2): the display name of the first address, else its address. */
export function displayKey(value: string): string {
  const a = firstMailbox(value);
  if (!a) return '';
  return a.name !== '' ? a.name : a.address;
}
