/**
 * The stored summaries (dates, size, subject, addresses, blob) of recently searched or sorted
 * mailboxes, shared by this node's IMAP sessions, so SEARCH and SORT read a mailbox's rows once and
 * then only the messages that came since (by uid). A message's summary never changes; its flags and
 * modseq do, so they are never read from here (the session's view has them). Rows of expunged
 * messages may linger: callers ask only for uids their view still holds. Bounded by rows (LRU).
 */
import type { BlobId, MailboxId } from '../core/ids.ts';
import { scanHeaderBlock } from '../mime/header-block.ts';
import type { MailboxService } from '../mailbox/mailbox-service.ts';
import type { Message } from '../store/store.ts';

/** Header fields SEARCH, SORT and THREAD ask for most, kept per blob (raw bytes as a latin1 string). */
export const CACHED_FIELDS: ReadonlySet<string> = new Set(['from', 'to', 'cc', 'bcc', 'subject', 'date', 'message-id', 'references', 'in-reply-to']);

export interface CachedField {
  /** Lower-case name. */
  key: string;
  /** The whole field, name to line break, as bytes (one char per octet). */
  raw: string;
}

interface Entry {
  rows: Map<number, Message>;
  maxUid: number;
  /** Bumped when rows are added: a cached order is good for the version it was made at. */
  version: number;
  /** Every row's uid in the order of a sort criteria list (its signature as the key). */
  orders: Map<string, { version: number; uids: Uint32Array }>;
  /** Results computed from a set of uids' summaries alone (e.g. THREAD), by kind. */
  results: Map<string, { version: number; uids: readonly number[]; value: unknown }>;
}

/** Sort orders kept per mailbox (criteria lists differ little in practice: DATE, ARRIVAL, REVERSE DATE…). */
const MAX_ORDERS = 8;

export class SummaryCache {
  private readonly entries = new Map<MailboxId, Entry>();
  private held = 0;
  private readonly heads = new Map<BlobId, CachedField[]>();
  private readonly memos = new Map<string, Map<BlobId, unknown>>();

  constructor(private readonly maxRows = 400_000, private readonly maxHeads = 400_000) {}

  /**
   * The CACHED_FIELDS of a message's header, read once per blob (a blob's bytes never change) from
   * the head of the message; the per-copy prefix (Return-Path, Delivered-To) holds none of them.
   */
  async fields(mailboxes: Pick<MailboxService, 'readHead'>, row: Pick<Message, 'blobId' | 'headerPrefix'>): Promise<CachedField[]> {
    const hit = this.heads.get(row.blobId);
    if (hit) return hit;
    const bytes = await mailboxes.readHead({ blobId: row.blobId, headerPrefix: '' }, 64 * 1024);
    const fields = scanHeaderBlock(bytes).fields.filter((f) => CACHED_FIELDS.has(f.key))
      .map((f) => ({ key: f.key, raw: bytes.toString('latin1', f.start, f.end) }));
    if (this.heads.size >= this.maxHeads) {
      for (const k of [...this.heads.keys()].slice(0, this.maxHeads / 4)) this.heads.delete(k);
    }
    this.heads.set(row.blobId, fields);
    return fields;
  }

  /** Whether a mailbox of `count` messages can be kept here (a larger one is read anew each time). */
  fits(count: number): boolean {
    return count <= this.maxRows;
  }

  /** The rows of `mailboxId` up to at least `upToUid` (the view's highest uid). */
  async rows(mailboxes: Pick<MailboxService, 'messages'>, mailboxId: MailboxId, upToUid: number): Promise<Map<number, Message>> {
    let e = this.entries.get(mailboxId);
    if (e) {
      this.entries.delete(mailboxId);
      this.entries.set(mailboxId, e); // most recently used last
    }
    if (!e) {
      const all = await mailboxes.messages(mailboxId);
      e = { rows: new Map(all.map((m) => [m.uid, m])), maxUid: all.reduce((m, r) => Math.max(m, r.uid), 0), version: 0, orders: new Map(), results: new Map() };
      this.put(mailboxId, e);
    } else if (upToUid > e.maxUid) {
      const added = await mailboxes.messages(mailboxId, { uids: [{ from: e.maxUid + 1, to: Number.MAX_SAFE_INTEGER }] });
      for (const m of added) {
        e.rows.set(m.uid, m);
        if (m.uid > e.maxUid) e.maxUid = m.uid;
      }
      this.held += added.length;
      if (added.length > 0) e.version++;
      e.maxUid = Math.max(e.maxUid, upToUid);
      this.evict(mailboxId);
    }
    return e.rows;
  }

