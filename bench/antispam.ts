/**
 * Anti-spam accuracy (issue #13 "Measure"): the SpamAssassin public corpus subset in
 * test/fixtures/corpus/spamassassin (ham/ and spam/) is split by the SHA-256 of each file's name
 * (even first byte: training, odd: test), so the split is fixed and the parts are disjoint. The
 * Bayesian classifier learns the training part only (through BayesLearning, into a SQLite store in
 * a temp dir, default settings: bayesMinLearned 200); then the whole scoring stage (heuristic
 * rules + Bayes, default thresholds) scores each test message. No DNS: SPF, DKIM, DMARC and DNS-BL
 * are stages before scoring and are not run. "Now" for the date rules is when the message was
 * received (its top Received field), as it would have been for a server of 2002. Prints spam
 * caught, ham wrongly flagged (X-Spam-Flag: YES) and seconds per 1,000 messages scored (wall
 * clock, and this process's CPU, which a loaded machine inflates less).
 * Measures; never asserts. No rule or constant was set by looking at the test part: with
 * --validate the run uses the training part alone, split again in two by another byte of the hash,
 * which is where choices were tried. `--validate --folds K` cross-validates on the training part
 * alone: K runs, each holding out the messages whose second hash byte is i mod K and learning the
 * rest, with the figures of each run and their sum (K = 2, fold 1 is plain --validate). `--explain`
 * prints each missed spam and flagged ham with its score items and strongest Bayes tokens.
 */
import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { BayesClassifier } from '../src/antispam/bayes.ts';
import { BayesLearning } from '../src/antispam/bayes-learning.ts';
import { listMessageFiles, readMessageFile } from '../src/antispam/message-files.ts';
import { SpamScoreStage } from '../src/antispam/spam-score.ts';
import { tokenize } from '../src/antispam/bayes-tokens.ts';
import { tokenProbability } from '../src/antispam/bayes.ts';
import { SettingsSchema } from '../src/config/schema/index.ts';
import { systemClock } from '../src/core/clock.ts';
import { headerValues, parseHeaders } from '../src/mime/header-block.ts';
import { parseMimeTree, type MimePart } from '../src/mime/mime-tree.ts';
import { searchableText } from '../src/mime/search-text.ts';
import type { PipelineMessage, ScoreItem, StageContext } from '../src/pipeline/stage.ts';
import { openTestStore } from '../src/store/testing.ts';
import { option } from './options.ts';

const CORPUS = fileURLToPath(new URL('../test/fixtures/corpus/spamassassin/', import.meta.url));

interface Sample { path: string; cls: 'spam' | 'ham'; raw: Buffer }

const hashOf = (path: string) => createHash('sha256').update(basename(path)).digest();
const isTraining = (path: string) => hashOf(path)[0]! % 2 === 0;
const VALIDATE = process.argv.includes('--validate');
const EXPLAIN = process.argv.includes('--explain');

/** When the message reached its last server: the date after the ';' of the top Received field. */
function receivedAt(raw: Buffer): number | undefined {
  const { headers } = parseHeaders(raw);
  for (const v of [...headerValues(headers, 'received').slice(0, 1), ...headerValues(headers, 'date')]) {
    const t = Date.parse((v.includes(';') ? v.slice(v.lastIndexOf(';') + 1) : v).replace(/\([^)]*\)/g, '').trim());
    if (!Number.isNaN(t)) return t;
  }
  return undefined;
}

