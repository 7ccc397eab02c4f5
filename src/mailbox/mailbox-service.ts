/**
 * Folders and messages as users see them, for IMAP, POP3 and webmail alike (FEATURES P9, W4, W7):
 * folder names and the rules for system folders (INBOX, Drafts, Sent, Trash, Junk cannot be
 * deleted or renamed), APPEND under the quota, flags, copy, move, expunge, and the bytes of a
 * message (its per-copy header prefix + the blob). Every change is announced on the bus so
 * other sessions (IDLE) see it. Names are Unicode with '/' as the hierarchy separator; "INBOX" is
 * case-insensitive (RFC 3501 §5.1). Protocol encodings (modified UTF-7) are the protocol's business.
 * A copy or move into the \Junk folder, or out of it (not to Trash), is reported to the junk
 * listener after it commits: the user said "spam" or "not spam" (the Bayesian classifier learns).
 */
import type { Bus } from '../core/bus.ts';
import type { Clock } from '../core/clock.ts';
import { MailError } from '../core/errors.ts';
import type { BlobId, MailboxId, UserId } from '../core/ids.ts';
import { checkQuotaTx, type QuotaCheck } from '../delivery/quota.ts';
import { summarise } from '../mime/summary.ts';
import type { BlobStore } from '../store/blob-store.ts';
import type { BlobMeta, FlagOp, FulltextField, Mailbox, Message, MessageChange, MessageIndex, MessageMeta, MessageSummary, SpecialUse, Store, StoreTx, UidSet } from '../store/store.ts';

export const SEPARATOR = '/';
const MAX_NAME_BYTES = 1024;
const MAX_DEPTH = 32;

/** 'inbox' → 'INBOX'; other names as given, without a trailing separator. */
export function canonicalName(name: string): string {
  const trimmed = name.endsWith(SEPARATOR) ? name.slice(0, -1) : name;
  if (trimmed.toUpperCase() === 'INBOX') return 'INBOX';
  if (trimmed.toUpperCase().startsWith(`INBOX${SEPARATOR}`)) return `INBOX${trimmed.slice(5)}`;
  return trimmed;
}

/** Throws INVALID_INPUT naming what is wrong with a folder name. */
export function checkName(name: string): string {
  const n = canonicalName(name.normalize('NFC'));
  if (n === '') throw new MailError('INVALID_INPUT', 'folder name is empty');
  if (Buffer.byteLength(n) > MAX_NAME_BYTES) throw new MailError('INVALID_INPUT', `folder name is longer than ${MAX_NAME_BYTES} bytes`);
  const parts = n.split(SEPARATOR);
  if (parts.length > MAX_DEPTH) throw new MailError('INVALID_INPUT', `folders nest at most ${MAX_DEPTH} deep`);
  if (parts.some((p) => p === '')) throw new MailError('INVALID_INPUT', `folder name "${name}" has an empty level`);
  if (/[\x00-\x1f\x7f*%]/.test(n)) throw new MailError('INVALID_INPUT', `folder name "${name}" has a control character, * or %`);
  return n;
}

export const isSystemFolder = (m: Pick<Mailbox, 'name' | 'specialUse'>): boolean => m.name === 'INBOX' || m.specialUse !== null;

export interface AppendInput {
  raw: Buffer;
  flags?: string[];
  internalDate?: number;
  /**
   * Store work done in the append's own transaction (after the message row is written): e.g. an
   * import's progress marker, so both commit or neither does. Throwing rolls the append back.
   */
  also?: (tx: StoreTx, appended: { mailboxId: MailboxId; uid: number }) => Promise<void>;
}

/** A copy of a stored blob to file in a mailbox. */
export interface IngestCopy {
  blobId: BlobId;
  /** The copy's size: the blob plus its header prefix. */
  size: number;
  internalDate: number;
  flags?: string[];
  /** Per-copy header lines before the blob's bytes (Return-Path, Delivered-To). */
  headerPrefix?: string;
  summary: MessageSummary;
}

export type IngestResult =
  | { ok: true; mailbox: Mailbox; uid: number; quota: QuotaCheck | undefined }
  | { ok: false; quota: QuotaCheck };

/**
 * Messages a user copied or moved into Junk ('spam') or out of it to a folder other than Trash
 * ('ham'), told after the change committed. It must not throw or block: learn in the background.
 */
export type JunkListener = (e: { userId: UserId; as: 'spam' | 'ham'; messages: Array<Pick<Message, 'blobId' | 'headerPrefix'>> }) => void;