  /**
   * Every cached row's uid of a mailbox sorted by `compare` (a sort criteria list that reads the
   * rows alone, named by `signature`), made once and again only when rows were added: a row's
   * summary never changes, and a view's sequence order is its uid order, so ties broken by uid
   * are ties broken by sequence number in every session. Call after rows() for the same mailbox;
   * undefined when the mailbox's rows are not cached (too many).
   */
  order(mailboxId: MailboxId, signature: string, compare: (a: Message, b: Message) => number): Uint32Array | undefined {
    const e = this.entries.get(mailboxId);
    if (!e) return undefined;
    const hit = e.orders.get(signature);
    if (hit && hit.version === e.version) return hit.uids;
    const sorted = [...e.rows.values()].sort((a, b) => compare(a, b) || a.uid - b.uid);
    const uids = Uint32Array.from(sorted, (m) => m.uid);
    e.orders.delete(signature);
    if (e.orders.size >= MAX_ORDERS) e.orders.delete(e.orders.keys().next().value!);
    e.orders.set(signature, { version: e.version, uids });
    return uids;
  }

  /**
   * A result that depends only on which uids it was computed for and their summaries (THREAD's
   * forest): the one stored under `kind` if it was computed for the same uids while no rows were
   * added since, else undefined. Call after rows() for the same mailbox.
   */
  result<T>(mailboxId: MailboxId, kind: string, uids: readonly number[]): T | undefined {
    const e = this.entries.get(mailboxId);
    const r = e?.results.get(kind);
    if (!e || !r || r.version !== e.version || r.uids.length !== uids.length) return undefined;
    for (let i = 0; i < uids.length; i++) if (r.uids[i] !== uids[i]) return undefined;
    return r.value as T;
  }

  /**
   * The value last stored under `kind` whatever rows were added since: for a result its caller can
   * bring up to date itself (THREAD's kept links). Call after rows() for the same mailbox.
   */
  lastResult<T>(mailboxId: MailboxId, kind: string): T | undefined {
    return this.entries.get(mailboxId)?.results.get(kind)?.value as T | undefined;
  }

  /** Stores a result() for `uids` (kept as given: do not modify them), computed at `version`. */
  keepResult(mailboxId: MailboxId, kind: string, uids: readonly number[], version: number, value: unknown): void {
    const e = this.entries.get(mailboxId);
    if (!e || e.version !== version) return;
    e.results.delete(kind);
    if (e.results.size >= MAX_ORDERS) e.results.delete(e.results.keys().next().value!);
    e.results.set(kind, { version, uids, value });
  }

  /** The version of a mailbox's cached rows (bumped when rows are added); -1 when not cached. */
  version(mailboxId: MailboxId): number {
    return this.entries.get(mailboxId)?.version ?? -1;
  }

  /** The cached header fields of a blob, if read already (no I/O: the hot loops' fast path). */
  peekFields(blobId: BlobId): CachedField[] | undefined {
    return this.heads.get(blobId);
  }

  /** A memo value (below) if computed already: the hot loops' fast path, with no promise per message. */
  peek<T>(kind: string, blobId: BlobId): T | undefined {
    return this.memos.get(kind)?.get(blobId) as T | undefined;
  }

  /**
   * A value computed once per blob and kind (e.g. a message's threading fields): a blob's bytes
   * never change, so neither does anything computed from them alone.
   */
  async memo<T>(kind: string, blobId: BlobId, compute: () => Promise<T>): Promise<T> {
    let m = this.memos.get(kind);
    if (!m) this.memos.set(kind, (m = new Map()));
    if (m.has(blobId)) return m.get(blobId) as T;
    const v = await compute();
    this.keep(kind, blobId, v);
    return v;
  }

  /** Stores a memo value computed elsewhere (e.g. read from the store with the row). */
  keep<T>(kind: string, blobId: BlobId, value: T): void {
    let m = this.memos.get(kind);
    if (!m) this.memos.set(kind, (m = new Map()));
    if (!m.has(blobId) && m.size >= this.maxHeads) for (const k of [...m.keys()].slice(0, this.maxHeads / 4)) m.delete(k);
    m.set(blobId, value);
  }

  private put(id: MailboxId, e: Entry): void {
    if (e.rows.size > this.maxRows) return;
    this.entries.set(id, e);
    this.held += e.rows.size;
    this.evict(id);
  }

  private evict(keep: MailboxId): void {
    for (const [id, e] of this.entries) {
      if (this.held <= this.maxRows) break;
      if (id === keep) continue;
      this.entries.delete(id);
      this.held -= e.rows.size;
    }
  }
}
