/**
 * Spam scoring (FEATURES S12; manual §4.6.1): the last data stage. It adds the heuristic rules'
 * items (heuristics.ts) to what earlier stages contributed (SPF, DKIM, DMARC, DNS-BL, the approved
 * list) and compares the sum with antispam.markThreshold and antispam.rejectThreshold. Every
 * scored message gets X-Spam-Flag, X-Spam-Score, X-Spam-Status (SpamAssassin's shape: "Yes,
 * score=7.3 required=5.0 tests=…") and X-Spam-Report (one line per item); at the reject threshold
 * it is refused with 550 5.7.1 and not stored. The Bayesian classifier (bayes.ts) adds a BAYES_xx
 * item once trained (antispam.bayesEnabled, bayesScope, bayesMinLearned); a message marked as spam
 * gets antispam.subjectTag before its subject. Counters: antispam.ham, antispam.spam,
 * antispam.reject (the runner's). Log: antispam, one line per message with the breakdown.
 */
import libmime from 'libmime';
import type { Settings } from '../config/settings.ts';
import type { PipelineMessage, ScoreItem, Stage, StageContext, Verdict } from '../pipeline/stage.ts';
import { parseHeaders, headerValue } from '../mime/header-block.ts';
import { bayesScoreItem, type BayesClassifier } from './bayes.ts';
import { scoreHeuristics } from './heuristics.ts';

const fmt = (n: number) => n.toFixed(1);

export class SpamScoreStage implements Stage {
  readonly name = 'antispam';
  readonly log = 'antispam' as const;
  readonly exempt = { authenticated: true, trusted: true };

  /** Without a classifier only the rules score (tests of the rules alone). */
  constructor(private readonly bayes?: BayesClassifier) {}

  isEnabled(s: Readonly<Settings>): boolean {
    return s.antispam.enabled;
  }

  async data(ctx: StageContext, msg: PipelineMessage): Promise<Verdict> {
    const s = ctx.settings.antispam;
    const earlier = (ctx.results.get('score') as ScoreItem[] | undefined) ?? [];
    const items = [...earlier, ...scoreHeuristics({ raw: msg.raw, tree: msg.tree(), text: msg.text(), helo: ctx.client.helo, now: ctx.now(), maxChars: s.maxScanBytes })];
    if (this.bayes && s.bayesEnabled) {
      const scope = s.bayesScope === 'domain' ? domainOf(ctx.recipients[0] ?? '') : '';
      const c = await this.bayes.classify(scope, () => this.bayes!.tokens({ raw: msg.raw, tree: msg.tree(), text: msg.text(), maxChars: s.maxScanBytes }), s.bayesMinLearned);
      if (c.kind === 'verdict') items.push(bayesScoreItem(c.probability));
      else ctx.log(`Bayes: no verdict yet (${c.learned.spam} spam and ${c.learned.ham} ham learned${scope ? ` for ${scope}` : ''}, ${s.bayesMinLearned} of each needed)`);
    }
    const total = Math.round(items.reduce((sum, i) => sum + i.score, 0) * 10) / 10;
    const spam = total >= s.markThreshold;
    const tests = items.map((i) => i.rule).join(',') || 'none';
    ctx.results.set(this.name, { score: total, spam, items });
    ctx.log(`Spam Filter: score ${fmt(total)} (mark at ${fmt(s.markThreshold)}, reject at ${s.rejectThreshold > 0 ? fmt(s.rejectThreshold) : 'never'})`);
    for (const i of items) ctx.log(`  ${fmt(i.score).padStart(5)} ${i.rule}${i.detail ? ` ${i.detail}` : ''}`);
    if (s.rejectThreshold > 0 && total >= s.rejectThreshold) {
      return { kind: 'reject', reply: { code: 550, enhanced: '5.7.1', text: `Message refused as spam (score ${fmt(total)})` } };
    }
    ctx.count(spam ? 'spam' : 'ham');
    const tag = spam && s.subjectTag !== '' ? taggedSubject(msg.raw, s.subjectTag) : undefined;
    const report = items.map((i) => `\r\n\t* ${fmt(i.score)} ${i.rule}${i.detail ? ` ${oneLine(i.detail)}` : ''}`).join('');
    return {
      kind: 'continue',
      // A sender's own verdict (X-Spam-Flag: NO …) must not sit beside ours.
      strip: [...['X-Spam-Flag', 'X-Spam-Score', 'X-Spam-Status', 'X-Spam-Report', 'X-Spam-Level'].map((name) => ({ name })),
        ...(tag ? [{ name: 'Subject' }] : [])],
      headers: [
        ...(tag ? [tag] : []),
        `X-Spam-Flag: ${spam ? 'YES' : 'NO'}`,
        `X-Spam-Score: ${fmt(total)}`,
        `X-Spam-Status: ${spam ? 'Yes' : 'No'}, score=${fmt(total)} required=${fmt(s.markThreshold)} tests=${tests}`,
        ...(items.length > 0 ? [`X-Spam-Report:${report}`] : []),
      ],
    };
  }
}

const domainOf = (address: string): string => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

/** 'Subject: [SPAM] original' (the original as sent, encoded words and all), or the tag alone when there was none. */
function taggedSubject(raw: Buffer, tag: string): string {
  const original = headerValue(parseHeaders(raw).headers, 'subject');
  if (original !== undefined && original.startsWith(tag)) return `Subject: ${original}`;
  return `Subject: ${original ? `${tag} ${original}` : tag}`;
}

/** Score details come from messages and DNS: one line, control characters gone, non-ASCII as an RFC 2047 word. */
function oneLine(s: string): string {
  const line = s.replace(/[\x00-\x1f\x7f]+/g, ' ').slice(0, 120);
  return /^[\x20-\x7e]*$/.test(line) ? line : libmime.encodeWord(line, 'B');
}
