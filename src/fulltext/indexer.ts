/**
 * The full-text indexer (DESIGN §3, FEATURES P9 search): a background worker that takes blobs the
 * store says are not indexed yet, extracts their searchable text (mime/search-text.ts), splits it
 * into words with Intl.Segmenter (so Chinese words are found: 邮箱 in 邮箱地址) and stores it.
 * Indexing runs after delivery, off the SMTP path; search only sees indexed messages, and the
 * lag is the worker's pace. `wordsOf()` splits a query the same way.
 */
import { DrainLoop } from '../core/drain-loop.ts';
import type { BlobId } from '../core/ids.ts';
import { parseMimeTree } from '../mime/mime-tree.ts';
import { searchableText, segmentWords } from '../mime/search-text.ts';
import type { BlobStore } from '../store/blob-store.ts';
import type { BlobMeta, Store } from '../store/store.ts';
import { imapMeta } from '../mime/imap-meta.ts';

/** The words of a search query, as the index holds them. */
export const wordsOf = (text: string): string[] => segmentWords(text);

export class Indexer {
  private readonly loop: DrainLoop;
  /** The pass kick() asked for, waiting out gatherMs. */
  private gathering: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    private readonly blobs: BlobStore,
    private readonly opts: { batch?: number; pollMs?: number; gatherMs?: number; log?: (line: string) => void } = {},
  ) {
    this.loop = new DrainLoop(() => this.runOnce(), () => opts.pollMs ?? 2000, (err) => opts.log?.(`indexer: ${String(err)}`),
      () => opts.batch ?? 50);
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    clearTimeout(this.gathering);
    this.gathering = undefined;
    return this.loop.stop();
  }

  /**
   * Index what is pending (a delivery happened), after gatherMs: the deliveries of that span are
   * indexed in one batch, one transaction and one new FTS segment, where a pass per delivery under
   * load wrote a segment for every few messages (a third of the store's writes).
   */
  kick(): void {
    const wait = this.opts.gatherMs ?? 0;
    if (wait <= 0) return this.loop.kick();
    this.gathering ??= setTimeout(() => { this.gathering = undefined; this.loop.kick(); }, wait).unref();
  }

  /** Indexes one batch; returns how many blobs it indexed. */
  async runOnce(): Promise<number> {
    const ids = await this.store.read((tx) => tx.fulltext.pending(this.opts.batch ?? 50));
    const texts: Array<{ id: BlobId; text: { headers: string; body: string }; meta?: BlobMeta }> = [];
    for (const id of ids) {
      let text = { headers: '', body: '' };
      let meta: BlobMeta | undefined;
      try {
        const raw = await this.blobs.read(id);
        const tree = parseMimeTree(raw);
        const t = searchableText(raw, tree);
        text = { headers: segmentWords(t.headers).join(' '), body: segmentWords(t.body).join(' ') };
        meta = imapMeta(raw, tree); // the same parse gives IMAP its ENVELOPE/BODYSTRUCTURE
      } catch (err) {
        // A blob that cannot be read or parsed is indexed empty, so it does not block the queue.
        this.opts.log?.(`indexer: blob ${id}: ${String((err as Error).message ?? err)}`);
      }
      texts.push({ id, text, meta });
    }
    if (texts.length > 0) {
      await this.store.tx(async (tx) => {
        for (const t of texts) {
          await tx.fulltext.index(t.id, t.text);
          if (t.meta) await tx.blobMeta.put(t.id, t.meta);
        }
      });
    }
    return texts.length;
  }
}
