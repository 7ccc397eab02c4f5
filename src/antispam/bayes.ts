/**
 * The Bayesian spam classifier (FEATURES S12, issue #13 item 6), after Paul Graham's "A Plan for
 * Spam" as improved by Gary Robinson ("A Statistical Approach to the Spam Problem", 2003) and used
 * by SpamBayes, Bogofilter and SpamAssassin: each token's spam probability is smoothed towards 0.5
 * by how little it was seen (Robinson's f(w)), the 300 tokens furthest from 0.5 are combined with
 * Fisher's method (inverse chi-square), and the result is a probability in [0, 1]. Counts live in
 * the store (BayesRepo), per scope: '' (global) or a domain (antispam.bayesScope). Until a scope
 * has learned antispam.bayesMinLearned spam and as many ham it gives no verdict. It ships
 * untrained. Learning a message twice counts it once; learning it as the other class moves it.
 */
import { createHash, hash } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import type { ScoreItem } from '../pipeline/stage.ts';
import type { BayesClass, BayesCounts, Store } from '../store/store.ts';
import { tokenize, type TokenInput } from './bayes-tokens.ts';

/**
 * Robinson's constants as SpamBayes ships them: a token seen n times weighs as if a prior of
 * x = 0.5 had been seen s = 0.45 times; tokens closer than 0.1 to 0.5 are left out. At most 300 of
 * the rest take part (SpamBayes: 150): with word pairs a message has about twice the clues, and on
 * the training part cross-validated in 4 folds (bench/antispam.ts --validate --folds 4) 300 caught
 * more spam than 100, 150 or 200 with no more ham flagged, 500 flagged more ham; s = 1 flagged
 * more ham than 0.45.
 */
const UNKNOWN_STRENGTH = 0.45;
const UNKNOWN_PROB = 0.5;
const MIN_PROB_STRENGTH = 0.1;
const MAX_DISCRIMINATORS = 300;

/**
 * Probability bands as score items, with SpamAssassin's names (and BAYES_90, ours). A classifier
 * at least 90 % sure marks a message on its own (markThreshold 5 by default): 0.90 is SpamBayes'
 * own spam cutoff for this combining, and on a held-out slice of the training corpus
 * (bench/antispam.ts --validate) no ham scored between 0.80 and 0.95 while a tenth of the spam
 * did. One at least 80 % sure needs one or two more rules; a confident ham verdict takes two points
 * off what the heuristics found. None reaches the reject threshold alone.
 */
const BANDS: ReadonlyArray<[below: number, rule: string, score: number]> = [
  [0.01, 'BAYES_00', -2.0], [0.05, 'BAYES_05', -1.0], [0.2, 'BAYES_20', -0.5], [0.4, 'BAYES_40', 0],
  [0.6, 'BAYES_50', 0], [0.8, 'BAYES_60', 1.0], [0.9, 'BAYES_80', 2.5], [0.95, 'BAYES_90', 5.0],
  [0.99, 'BAYES_95', 5.0], [0.999, 'BAYES_99', 5.5], [Infinity, 'BAYES_999', 6.0],
];

/** The score item for a classifier probability. */
export function bayesScoreItem(probability: number): ScoreItem {
  const [, rule, score] = BANDS.find(([below]) => probability < below)!;
  return { rule, score, detail: `p=${probability.toFixed(4)}` };
}

/** Q(x², v): the probability that a chi-square variable with v (even) degrees of freedom is at least x². */
export function chi2Q(x2: number, v: number): number {
  const m = x2 / 2;
  let term = Math.exp(-m);
  let sum = term;
  for (let i = 1; i < v / 2; i++) {
    term *= m / i;
    sum += term;
  }
  return Math.min(sum, 1);
}

/** Robinson's f(w): the token's spam probability, smoothed towards UNKNOWN_PROB when it was seen rarely. */
export function tokenProbability(c: BayesCounts, totals: BayesCounts): number {
  const spamRatio = c.spam / Math.max(totals.spam, 1);
  const hamRatio = c.ham / Math.max(totals.ham, 1);
  if (spamRatio + hamRatio === 0) return UNKNOWN_PROB;
  const p = spamRatio / (spamRatio + hamRatio);
  const n = c.spam + c.ham;
  return (UNKNOWN_STRENGTH * UNKNOWN_PROB + n * p) / (UNKNOWN_STRENGTH + n);
}

/**
 * Fisher-Robinson combining (SpamBayes chi2_spamprob): S = how surely the clues are not all ham,
 * H = how surely they are not all spam, probability (1 + S − H) / 2. 0.5 without clues.
 */
export function combine(probabilities: readonly number[]): { probability: number; clues: number } {
  const clues = probabilities
    .filter((p) => Math.abs(p - 0.5) >= MIN_PROB_STRENGTH)
    .sort((a, b) => Math.abs(b - 0.5) - Math.abs(a - 0.5))
    .slice(0, MAX_DISCRIMINATORS);
  if (clues.length === 0) return { probability: 0.5, clues: 0 };
  let lnSpam = 0;
  let lnHam = 0;
  for (const p of clues) {
    lnSpam += Math.log(1 - p);
    lnHam += Math.log(p);
  }
  const s = 1 - chi2Q(-2 * lnSpam, 2 * clues.length);
  const h = 1 - chi2Q(-2 * lnHam, 2 * clues.length);
  return { probability: (1 + s - h) / 2, clues: clues.length };
}

