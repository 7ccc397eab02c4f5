/**
 * The tokens the Bayesian classifier (bayes.ts) counts for a message: the words of its decoded
 * text, cut by the full-text segmenter (mime/search-text.ts segmentWords: Intl.Segmenter for
 * Chinese), and for runs of Chinese characters their bigrams as well, because the segmenter's
 * dictionary cuts spam vocabulary wrongly (代开发票 gives 代, 开发, 票: "develop"); words of chosen
 * header fields prefixed with the field name (subject:发票, from:example.com), which header fields
 * it has (a mailing list's fields as one), how many addresses To and Cc name, two shapes of bulk
 * mailers' subjects, its MIME shape (types, transfer encodings, charsets, attachment extensions),
 * the markup of its HTML parts (tags, attributes, colours and sizes), the networks and domains of
 * its relays, words in capitals and money/shouting punctuation (lost to lower-casing and word
 * cutting), and the host names of its links, and pairs of adjacent body words ("click here",
 * written with a space, which no other token has: a store learned before pairs existed just does
 * not know them yet, and weighs them 0.5 until it learns some). Each token is counted once per
 * message; body words (and pairs) come last, so the cap cuts only them. Received fields count
 * (relays and their names say much about spam; our own Received is on every stored message, spam
 * and ham alike, so it stays near 0.5). Not here: our verdict fields and per-copy prefix
 * (Authentication-Results, X-Spam-*, Return-Path, Delivered-To), absent at the end of DATA and
 * present once stored: a verdict never trains itself.
 */
import libmime from 'libmime';
import { parseAddressList } from '../mime/address-list.ts';
import { parseHeaders } from '../mime/header-block.ts';
import { partCharset, partFilename, type MimePart } from '../mime/mime-tree.ts';
import { decodePartContent, segmentWords } from '../mime/search-text.ts';

export interface TokenInput {
  raw: Buffer;
  tree: MimePart;
  /** Decoded header and body text (mime/search-text.ts searchableText). */
  text: { headers: string; body: string };
  /** How much of the raw message the link scan reads. */
  maxChars: number;
}

/** Fields whose words are tokens of their own (subject:word), beside the body's. */
const WORD_FIELDS = new Set(['subject', 'from', 'reply-to', 'to', 'cc', 'sender', 'x-mailer', 'user-agent', 'content-type', 'list-id', 'precedence', 'organization', 'x-priority', 'importance', 'received']);
/**
 * Fields a mailing-list manager adds (RFC 2369 List-*, RFC 2919 List-Id, Mailman's X-BeenThere,
 * X-Mailman-Version and Errors-To, ezmlm's Mailing-List, X-Loop, X-Mailing-List): together they
 * say one thing, that the message came through a list, so their
 * presence is one token (has:list-fields), not six to nine that always come together and would
 * each weigh as a clue of its own (a spam sent through a list got that many hammy clues).
 */
const LIST_FIELDS = /^(list-[a-z-]+|x-beenthere|x-mailman-[a-z-]+|x-loop|mailing-list|x-mailing-list|errors-to)$/;
/** Fields we add, or that change in transit: neither their presence nor their words say anything about the sender. */
const IGNORED_FIELDS = /^(return-path|delivered-to|authentication-results|arc-.*|received-spf|x-spam-.*|x-original-to|x-virus-.*)$/;
/** Caps on what one message contributes: enough for any real mail, bounded for hostile mail. */
const MAX_TOKENS = 3000;
const LINK_HOST = /\bhttps?:\/\/([a-z0-9.-]{1,253})/gi;
const HAN_RUN = /[\p{Script=Han}]{2,}/gu;