export class MailboxService {
  #junkListener: JunkListener | undefined;

  constructor(
    private readonly store: Store,
    private readonly blobs: BlobStore,
    private readonly clock: Clock,
    private readonly bus: Bus,
  ) {}

  /** Sets who hears of moves into and out of Junk (main.ts: the Bayesian classifier's learning). */
  onJunk(listener: JunkListener): void {
    this.#junkListener = listener;
  }

  list(userId: UserId): Promise<Mailbox[]> {
    return this.store.read((tx) => tx.mailboxes.list(userId));
  }

  get(userId: UserId, name: string): Promise<Mailbox | undefined> {
    return this.store.read((tx) => tx.mailboxes.byName(userId, canonicalName(name)));
  }

  async require(userId: UserId, name: string): Promise<Mailbox> {
    const m = await this.get(userId, name);
    if (!m) throw new MailError('NOT_FOUND', `no folder "${name}"`);
    return m;
  }

  /** Creates the folder (and missing parents, RFC 3501 §6.3.3). ALREADY_EXISTS when it exists. */
  async create(userId: UserId, name: string, specialUse?: SpecialUse): Promise<Mailbox> {
    const n = checkName(name);
    const created = await this.store.tx(async (tx) => {
      if (await tx.mailboxes.byName(userId, n)) throw new MailError('ALREADY_EXISTS', `folder "${n}" already exists`);
      if (specialUse && (await tx.mailboxes.list(userId)).some((m) => m.specialUse === specialUse)) {
        throw new MailError('ALREADY_EXISTS', `a ${specialUse} folder already exists`);
      }
      const parts = n.split(SEPARATOR);
      for (let i = 1; i < parts.length; i++) {
        const parent = parts.slice(0, i).join(SEPARATOR);
        if (!(await tx.mailboxes.byName(userId, parent))) await tx.mailboxes.create(userId, parent);
      }
      return tx.mailboxes.create(userId, n, { specialUse });
    });
    this.bus.emit('mailboxes.changed', { userId });
    return created;
  }

  /** Renames a folder and its children, creating missing parents. System folders cannot be renamed (FEATURES W7). */
  async rename(userId: UserId, from: string, to: string): Promise<void> {
    const src = canonicalName(from);
    const dst = checkName(to);
    await this.store.tx(async (tx) => {
      const box = await tx.mailboxes.byName(userId, src);
      if (!box) throw new MailError('NOT_FOUND', `no folder "${src}"`);
      if (isSystemFolder(box)) throw new MailError('FORBIDDEN', `"${src}" is a system folder and cannot be renamed`);
      if (await tx.mailboxes.byName(userId, dst)) throw new MailError('ALREADY_EXISTS', `folder "${dst}" already exists`);
      if (dst.startsWith(`${src}${SEPARATOR}`)) throw new MailError('INVALID_INPUT', 'a folder cannot move inside itself');
      const all = await tx.mailboxes.list(userId);
      for (const m of all.filter((x) => x.name === src || x.name.startsWith(`${src}${SEPARATOR}`))) {
        await tx.mailboxes.rename(m.id, dst + m.name.slice(src.length));
      }
      // The new name's missing parents are created, as CREATE does (RFC 3501 §6.3.5, RFC 9051 §6.3.6).
      const parts = dst.split(SEPARATOR);
      for (let i = 1; i < parts.length; i++) {
        const parent = parts.slice(0, i).join(SEPARATOR);
        if (!(await tx.mailboxes.byName(userId, parent))) await tx.mailboxes.create(userId, parent);
      }
    });
    this.bus.emit('mailboxes.changed', { userId });
  }

  /** Deletes a folder with its messages. Refused for system folders and folders with children. */
  async delete(userId: UserId, name: string): Promise<void> {
    const n = canonicalName(name);
    await this.store.tx(async (tx) => {
      const box = await tx.mailboxes.byName(userId, n);
      if (!box) throw new MailError('NOT_FOUND', `no folder "${n}"`);
      if (isSystemFolder(box)) throw new MailError('FORBIDDEN', `"${n}" is a system folder and cannot be deleted`);
      if ((await tx.mailboxes.list(userId)).some((m) => m.name.startsWith(`${n}${SEPARATOR}`))) {
        throw new MailError('FORBIDDEN', `"${n}" has subfolders: delete them first`);
      }
      await tx.mailboxes.delete(box.id);
    });
    this.bus.emit('mailboxes.changed', { userId });
  }

