/**
 * Shared helpers for the store contract suites (store.contract.ts, messages.contract.ts,
 * queue.contract.ts): one fresh store per describe group, MailError assertions, unique names,
 * and small directory / blob / message fixtures. Test-only code: nothing here knows a backend.
 */
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { BlobStore } from '../blob-store.ts';
import type { Domain, Mailbox, NewDomain, NewMessage, Store, StoreTx, User } from '../store.ts';
import type { BlobId, DomainId, UserId } from '../../core/ids.ts';
import { MailError, type ErrorCode } from '../../core/errors.ts';

export interface StoreHandle {
  store: Store;
  blobs: BlobStore;
  close: () => Promise<void>;
}
/** Gives an empty, migrated store on every call. */
export type OpenStore = () => Promise<StoreHandle>;

export interface StoreContext {
  readonly store: Store;
  readonly blobs: BlobStore;
  tx<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  read<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
}

/** Call inside a describe(): opens a fresh store before its tests and closes it after. */
export function useStore(open: OpenStore): StoreContext {
  let handle: StoreHandle | undefined;
  before(async () => {
    handle = await open();
  });
  after(async () => {
    await handle?.close();
    handle = undefined;
  });
  const current = (): StoreHandle => {
    if (!handle) throw new Error('contract: store is not open (used outside a test?)');
    return handle;
  };
  return {
    get store() { return current().store; },
    get blobs() { return current().blobs; },
    tx: (fn) => current().store.tx(fn),
    read: (fn) => current().store.read(fn),
  };
}

/** Asserts that p rejects with a MailError carrying `code`. */
export async function rejectsWith(p: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof MailError, `expected MailError ${code}, got ${String(err)}`);
    assert.equal(err.code, code);
    return true;
  });
}

/** The value, failing the test when it is missing. */
export function must<T>(value: T | undefined | null, what: string): T {
  assert.ok(value !== undefined && value !== null, `${what} is missing`);
  return value;
}

let counter = 0;
/** A name no other test in this process uses: lower-case ASCII, safe as a local part or domain label. */
export function uniq(prefix: string): string {
  counter += 1;
  return `${prefix}${counter}`;
}

/** Code-unit order, as Array.prototype.sort gives: the order `Message.flags` is promised in. */
export const sorted = (xs: readonly string[]): string[] => [...xs].sort();

/** A blob with content no other test has, so its reference count is this test's alone. */
export async function putBlob(ctx: StoreContext, body?: string): Promise<{ id: BlobId; size: number }> {
  const text = body ?? `From: a@example.com\r\nSubject: ${randomUUID()}\r\n\r\nbody\r\n`;
  return ctx.blobs.put(Buffer.from(text));
}

export function newMessage(blob: { id: BlobId; size: number }, extra: Partial<Omit<NewMessage, 'blobId' | 'size'>> = {}): NewMessage {
  return { blobId: blob.id, size: blob.size, internalDate: Date.now(), ...extra };
}

/** Current reference count of a blob; 0 when it has no row. */
export async function refcount(ctx: StoreContext, id: BlobId): Promise<number> {
  const ref = await ctx.read((tx) => tx.blobRefs.get(id));
  return ref?.refcount ?? 0;
}

export async function makeDomain(ctx: StoreContext, over: Partial<NewDomain> = {}): Promise<Domain> {
  return ctx.tx((tx) => tx.domains.create({ name: `${uniq('d')}.example`, ...over }));
}

export async function makeUser(ctx: StoreContext, domainId: DomainId, over: Partial<Omit<User, 'id' | 'domainId' | 'createdAt'>> = {}): Promise<User> {
  return ctx.tx((tx) => tx.users.create({ domainId, localPart: uniq('u'), passwordHash: 'x', ...over }));
}

export async function makeMailbox(ctx: StoreContext, userId: UserId, name = uniq('box')): Promise<Mailbox> {
  return ctx.tx((tx) => tx.mailboxes.create(userId, name));
}

/** A domain with one user: the owner of mailboxes in message tests. */
export async function makeOwner(ctx: StoreContext): Promise<{ domain: Domain; user: User }> {
  const domain = await makeDomain(ctx);
  const user = await makeUser(ctx, domain.id);
  return { domain, user };
}

/** Appends one message with fresh blob content and returns what append returned. */
export async function appendNew(ctx: StoreContext, mailbox: Mailbox, extra: Partial<Omit<NewMessage, 'blobId' | 'size'>> = {}):
  Promise<{ uid: number; modseq: number; blob: { id: BlobId; size: number } }> {
  const blob = await putBlob(ctx);
  const r = await ctx.tx((tx) => tx.messages.append(mailbox.id, newMessage(blob, extra)));
  return { uid: r.uid, modseq: r.modseq, blob };
}

export async function getMailbox(ctx: StoreContext, mailbox: Mailbox): Promise<Mailbox> {
  return must(await ctx.read((tx) => tx.mailboxes.get(mailbox.id)), `mailbox ${mailbox.name}`);
}

export const ALL = [{ from: 1, to: Number.MAX_SAFE_INTEGER }] as const;