/** Store keys of tokens: 64 bits of SHA-1, so the store never holds users' words (SpamAssassin keeps 40). */
export function hashToken(token: string): string {
  // The one-shot hash: a message has a thousand tokens or more, and a Hash object each cost 4× as much.
  return hash('sha1', token, 'hex').slice(0, 16);
}

export type Classification =
  | { kind: 'verdict'; probability: number; clues: number }
  /** Not enough learned yet (antispam.bayesMinLearned): the counts so far. */
  | { kind: 'untrained'; learned: BayesCounts };

/** The spam probability of a message's tokens under the scope's counts. */
function verdict(tokens: readonly string[], counts: ReadonlyMap<string, BayesCounts>, totals: BayesCounts): Classification {
  const probabilities = tokens.map((t) => {
    const c = counts.get(t);
    return c ? tokenProbability(c, totals) : UNKNOWN_PROB;
  });
  return { kind: 'verdict', ...combine(probabilities) };
}

export type LearnOutcome = 'learned' | 'moved' | 'already';

/** How long a scope's snapshot is used before the store is asked whether it learned since. */
const SNAPSHOT_CHECK_MS = 30_000;
/** A scope with more tokens than this is read per message instead (~100 bytes a token in memory). */
const SNAPSHOT_MAX_TOKENS = 300_000;

/** A scope's counts held in memory: classifying then costs no store read. */
interface Snapshot {
  totals: BayesCounts;
  /** Undefined while the scope is too large to hold (or is read per message for another reason). */
  counts: Map<string, BayesCounts> | undefined;
  updatedAt: number;
  checkedAt: number;
}

export class BayesClassifier {
  readonly #snapshots = new Map<string, Snapshot>();

  constructor(private readonly store: Store, private readonly clock: Clock) {}

  /** Distinct hashed tokens of a message. */
  tokens(input: TokenInput): string[] {
    return tokenize(input).map(hashToken);
  }

  /** The message's spam probability in `scope`, or 'untrained' while either class has fewer than minLearned. */
  async classify(scope: string, tokensOf: readonly string[] | (() => readonly string[]), minLearned: number): Promise<Classification> {
    const snap = await this.#snapshot(scope);
    if (snap.counts) {
      if (snap.totals.spam < minLearned || snap.totals.ham < minLearned) return { kind: 'untrained', learned: snap.totals };
      return verdict(typeof tokensOf === 'function' ? tokensOf() : tokensOf, snap.counts, snap.totals);
    }
    let tokens: readonly string[] = [];
    const { totals, counts } = await this.store.read(async (tx) => {
      const totals = await tx.bayes.totals(scope);
      if (totals.spam < minLearned || totals.ham < minLearned) return { totals, counts: undefined };
      // Tokens only once there is something to weigh them against: an untrained classifier costs one query.
      tokens = typeof tokensOf === 'function' ? tokensOf() : tokensOf;
      return { totals, counts: await tx.bayes.tokens(scope, tokens) };
    });
    if (!counts) return { kind: 'untrained', learned: totals };
    return verdict(tokens, counts, totals);
  }

  /**
   * Learns one message as spam or ham in `scope`. `digest` identifies it (SHA-256 of its bytes):
   * a message learned before as the same class is not counted again ('already'); one learned as
   * the other class is taken back from that class first ('moved').
   */
  async learn(scope: string, digest: string, tokens: readonly string[], cls: BayesClass): Promise<LearnOutcome> {
    const at = this.clock.now();
    return this.store.tx(async (tx) => {
      const before = await tx.bayes.seen(scope, digest);
      if (before === cls) return 'already';
      if (before) await tx.bayes.learn(scope, before, tokens, -1, at);
      await tx.bayes.learn(scope, cls, tokens, 1, at);
      await tx.bayes.markSeen(scope, digest, cls, at);
      return before ? 'moved' : 'learned';
    }).finally(() => this.#snapshots.delete(scope)); // this process sees its own learning at once
  }

  /**
   * The scope's counts in memory, read again when the store says the scope learned since (asked at
   * most every 30 s): learning on another node or process shows here within that time. A scope too
   * large to hold gets a snapshot without counts, and each message reads its tokens from the store.
   */
  async #snapshot(scope: string): Promise<Snapshot> {
    const now = this.clock.now();
    const held = this.#snapshots.get(scope);
    if (held && now - held.checkedAt < SNAPSHOT_CHECK_MS) return held;
    const stamp = await this.store.read((tx) => tx.bayes.stamp(scope));
    if (held && held.updatedAt === stamp.updatedAt) {
      held.checkedAt = now;
      return held;
    }
    // Totals and tokens from one read, so they agree.
    const snap = await this.store.read(async (tx) => {
      const s = await tx.bayes.stamp(scope);
      return { totals: { spam: s.spam, ham: s.ham }, updatedAt: s.updatedAt, counts: await tx.bayes.allTokens(scope, SNAPSHOT_MAX_TOKENS), checkedAt: now };
    });
    this.#snapshots.set(scope, snap);
    return snap;
  }

  /** Trained scopes with their totals and token counts. */
  scopes() {
    return this.store.read((tx) => tx.bayes.scopes());
  }
}

/** The digest learn() keys a message by. */
export const messageDigest = (raw: Buffer): string => createHash('sha256').update(raw).digest('hex');
