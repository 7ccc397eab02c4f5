/**
 * How the Bayesian classifier learns (issue #13 item 6): from users, when they copy or move
 * messages into Junk ("spam") or out of it ("not spam"; MailboxService tells us after the change
 * committed, for IMAP and webmail alike), and from files (`youju antispam learn`). A message is
 * learned from its stored bytes without the per-copy Return-Path/Delivered-To prefix, in the
 * global scope or its user's domain (antispam.bayesScope). Users' moves are learned one message
 * at a time in the background, so a MOVE of 1,000 messages answers at once; a failure is logged
 * and the mail stays where the user put it. Off when antispam.bayesEnabled is false.
 */
import type { Settings } from '../config/settings.ts';
import type { UserId } from '../core/ids.ts';
import type { JunkListener } from '../mailbox/mailbox-service.ts';
import { parseMimeTree } from '../mime/mime-tree.ts';
import { searchableText } from '../mime/search-text.ts';
import type { BlobStore } from '../store/blob-store.ts';
import type { BayesClass, Store } from '../store/store.ts';
import { messageDigest, type BayesClassifier, type LearnOutcome } from './bayes.ts';

export interface BayesLearningDeps {
  classifier: BayesClassifier;
  store: Store;
  blobs: BlobStore;
  settings: () => Readonly<Settings>;
  warn: (message: string) => void;
}

export class BayesLearning {
  #chain: Promise<void> = Promise.resolve();
  #pending = 0;

  constructor(private readonly deps: BayesLearningDeps) {}

  /** The scope a user's training goes to under these settings: '' or the user's domain. */
  async scopeOfUser(userId: UserId, settings: Readonly<Settings>): Promise<string> {
    if (settings.antispam.bayesScope === 'global') return '';
    return this.deps.store.read(async (tx) => {
      const user = await tx.users.get(userId);
      const domain = user ? await tx.domains.get(user.domainId) : undefined;
      return domain?.name.toLowerCase() ?? '';
    });
  }

  /** Learns one message's bytes as spam or ham in `scope`. */
  learnMessage(scope: string, raw: Buffer, cls: BayesClass, settings: Readonly<Settings> = this.deps.settings()): Promise<LearnOutcome> {
    const tree = parseMimeTree(raw);
    const text = searchableText(raw, tree, { maxBodyChars: settings.antispam.maxScanBytes });
    const tokens = this.deps.classifier.tokens({ raw, tree, text, maxChars: settings.antispam.maxScanBytes });
    return this.deps.classifier.learn(scope, messageDigest(raw), tokens, cls);
  }

  /** The MailboxService junk listener: queues the messages for learning and returns at once. */
  readonly onJunk: JunkListener = (e) => {
    const settings = this.deps.settings();
    if (!settings.antispam.bayesEnabled) return;
    this.#pending += e.messages.length;
    this.#chain = this.#chain.then(async () => {
      let left = e.messages.length;
      try {
        const scope = await this.scopeOfUser(e.userId, settings);
        for (const m of e.messages) {
          try {
            await this.learnMessage(scope, await this.deps.blobs.read(m.blobId), e.as, settings);
          } catch (err) {
            this.deps.warn(`bayes: a message moved ${e.as === 'spam' ? 'into' : 'out of'} Junk was not learned: ${String(err)}`);
          } finally {
            this.#pending--;
            left--;
          }
        }
      } catch (err) {
        this.#pending -= left;
        this.deps.warn(`bayes: messages moved ${e.as === 'spam' ? 'into' : 'out of'} Junk were not learned: ${String(err)}`);
      }
    });
  };

  /** Messages waiting to be learned. */
  get pending(): number {
    return this.#pending;
  }

  /** Resolves once everything queued so far is learned (tests, shutdown). */
  idle(): Promise<void> {
    return this.#chain;
  }
}