/** Distinct tokens of a message (unhashed: bayes.ts hashes them before they reach the store). */
export function tokenize(input: TokenInput): string[] {
  const tokens = new Set<string>();
  const add = (t: string) => { if (tokens.size < MAX_TOKENS) tokens.add(t); };

  // Header fields: which ones the message has, and the words of some
  const { headers } = parseHeaders(input.raw.subarray(input.tree.headerStart, input.tree.headerEnd));
  for (const h of headers) {
    if (IGNORED_FIELDS.test(h.key)) continue;
    add(LIST_FIELDS.test(h.key) ? 'has:list-fields' : `has:${h.key}`);
    if (h.key === 'message-id') {
      const domain = /@([^>\s]+)>?\s*$/.exec(h.line)?.[1];
      add(`mid:${domain ? domain.toLowerCase() : 'none'}`);
      continue;
    }
    if (!WORD_FIELDS.has(h.key)) continue;
    let value = h.line.slice(h.line.indexOf(':') + 1);
    try {
      value = libmime.decodeWords(value);
    } catch {
      // An undecodable encoded word stays as it is: its text is still a token.
    }
    for (const w of segmentWords(value)) if (w.length <= 40) add(`${h.key}:${w}`);
    if (h.key === 'subject') {
      shapeTokens(value, 'subject:', add);
      subjectShapeTokens(value, add);
    }
    if (h.key === 'received') receivedTokens(value, add);
    if (h.key === 'to' || h.key === 'cc') add(`${h.key}:${addressCount(h.line.slice(h.line.indexOf(':') + 1))}`);
  }

  // MIME shape
  const walk = (p: MimePart, depth: number) => {
    if (depth > 20) return;
    add(`mime:${p.type}/${p.subtype}`);
    add(`cte:${p.encoding}`);
    const charset = partCharset(p);
    if (charset) add(`charset:${charset}`);
    const name = partFilename(p);
    if (name) add(`att:${/\.[a-z0-9]{1,8}$/i.exec(name)?.[0]?.toLowerCase() ?? 'noext'}`);
    if (p.type === 'text' && p.subtype === 'html' && !p.opaque) htmlTokens(decodePartContent(input.raw, p, input.maxChars), add);
    for (const c of p.children) walk(c, depth + 1);
    if (p.message) walk(p.message, depth + 1);
  };
  walk(input.tree, 0);

  // Link hosts: raw bytes too, because HTML reduced to text loses href targets
  const links = `${input.text.body}\n${input.raw.toString('latin1', input.tree.bodyStart, Math.min(input.raw.length, input.maxChars))}`;
  for (const m of links.matchAll(LINK_HOST)) {
    const host = m[1]!.toLowerCase().replace(/\.$/, '');
    add(`url:${host}`);
    const labels = host.split('.');
    if (labels.length > 2) add(`url:${labels.slice(-2).join('.')}`);
  }

  // Body words last: the cap cuts a long body, never the header and shape tokens above.
  let previous: string | undefined;
  for (const w of segmentWords(input.text.body)) {
    const t = bodyToken(w);
    if (t) add(t);
    // Word pairs ("click here", "dear friend"): SpamBayes' bigram option, CRM114's OSB at distance 1.
    if (t && previous) add(`${previous} ${t}`);
    previous = t;
  }
  shapeTokens(input.text.body, '', add);
  for (const run of input.text.body.matchAll(HAN_RUN)) {
    const chars = [...run[0]];
    for (let i = 0; i + 1 < chars.length; i++) add(`bi:${chars[i]}${chars[i + 1]}`);
  }
  return [...tokens];
}

