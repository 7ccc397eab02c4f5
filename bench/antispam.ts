/**
 * Anti-spam accuracy (issue #13 "Measure"): the SpamAssassin public corpus subset in
 * test/fixtures/corpus/spamassassin (ham/ and spam/) is split by the SHA-256 of each file's name
 * (even first byte: training, odd: test), so the split is fixed and the parts are disjoint. The
 * Bayesian classifier learns the training part only (through BayesLearning, into a SQLite store in
 * a temp dir, default settings: bayesMinLearned 200); then the whole scoring stage (heuristic
 * rules + Bayes, default thresholds) scores each test message. No DNS: SPF, DKIM, DMARC and DNS-BL
 * are stages before scoring and are not run. "Now" for the date rules is when the message was
 * received (its top Received field), as it would have been for a server of 2002. Prints spam
 * caught, ham wrongly flagged (X-Spam-Flag: YES) and seconds per 1,000 messages scored.
 * Measures; never asserts. No rule or constant was set by looking at the test part: with
 * --validate the run uses the training part alone, split again in two by another byte of the hash,
 * which is where choices were tried.
 */
import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { BayesClassifier } from '../src/antispam/bayes.ts';
import { BayesLearning } from '../src/antispam/bayes-learning.ts';
import { listMessageFiles, readMessageFile } from '../src/antispam/message-files.ts';
import { SpamScoreStage } from '../src/antispam/spam-score.ts';
import { SettingsSchema } from '../src/config/schema/index.ts';
import { systemClock } from '../src/core/clock.ts';
import { headerValues, parseHeaders } from '../src/mime/header-block.ts';
import { parseMimeTree, type MimePart } from '../src/mime/mime-tree.ts';
import { searchableText } from '../src/mime/search-text.ts';
import type { PipelineMessage, ScoreItem, StageContext } from '../src/pipeline/stage.ts';
import { openTestStore } from '../src/store/testing.ts';

const CORPUS = fileURLToPath(new URL('../test/fixtures/corpus/spamassassin/', import.meta.url));

interface Sample { path: string; cls: 'spam' | 'ham'; raw: Buffer }

const hashOf = (path: string) => createHash('sha256').update(basename(path)).digest();
const isTraining = (path: string) => hashOf(path)[0]! % 2 === 0;
const VALIDATE = process.argv.includes('--validate');

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
  let train = samples.filter((s) => isTraining(s.path));
  let test = samples.filter((s) => !isTraining(s.path));
  if (VALIDATE) {
    console.log('antispam: --validate: the training part alone, split in two; the test part is not read');
    test = train.filter((s) => hashOf(s.path)[1]! % 2 === 1);
    train = train.filter((s) => hashOf(s.path)[1]! % 2 === 0);
  }
  const count = (xs: Sample[], cls: string) => xs.filter((s) => s.cls === cls).length;
  console.log(`antispam: corpus ${samples.length} messages; training ${train.length} (${count(train, 'spam')} spam, ${count(train, 'ham')} ham), test ${test.length} (${count(test, 'spam')} spam, ${count(test, 'ham')} ham); load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

  const t = await openTestStore('sqlite');
  try {
    // The validation half has fewer than 200 of each: its guard is what it has.
    const settings = SettingsSchema.parse(VALIDATE ? { antispam: { bayesMinLearned: Math.min(count(train, 'spam'), count(train, 'ham')) } } : {});
    const classifier = new BayesClassifier(t.store, systemClock);
    const learning = new BayesLearning({ classifier, store: t.store, blobs: t.blobs, settings: () => settings, warn: console.warn });
    let started = performance.now();
    for (const s of train) await learning.learnMessage('', s.raw, s.cls, settings);
    console.log(`antispam: trained in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    const stage = new SpamScoreStage(classifier);
    const results: Array<{ s: Sample; spam: boolean; score: number; items: ScoreItem[] }> = [];
    started = performance.now();
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

    const spam = results.filter((r) => r.s.cls === 'spam');
    const ham = results.filter((r) => r.s.cls === 'ham');
    const caught = spam.filter((r) => r.spam).length;
    const flagged = ham.filter((r) => r.spam);
    const pct = (n: number, of: number) => `${((100 * n) / of).toFixed(1)} %`;
    console.log(`antispam: spam caught ${pct(caught, spam.length)} (${caught}/${spam.length}), ham wrongly flagged ${pct(flagged.length, ham.length)} (${flagged.length}/${ham.length}), ${((seconds * 1000) / test.length).toFixed(2)} s per 1,000 messages scored (${test.length} in ${seconds.toFixed(2)} s)`);
    const bayes = (rs: typeof results) => {
      const by = new Map<string, number>();
      for (const r of rs) { const b = r.items.find((i) => i.rule.startsWith('BAYES_'))?.rule ?? 'none'; by.set(b, (by.get(b) ?? 0) + 1); }
      return [...by].sort().map(([k, n]) => `${k} ${n}`).join(', ');
    };
    console.log(`antispam: Bayes bands, spam: ${bayes(spam)}`);
    console.log(`antispam: Bayes bands, ham:  ${bayes(ham)}`);
    for (const r of flagged) console.log(`antispam: ham flagged: ${r.s.path.slice(CORPUS.length)} score ${r.score} ${r.items.map((i) => i.rule).join(',')}`);
  } finally {
    await t.close();
  }
}