export async function run(): Promise<void> {
  const samples: Sample[] = [];
  for (const cls of ['ham', 'spam'] as const) {
    for (const path of await listMessageFiles([join(CORPUS, cls)])) {
      if (!path.endsWith('README.md')) samples.push({ path, cls, raw: await readMessageFile(path) });
    }
  }
  const train = samples.filter((s) => isTraining(s.path));
  const test = samples.filter((s) => !isTraining(s.path));
  if (!VALIDATE) return void (await evaluate(samples.length, train, test));
  const folds = option('folds', 2);
  console.log(`antispam: --validate: the training part alone, ${folds === 2 ? 'split in two' : `in ${folds} folds`}; the test part is not read`);
  const fold = (s: Sample) => hashOf(s.path)[1]! % folds;
  // Fold 1 of 2 is the historical --validate split (learn even, hold out odd): it runs alone unless --folds is given.
  const runs = process.argv.some((a) => a.startsWith('--folds')) ? [...Array(folds).keys()] : [1];
  const sum = { spam: 0, caught: 0, ham: 0, flagged: 0 };
  for (const i of runs) {
    const r = await evaluate(samples.length, train.filter((s) => fold(s) !== i), train.filter((s) => fold(s) === i), true);
    for (const k of Object.keys(sum) as Array<keyof typeof sum>) sum[k] += r[k];
  }
  if (runs.length > 1) console.log(`antispam: ${runs.length} folds together: spam caught ${pct(sum.caught, sum.spam)} (${sum.caught}/${sum.spam}), ham wrongly flagged ${pct(sum.flagged, sum.ham)} (${sum.flagged}/${sum.ham})`);
}

const pct = (n: number, of: number) => `${((100 * n) / of).toFixed(1)} %`;