const IPV4 = /\b(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\b/g;
const HOST = /\b(?:[a-z0-9-]{1,63}\.){2,}[a-z]{2,24}\b/gi;

/**
 * A relay's network says more than its exact address or name: the /8, /16 and /24 of each IPv4
 * address and the last two and three labels of each host name in a Received field (as SpamBayes).
 */
function receivedTokens(value: string, add: (t: string) => void): void {
  for (const m of value.matchAll(IPV4)) {
    add(`rip:${m[1]}`);
    add(`rip:${m[1]}.${m[2]}`);
    add(`rip:${m[1]}.${m[2]}.${m[3]}`);
  }
  for (const m of value.matchAll(HOST)) {
    const labels = m[0].toLowerCase().split('.');
    add(`rhost:${labels.slice(-2).join('.')}`);
    if (labels.length > 3) add(`rhost:${labels.slice(-3).join('.')}`);
  }
}

/**
 * How many addresses a To or Cc field names, on a doubling scale as SpamBayes counts them
 * (to:2**0 for one, to:2**1 for two, to:2**2 for three to five …; to:no-address for an empty
 * field or a bare group such as undisclosed-recipients:;): one person or a crowd.
 */
function addressCount(value: string): string {
  let n = 0;
  for (const e of parseAddressList(value)) {
    for (const m of e.kind === 'group' ? e.members : [e]) if (m.host !== '') n++;
  }
  return n === 0 ? 'no-address' : `2**${Math.round(Math.log2(n))}`;
}

/**
 * Two shapes of a subject that bulk mailers give (SpamAssassin's tracking-ID rules): a run of
 * blanks inside it, which pushes what follows out of view, and a last word of letters and digits
 * mixed, a per-recipient ID ("A gift for you        k7Qz82Lm" has both).
 */
function subjectShapeTokens(value: string, add: (t: string) => void): void {
  const subject = value.trim();
  if (/\S[ \t]{3,}\S/.test(subject)) add('subject:shape:blank-run');
  if (/(?:^|\s)(?=[a-z0-9]*[a-z])(?=[a-z0-9]*\d)[a-z0-9]{6,}$/i.test(subject)) add('subject:shape:trailing-id');
}

const HTML_TAG = /<([a-z][a-z0-9]{0,15})\b([^<>]{0,500})>/gi;
const HTML_ATTR = /([a-z-]{1,20})\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]*))/gi;
/** Attributes whose values are tokens too: how loud the markup is (colours, sizes, fonts). */
const VALUED_ATTRS = new Set(['color', 'bgcolor', 'size', 'face', 'align', 'border', 'width', 'height']);

/**
 * The markup of an HTML part, which the text the words come from has lost: tag names, attribute
 * names and a few attributes' values (html:font, html:font.color=#ff0000).
 */
function htmlTokens(html: string, add: (t: string) => void): void {
  for (const m of html.matchAll(HTML_TAG)) {
    const tag = m[1]!.toLowerCase();
    add(`html:${tag}`);
    for (const a of m[2]!.matchAll(HTML_ATTR)) {
      const name = a[1]!.toLowerCase();
      add(`html:${tag}.${name}`);
      const value = (a[2] ?? a[3] ?? a[4] ?? '').trim().toLowerCase();
      if (VALUED_ATTRS.has(name) && value.length <= 20) add(`html:${tag}.${name}=${value}`);
    }
  }
}

const SHOUT = /\b[A-Z]{3,20}\b/g;
const PUNCT = /[!$%*?]+/g;

/**
 * What lower-casing and dropping punctuation lose: words in capitals (FREE, caps:free) and runs
 * of money and shouting punctuation ($, !!!), capped at three characters.
 */
function shapeTokens(text: string, prefix: string, add: (t: string) => void): void {
  for (const m of text.matchAll(SHOUT)) add(`${prefix}caps:${m[0].toLowerCase()}`);
  for (const m of text.matchAll(PUNCT)) add(`${prefix}punct:${m[0].slice(0, 3)}`);
}

/**
 * A body word as a token. Very short Latin words say little on their own; numbers count by their
 * shape (num:2, num:11) except those of three and four digits (prices, years, area codes), since
 * one or two digits are days, times and list items, and long ones are phone and order numbers.
 */
function bodyToken(w: string): string | undefined {
  if (/^\d+$/.test(w)) return w.length === 3 || w.length === 4 ? w : `num:${w.length}`;
  // Chinese (and other unspaced scripts): one character can be a word (钱, 赢).
  if (/^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u.test(w)) return w;
  if (w.length < 3 || w.length > 40) return undefined;
  return w;
}