  /**
   * POP3's exclusive maildrop lock (RFC 1939 §3) as a lease in the store, so no two sessions on any
   * node of a cluster hold one maildrop; the holder renews it while its session lives, and a dead
   * node's lease runs out after ttlMs.
   */
  lockMaildrop(userId: UserId, holder: string, ttlMs: number): Promise<boolean> {
    return this.store.tx((tx) => tx.leases.acquire(`maildrop:${userId}`, holder, this.clock.now(), ttlMs));
  }

  renewMaildrop(userId: UserId, holder: string, ttlMs: number): Promise<boolean> {
    return this.store.tx((tx) => tx.leases.renew(`maildrop:${userId}`, holder, this.clock.now(), ttlMs));
  }

  unlockMaildrop(userId: UserId, holder: string): Promise<void> {
    return this.store.tx((tx) => tx.leases.release(`maildrop:${userId}`, holder));
  }

  /** Claims the mailbox's not-yet-recent uids below `upTo` for one session (RFC 3501 §2.3.2); the first claimed, or undefined. */
  claimRecent(mailboxId: MailboxId, upTo: number): Promise<number | undefined> {
    return this.store.tx((tx) => tx.mailboxes.claimRecent(mailboxId, upTo));
  }

  /**
   * SUBSCRIBE (of an existing mailbox: NOT_FOUND otherwise) and UNSUBSCRIBE (of any subscribed name,
   * also one whose mailbox was deleted: RFC 3501 §6.3.6–6.3.7).
   */
  async subscribe(userId: UserId, name: string, subscribed: boolean): Promise<void> {
    const n = canonicalName(name);
    if (subscribed) await this.require(userId, n);
    await this.store.tx((tx) => tx.mailboxes.setSubscription(userId, n, subscribed));
    this.bus.emit('mailboxes.changed', { userId });
  }

  /** The user's subscribed names, whether or not a mailbox has them now. */
  subscriptions(userId: UserId): Promise<string[]> {
    return this.store.read((tx) => tx.mailboxes.subscriptions(userId));
  }


  /** APPEND: stores the bytes and the message under the user's quota. Returns the new uid. */
  async append(userId: UserId, name: string, input: AppendInput): Promise<{ mailbox: Mailbox; uid: number }> {
    const r = await this.appendMany(userId, name, [input]);
    return { mailbox: r.mailbox, uid: r.uids[0]! };
  }

  /**
   * Several messages into one folder in one transaction (IMAP MULTIAPPEND, RFC 3502): all are
   * stored or none (NOT_FOUND, QUOTA_EXCEEDED when they do not fit together). UIDs in input order.
   * Blobs are written first; those of a failed append have no reference and the blob GC takes them.
   */
  async appendMany(userId: UserId, name: string, inputs: readonly AppendInput[]): Promise<{ mailbox: Mailbox; uids: number[] }> {
    const stored: Array<{ blob: { id: BlobId; size: number }; summary: MessageSummary }> = [];
    for (const input of inputs) stored.push({ blob: await this.blobs.put(input.raw), summary: summarise(input.raw) });
    const r = await this.store.tx(async (tx) => {
      const uids: number[] = [];
      let mailbox: Mailbox | undefined;
      for (const [i, input] of inputs.entries()) {
        const { blob, summary } = stored[i]!;
        const added = await this.ingestTx(tx, userId, name, {
          blobId: blob.id, size: blob.size, internalDate: input.internalDate ?? this.clock.now(), flags: input.flags, summary,
        });
        if (!added.ok) throw new MailError('QUOTA_EXCEEDED', 'mailbox is over its quota');
        await input.also?.(tx, { mailboxId: added.mailbox.id, uid: added.uid });
        uids.push(added.uid);
        mailbox = added.mailbox;
      }
      if (!mailbox) throw new MailError('INVALID_INPUT', 'nothing to append');
      return { mailbox: (await tx.mailboxes.get(mailbox.id))!, uids };
    });
    this.announce(r.mailbox);
    return r;
  }

