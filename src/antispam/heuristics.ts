/**
 * Heuristic spam rules (FEATURES S12), written from general knowledge of spam: each rule only
 * reports a named score item (STYLE §8.4: analysers add tags, scoring is policy, spam-score.ts).
 * Covered: missing or odd Date / Message-ID / Subject, a shouting subject, HTML-only mail, links to
 * bare IP addresses and URL shorteners, invisible characters, a HELO that is a bare IP or no domain,
 * and phrases of English and Chinese spam (发票/代开, gambling, loans, "add my WeChat"). The text
 * comes decoded (mime/search-text.ts: charsets such as GBK, transfer encodings, HTML → text).
 * Not a Bayesian classifier (issue #13 item 6) and not fitted to any test corpus.
 */
import { parseHeaders, headerValue } from '../mime/header-block.ts';
import type { MimePart } from '../mime/mime-tree.ts';
import type { ScoreItem } from '../pipeline/stage.ts';

export interface HeuristicInput {
  raw: Buffer;
  /** The MIME tree and decoded text (PipelineMessage parses them once for every stage). */
  tree: MimePart;
  text: { headers: string; body: string };
  helo: string;
  now: number;
  /** How much of the raw message the link rules read. */
  maxChars: number;
}

/** Phrases of Chinese spam: invoices, gambling, loans, "part-time" scams, move-to-chat lures. */
const CN_INVOICE = /(代开|代办|低价|优惠)[\s\S]{0,6}发票|发票[\s\S]{0,6}(代开|代办)|(增值税|普通|专用)发票|開發票|代開/;
const CN_PHRASES: Array<[RegExp, string]> = [
  [/博彩|赌场|百家乐|老虎机|彩票(预测|内幕)/, 'gambling'],
  [/(无抵押|免息|快速|小额)(贷款|借款)|贷款[\s\S]{0,4}(秒批|当天放款)/, 'loan'],
  [/刷单|兼职日结|日赚\d+|在家(兼职|赚钱)/, 'part-time job'],
  [/加(我)?(微信|ＶＸ|vx|QQ|扣扣)|(微信|QQ)(号)?[:：]\s*[\w-]{5,}/i, 'move to chat'],
  [/退订(请)?回复|回复\s*T\s*退订|点击退订/i, 'bulk unsubscribe'],
  [/(免费|限时)(领取|赠送)|中奖|恭喜您?获得/, 'prize'],
];
const EN_PHRASES: Array<[RegExp, string]> = [
  [/\bviagra\b|\bcialis\b/i, 'pharmacy'],
  [/\b(lottery|jackpot)\b[\s\S]{0,40}\b(winner|won|claim)\b/i, 'lottery'],
  [/\b(bitcoin|crypto)\b[\s\S]{0,40}\b(invest|profit|double)\b/i, 'crypto'],
  [/\bclick here\b[\s\S]{0,40}\b(unsubscribe|remove)\b/i, 'bulk unsubscribe'],
  [/\b(dear (beneficiary|friend)|next of kin|million (us )?dollars)\b/i, 'advance fee'],
];
const SHORTENERS = /https?:\/\/(bit\.ly|t\.co|tinyurl\.com|goo\.gl|is\.gd|ow\.ly|t\.cn|dwz\.cn|suo\.im|url\.cn)\//i;

export function scoreHeuristics(input: HeuristicInput): ScoreItem[] {
  const items: ScoreItem[] = [];
  const add = (rule: string, score: number, detail?: string) => items.push(detail === undefined ? { rule, score } : { rule, score, detail });
  const { headers } = parseHeaders(input.raw);
  const { tree, text } = input;
  const subjectLine = /^subject: (.*)$/im.exec(text.headers)?.[1]?.trim() ?? '';

  // Header structure
  const date = headerValue(headers, 'date');
  if (date === undefined) add('MISSING_DATE', 1.0);
  else {
    const t = Date.parse(date.replace(/\([^)]*\)/g, ''));
    if (Number.isNaN(t)) add('INVALID_DATE', 1.0, date.slice(0, 60));
    else if (t - input.now > 12 * 3600_000) add('DATE_IN_FUTURE', 1.5, date.slice(0, 60));
    else if (input.now - t > 7 * 86_400_000) add('DATE_IN_PAST', 1.0, date.slice(0, 60));
  }
  if (headerValue(headers, 'message-id') === undefined) add('MISSING_MESSAGE_ID', 0.5);
  if (headerValue(headers, 'subject') === undefined || subjectLine === '') add('MISSING_SUBJECT', 0.5);
  const letters = subjectLine.replace(/[^A-Za-z]/g, '');
  if (letters.length >= 10 && letters === letters.toUpperCase()) add('SUBJ_ALL_CAPS', 1.0);
  if (headerValue(headers, 'from') === undefined) add('MISSING_FROM', 1.5);

  // The client
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(input.helo)) add('HELO_BARE_IP', 1.0, input.helo);
  else if (input.helo !== '' && !input.helo.includes('.') && !input.helo.startsWith('[')) add('HELO_NOT_FQDN', 0.5, input.helo);

  // Body shape
  if (tree.type === 'text' && tree.subtype === 'html') add('HTML_ONLY', 0.7);
  const body = text.body;
  // Links are looked for in the decoded text (HTML reduced to text drops href targets) and in the raw bytes.
  const links = `${body}\n${input.raw.toString('latin1', 0, Math.min(input.raw.length, input.maxChars))}`;
  if (/https?:\/\/\d{1,3}(\.\d{1,3}){3}(?![\d.])/i.test(links)) add('URI_NUMERIC_IP', 1.5);
  if (SHORTENERS.test(links)) add('URI_SHORTENER', 0.8);
  if (/[\u200b-\u200d\u2060\ufeff]/.test(body + subjectLine)) add('INVISIBLE_CHARS', 1.5);

  // Phrases
  const all = `${subjectLine}\n${body}`;
  if (CN_INVOICE.test(all)) add('CN_INVOICE', 4.0, CN_INVOICE.exec(all)?.[0]);
  let phrases = 0;
  for (const [re, what] of [...CN_PHRASES, ...EN_PHRASES]) {
    if (phrases >= 3) break;
    if (re.test(all)) { add('SPAM_PHRASE', 2.0, what); phrases++; }
  }
  return items;
}