async function evaluate(corpus: number, train: Sample[], test: Sample[], validate = false) {
  const count = (xs: Sample[], cls: string) => xs.filter((s) => s.cls === cls).length;
  console.log(`antispam: corpus ${corpus} messages; training ${train.length} (${count(train, 'spam')} spam, ${count(train, 'ham')} ham), test ${test.length} (${count(test, 'spam')} spam, ${count(test, 'ham')} ham); load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

  const t = await openTestStore('sqlite');
  try {
    // The validation half has fewer than 200 of each: its guard is what it has.
    const settings = SettingsSchema.parse(validate ? { antispam: { bayesMinLearned: Math.min(count(train, 'spam'), count(train, 'ham')) } } : {});
    const classifier = new BayesClassifier(t.store, systemClock);
    const learning = new BayesLearning({ classifier, store: t.store, blobs: t.blobs, settings: () => settings, warn: console.warn });
    let started = performance.now();
    for (const s of train) await learning.learnMessage('', s.raw, s.cls, settings);
    console.log(`antispam: trained in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    const stage = new SpamScoreStage(classifier);
    const results: Array<{ s: Sample; spam: boolean; score: number; items: ScoreItem[] }> = [];
    // The classifier's snapshot of the store's counts is read once (a server reads it again only after
    // learning): read it before the clock starts, so the figure is the cost of scoring a message.
    started = performance.now();
    await classifier.classify('', [], 0);
    console.log(`antispam: the classifier's counts read from the store in ${(performance.now() - started).toFixed(0)} ms`);
    started = performance.now();
    const cpu0 = process.cpuUsage();
    for (const s of test) {
      let tree: MimePart | undefined;
      let text: { headers: string; body: string } | undefined;
      const msg: PipelineMessage = {
        raw: s.raw, header: '',
        tree: () => (tree ??= parseMimeTree(s.raw)),
        text: () => (text ??= searchableText(s.raw, tree ??= parseMimeTree(s.raw), { maxBodyChars: settings.antispam.maxScanBytes })),
      };
      const now = receivedAt(s.raw) ?? Date.now();
      const results_ = new Map<string, unknown>();
      const ctx: StageContext = {
        client: { ip: '192.0.2.1', helo: '', kind: 'mx', trusted: false }, settings, sender: '', recipients: ['user@example.test'],
        results: results_, log: () => undefined, count: () => undefined, sessionState: (init) => init(), now: () => now,
      };
      const v = await stage.data(ctx, msg);
      const r = results_.get('antispam') as { score: number; spam: boolean; items: ScoreItem[] } | undefined;
      results.push({ s, spam: v.kind === 'reject' || r?.spam === true, score: r?.score ?? Infinity, items: r?.items ?? [] });
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;

    const spam = results.filter((r) => r.s.cls === 'spam');
    const ham = results.filter((r) => r.s.cls === 'ham');
    const caught = spam.filter((r) => r.spam).length;
    const flagged = ham.filter((r) => r.spam);
    console.log(`antispam: spam caught ${pct(caught, spam.length)} (${caught}/${spam.length}), ham wrongly flagged ${pct(flagged.length, ham.length)} (${flagged.length}/${ham.length}), ${((seconds * 1000) / test.length).toFixed(2)} s per 1,000 messages scored (${test.length} in ${seconds.toFixed(2)} s; CPU ${((cpuSeconds * 1000) / test.length).toFixed(2)} s per 1,000)`);
    const bayes = (rs: typeof results) => {
      const by = new Map<string, number>();
      for (const r of rs) { const b = r.items.find((i) => i.rule.startsWith('BAYES_'))?.rule ?? 'none'; by.set(b, (by.get(b) ?? 0) + 1); }
      return [...by].sort().map(([k, n]) => `${k} ${n}`).join(', ');
    };
    console.log(`antispam: Bayes bands, spam: ${bayes(spam)}`);
    console.log(`antispam: Bayes bands, ham:  ${bayes(ham)}`);
    for (const r of flagged) console.log(`antispam: ham flagged: ${r.s.path.slice(CORPUS.length)} score ${r.score} ${r.items.map((i) => i.rule).join(',')}`);
    if (EXPLAIN) explain(train, [...spam.filter((r) => !r.spam), ...flagged], settings.antispam.maxScanBytes);
    return { spam: spam.length, caught, ham: ham.length, flagged: flagged.length };
  } finally {
    await t.close();
  }
}

/** Unhashed tokens of a message, as learning sees them. */
function tokensOf(raw: Buffer, maxChars: number): string[] {
  const tree = parseMimeTree(raw);
  return tokenize({ raw, tree, text: searchableText(raw, tree, { maxBodyChars: maxChars }), maxChars });
}

/** --explain: each miss with its items and its strongest tokens (counts from the training part, as learned). */
function explain(train: Sample[], misses: Array<{ s: Sample; score: number; items: ScoreItem[] }>, maxChars: number): void {
  const counts = new Map<string, { spam: number; ham: number }>();
  const totals = { spam: 0, ham: 0 };
  for (const s of train) {
    totals[s.cls]++;
    for (const t of tokensOf(s.raw, maxChars)) {
      const c = counts.get(t) ?? { spam: 0, ham: 0 };
      c[s.cls]++;
      counts.set(t, c);
    }
  }
  for (const m of misses) {
    const subject = /^subject:(.*)$/im.exec(m.s.raw.toString('latin1', 0, 20_000))?.[1]?.trim().slice(0, 70);
    console.log(`\nantispam: MISS ${m.s.cls} ${m.s.path.slice(CORPUS.length)} score ${m.score} [${m.items.map((i) => `${i.rule}${i.detail ? `(${i.detail})` : ''} ${i.score}`).join(', ')}] subject: ${subject}`);
    const clues = tokensOf(m.s.raw, maxChars).map((t) => {
      const c = counts.get(t);
      return { t, c, p: c ? tokenProbability(c, totals) : 0.5 };
    }).filter((x) => Math.abs(x.p - 0.5) >= 0.1).sort((a, b) => Math.abs(b.p - 0.5) - Math.abs(a.p - 0.5));
    const show = (xs: typeof clues) => xs.slice(0, 15).map((x) => `${x.t}=${x.p.toFixed(2)}(${x.c!.spam}/${x.c!.ham})`).join(' ');
    console.log(`  spammy: ${show(clues.filter((x) => x.p > 0.5))}`);
    console.log(`  hammy:  ${show(clues.filter((x) => x.p < 0.5))}`);
    console.log(`  clues: ${clues.length} (${clues.filter((x) => x.p > 0.5).length} spammy)`);
  }
}