  /**
   * The one way a message enters a mailbox (APPEND, import, local delivery), inside the caller's
   * transaction: the folder (NOT_FOUND, or with fallbackToInbox the INBOX, created if missing), the
   * quota (unless ignoreQuota: a quota warning must reach a full mailbox), then the row with its
   * uid and modseq. Returns the mailbox as it is after the append; announce() it once committed.
   */
  async ingestTx(tx: StoreTx, userId: UserId, folder: string, copy: IngestCopy,
    opts: { fallbackToInbox?: boolean; ignoreQuota?: boolean } = {}): Promise<IngestResult> {
    let box = await tx.mailboxes.byName(userId, canonicalName(folder));
    if (!box && opts.fallbackToInbox) {
      box = await tx.mailboxes.byName(userId, 'INBOX') ?? await tx.mailboxes.create(userId, 'INBOX', { specialUse: '\\Inbox' });
    }
    if (!box) throw new MailError('NOT_FOUND', `no folder "${folder}"`);
    const quota = await checkQuotaTx(tx, userId, copy.size);
    if (quota && !quota.allowed && !opts.ignoreQuota) return { ok: false, quota };
    const { uid } = await tx.messages.append(box.id, copy);
    return { ok: true, mailbox: (await tx.mailboxes.get(box.id))!, uid, quota };
  }

  /** Tells other sessions (IMAP IDLE, the webmail) of a mailbox's new state, after its change committed. */
  announce(box: Mailbox): void {
    this.bus.emit('mailbox.changed', { userId: box.userId, mailboxId: box.id, highestmodseq: box.highestmodseq, uidnext: box.uidnext });
  }

  /** The message's bytes as clients see them: its header prefix, then the blob. */
  async readMessage(m: Pick<Message, 'blobId' | 'headerPrefix'>): Promise<Buffer> {
    const body = await this.blobs.read(m.blobId);
    return m.headerPrefix ? Buffer.concat([Buffer.from(m.headerPrefix, 'utf8'), body]) : body;
  }

  /** The first `maxBytes` of the message's blob after its header prefix: enough for its header block. */
  async readHead(m: Pick<Message, 'blobId' | 'headerPrefix'>, maxBytes = 256 * 1024): Promise<Buffer> {
    const head = await this.blobs.read(m.blobId, { start: 0, end: maxBytes });
    return m.headerPrefix ? Buffer.concat([Buffer.from(m.headerPrefix, 'utf8'), head]) : head;
  }

  messages(mailboxId: MailboxId, opts?: { uids?: UidSet; limit?: number }): Promise<Message[]> {
    return this.store.read((tx) => tx.messages.list(mailboxId, opts));
  }

  async setFlags(mailboxId: MailboxId, uids: UidSet, op: FlagOp, flags: string[], unchangedSince?: number) {
    const r = await this.change(mailboxId, (tx) => tx.messages.setFlags(mailboxId, uids, op, flags, unchangedSince));
    return r;
  }

  /** Copies under the owner's quota (the copies count against it like new mail). */
  async copy(userId: UserId, from: MailboxId, uids: UidSet, to: MailboxId) {
    let junk: Parameters<JunkListener>[0] | undefined;
    const r = await this.change(to, async (tx) => {
      const messages = await tx.messages.list(from, { uids });
      const bytes = messages.reduce((n, m) => n + m.size, 0);
      const quota = await checkQuotaTx(tx, userId, bytes);
      if (quota && !quota.allowed) throw new MailError('QUOTA_EXCEEDED', 'mailbox is over its quota');
      junk = await this.junkMove(tx, from, to, async () => messages);
      return tx.messages.copy(from, uids, to);
    });
    if (junk) this.#junkListener?.(junk);
    return r;
  }

  async move(from: MailboxId, uids: UidSet, to: MailboxId) {
    let junk: Parameters<JunkListener>[0] | undefined;
    const r = await this.change(to, async (tx) => {
      junk = await this.junkMove(tx, from, to, () => tx.messages.list(from, { uids }));
      return tx.messages.move(from, uids, to);
    });
    await this.announceId(from);
    if (junk) this.#junkListener?.(junk);
    return r;
  }

  /** What a copy or move from → to tells the classifier, if anything (read before the change, in its transaction). */
  private async junkMove(tx: StoreTx, from: MailboxId, to: MailboxId, messages: () => Promise<Message[]>): Promise<Parameters<JunkListener>[0] | undefined> {
    if (!this.#junkListener || from === to) return undefined;
    const [src, dst] = [await tx.mailboxes.get(from), await tx.mailboxes.get(to)];
    if (!src || !dst) return undefined;
    const isJunk = (m: Mailbox) => m.specialUse === '\\Junk';
    // Out of Junk into Trash is throwing spam away, not saying it is good mail (Dovecot's antispam plugin agrees).
    const as = isJunk(dst) && !isJunk(src) ? 'spam' : isJunk(src) && !isJunk(dst) && dst.specialUse !== '\\Trash' ? 'ham' : undefined;
    if (!as) return undefined;
    const list = await messages();
    return list.length === 0 ? undefined : { userId: dst.userId, as, messages: list.map((m) => ({ blobId: m.blobId, headerPrefix: m.headerPrefix })) };
  }

  expunge(mailboxId: MailboxId, uids: UidSet): Promise<number[]> {
    return this.change(mailboxId, (tx) => tx.messages.expunge(mailboxId, uids));
  }

  changesSince(mailboxId: MailboxId, modseq: number): Promise<MessageChange[]> {
    return this.store.read((tx) => tx.messages.changesSince(mailboxId, modseq));
  }

  /**
   * A folder and what a protocol view of it needs, read together: its changes since `knownModseq`
   * (when the caller holds a view of this mailbox at that modseq) or else the whole index.
   */
  viewState(userId: UserId, name: string, knownModseq: (id: MailboxId) => number | undefined):
    Promise<{ mailbox: Mailbox; index?: MessageIndex; changes?: MessageChange[] }> {
    return this.store.read(async (tx) => {
      const mailbox = await tx.mailboxes.byName(userId, canonicalName(name));
      if (!mailbox) throw new MailError('NOT_FOUND', `no folder "${name}"`);
      const since = knownModseq(mailbox.id);
      if (since !== undefined && since <= mailbox.highestmodseq) return { mailbox, changes: await tx.messages.changesSince(mailbox.id, since) };
      return { mailbox, index: await tx.messages.index(mailbox.id) };
    });
  }

  /** Sizes, dates, blobs and cached ENVELOPE/BODYSTRUCTURE of the messages with uids in [from, to]. */
  metaRange(mailboxId: MailboxId, from: number, to: number): Promise<MessageMeta[]> {
    return this.store.read((tx) => tx.messages.metaRange(mailboxId, from, to));
  }

  /** Cached ENVELOPE/BODYSTRUCTURE of blobs (those not computed yet are missing from the map). */
  blobMeta(ids: readonly BlobId[]): Promise<Map<BlobId, BlobMeta>> {
    return this.store.read((tx) => tx.blobMeta.get(ids));
  }

  /** Keeps computed ENVELOPE/BODYSTRUCTURE for next time (one transaction for the lot). */
  async saveBlobMeta(entries: ReadonlyArray<readonly [BlobId, BlobMeta]>): Promise<void> {
    if (entries.length > 0) await this.store.tx(async (tx) => { for (const [id, meta] of entries) await tx.blobMeta.put(id, meta); });
  }

  /** uid, modseq and flags of every message (what a protocol view needs at SELECT). */
  index(mailboxId: MailboxId): Promise<MessageIndex> {
    return this.store.read((tx) => tx.messages.index(mailboxId));
  }

  /**
   * Full-text search through the index (phrases of segmented words, ANDed). `unindexed` lists the
   * messages the indexer has not reached yet: a caller that must be exact scans those itself.
   */
  searchText(mailboxId: MailboxId, terms: Array<{ field: FulltextField; words: string[] }>): Promise<{ uids: number[]; unindexed: number[] }> {
    return this.store.read(async (tx) => ({
      uids: await tx.fulltext.search(mailboxId, terms),
      unindexed: await tx.fulltext.unindexed(mailboxId),
    }));
  }

  /** The owner's quota and use (RFC 9208 STORAGE in bytes here, MESSAGE in messages); 0 = no limit. */
  quota(userId: UserId): Promise<{ bytes: number; quotaBytes: number; messages: number; quotaMessages: number }> {
    return this.store.read(async (tx) => {
      const user = await tx.users.get(userId);
      const used = await tx.users.usage(userId);
      return { bytes: used.bytes, quotaBytes: user?.quotaBytes ?? 0, messages: used.messages, quotaMessages: user?.quotaMessages ?? 0 };
    });
  }

  private async change<T>(mailboxId: MailboxId, fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    const { result, box } = await this.store.tx(async (tx) => ({ result: await fn(tx), box: await tx.mailboxes.get(mailboxId) }));
    if (box) this.announce(box);
    return result;
  }

  private async announceId(mailboxId: MailboxId): Promise<void> {
    const box = await this.store.read((tx) => tx.mailboxes.get(mailboxId));
    if (box) this.announce(box);
  }

}
