/**
 * One user's mail as an actor reaches it: the webmail's (and the consoles') way to folders and
 * messages. Every method checks on entry that the actor may reach the owner's mail
 * (auth/permissions.ts) and that the folder named by id is the owner's: a folder id of another
 * user is NOT_FOUND, exactly like one that does not exist, so ids reveal nothing. The changes
 * themselves go through MailboxService (one path for flags, move, expunge and their bus events).
 * IMAP and POP3 sessions, bound to their logged-in user at LOGIN, use MailboxService directly.
 */
import { MailError } from '../core/errors.ts';
import type { MailboxId, OrgUnitId, UserId } from '../core/ids.ts';
import type { Actor } from '../directory/actor.ts';
import { mayReachMail, needsOrgUnits, type MailAccess, type MailOwner } from '../auth/permissions.ts';
import { readAttachments, readAttachment, readForDisplay, type DisplayMessage } from '../mime/display.ts';
import { MESSAGE_SORTS, type Mailbox, type Message, type MessageSort, type SpecialUse, type Store, type StoreTx, type UidSet } from '../store/store.ts';
import type { MailboxService } from './mailbox-service.ts';
import { searchFolders, type SearchPage, type SearchQuery } from './mail-search.ts';
import { conversationViews, type ConversationView } from './conversations.ts';

/** A folder as the owner sees it in a list: no uidvalidity or modseq bookkeeping. */
export interface FolderView {
  id: MailboxId;
  name: string;
  specialUse: SpecialUse | null;
  messages: number;
  unseen: number;
  bytes: number;
}

/** A message's list-view line: the stored summary, no blob id or per-copy headers. */
export interface MessageView {
  folderId: MailboxId;
  uid: number;
  flags: string[];
  from: string;
  to: string;
  subject: string;
  sentAt: number | null;
  internalDate: number;
  size: number;
  hasAttachment: boolean;
  priority: 'high' | 'normal' | 'low';
}

/** A page of a folder's list (FEATURES W4) with the folder's counts, read together. */
export interface MessagePage {
  folder: FolderView;
  /** Messages in the folder and how many of them are unread. */
  total: number;
  unread: number;
  page: number;
  pageSize: number;
  messages: MessageView[];
}

export interface ListQuery {
  sort?: MessageSort;
  descending?: boolean;
  /** From 1. */
  page?: number;
  /** Default 30, at most 50 (manual part 2 §1.4.1). */
  pageSize?: number;
}

export const DEFAULT_PAGE_SIZE = 30;
export const MAX_PAGE_SIZE = 50;

export interface OpenedMessage extends MessageView {
  content: DisplayMessage;
}

export { MESSAGE_SORTS, type MessageSort } from '../store/store.ts';

/** At most this many messages per flag, move or delete request. */
export const MAX_UIDS = 1000;

/** A page of a folder's conversations (conversations.ts) with the folder's counts; total counts conversations. */
export interface ConversationPage extends Omit<MessagePage, 'messages'> {
  conversations: Array<ConversationView<MessageView>>;
}

/** The sort, page and page size of a list query, checked: INVALID_INPUT names the field. */
function checkListQuery(q: ListQuery): { sort: MessageSort; page: number; pageSize: number } {
  const sort = q.sort ?? 'date';
  const pageSize = q.pageSize ?? DEFAULT_PAGE_SIZE;
  const page = q.page ?? 1;
  if (!MESSAGE_SORTS.includes(sort)) throw new MailError('INVALID_INPUT', `sort is one of ${MESSAGE_SORTS.join(', ')}`, { details: { field: 'sort' } });
  if (!Number.isSafeInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new MailError('INVALID_INPUT', `pageSize is 1 to ${MAX_PAGE_SIZE}`, { details: { field: 'pageSize' } });
  }
  if (!Number.isSafeInteger(page) || page < 1) throw new MailError('INVALID_INPUT', 'page counts from 1', { details: { field: 'page' } });
  return { sort, page, pageSize };
}

export const folderView = (m: Mailbox): FolderView => ({
  id: m.id, name: m.name, specialUse: m.specialUse, messages: m.messages, unseen: m.unseen, bytes: m.bytes,
});

export const messageView = (m: Message): MessageView => ({
  folderId: m.mailboxId, uid: m.uid, flags: m.flags, from: m.from, to: m.to, subject: m.subject, sentAt: m.sentAt,
  internalDate: m.internalDate, size: m.size, hasAttachment: m.hasAttachment, priority: m.priority,
});

/** Sorted, de-duplicated uids as ranges (the store's UidSet). */
export function toUidSet(uids: readonly number[]): UidSet {
  const sorted = [...new Set(uids)].sort((a, b) => a - b);
  const out: Array<{ from: number; to: number }> = [];
  for (const u of sorted) {
    const last = out[out.length - 1];
    if (last && last.to === u - 1) last.to = u;
    else out.push({ from: u, to: u });
  }
  return out;
}

export class UserMail {
  constructor(private readonly store: Store, private readonly mailboxes: MailboxService) {}

  /** The owner's folders with their counts, in name order (INBOX first). */
  async folders(actor: Actor, ownerId: UserId): Promise<FolderView[]> {
    return this.store.read(async (tx) => {
      await this.check(tx, actor, ownerId, 'manage');
      const all = await tx.mailboxes.list(ownerId);
      return all.map(folderView).sort((a, b) => (a.name === 'INBOX' ? -1 : b.name === 'INBOX' ? 1 : a.name.localeCompare(b.name)));
    });
  }

  /**
   * One page of the folder's messages, sorted (default: newest first), from the stored summaries:
   * no blob is opened. INVALID_INPUT naming the field for a page or page size out of range.
   */
  async list(actor: Actor, ownerId: UserId, folderId: MailboxId, q: ListQuery = {}): Promise<MessagePage> {
    const { sort, page, pageSize } = checkListQuery(q);
    return this.store.read(async (tx) => {
      await this.check(tx, actor, ownerId, 'read');
      const box = await requireOwnFolder(tx, ownerId, folderId);
      const rows = await tx.messages.page(box.id, { sort, descending: q.descending ?? sort === 'date', offset: (page - 1) * pageSize, limit: pageSize });
      return { folder: folderView(box), total: box.messages, unread: box.unseen, page, pageSize, messages: rows.map(messageView) };
    });
  }

  /**
   * One page of the folder's conversations (conversations.ts), sorted and paged like list(): total
   * counts conversations. From the stored summaries only. INVALID_INPUT naming the field as list().
   */
  async conversations(actor: Actor, ownerId: UserId, folderId: MailboxId, q: ListQuery = {}): Promise<ConversationPage> {
    const { sort, page, pageSize } = checkListQuery(q);
    return this.store.read(async (tx) => {
      await this.check(tx, actor, ownerId, 'read');
      const box = await requireOwnFolder(tx, ownerId, folderId);
      const summaries = await tx.messages.threads(box.id, { sort, descending: q.descending ?? sort === 'date', offset: (page - 1) * pageSize, limit: pageSize });
      const messages = await tx.messages.inThreads(box.id, summaries.map((x) => x.key));
      return {
        folder: folderView(box), total: await tx.messages.threadCount(box.id), unread: box.unseen, page, pageSize,
        conversations: conversationViews(summaries, messages, messageView),
      };
    });
  }

  /** The messages of one conversation of the folder, oldest first. NOT_FOUND when the folder has none of it. */
  async conversation(actor: Actor, ownerId: UserId, folderId: MailboxId, key: string): Promise<MessageView[]> {
    return this.store.read(async (tx) => {
      await this.check(tx, actor, ownerId, 'read');
      const box = await requireOwnFolder(tx, ownerId, folderId);
      const messages = await tx.messages.inThreads(box.id, [key]);
      if (messages.length === 0) throw new MailError('NOT_FOUND', `no conversation ${key} in folder #${folderId}`);
      return messages.map(messageView);
    });
  }

  /**
   * Searches the owner's mail (mail-search.ts): one folder or all but Trash and Junk, newest first,
   * paged, with a capped total. INVALID_INPUT naming the field for a bad query; NOT_FOUND for a
   * folder that is not the owner's.
   */
  async search(actor: Actor, ownerId: UserId, q: SearchQuery): Promise<SearchPage<MessageView>> {
    return this.store.read(async (tx) => {
      await this.check(tx, actor, ownerId, 'read');
      const r = await searchFolders(tx, await tx.mailboxes.list(ownerId), q);
      return { ...r, messages: r.messages.map(messageView) };
    });
  }

  /** One message with its parsed contents (headers, text, HTML, attachments). Reading does not mark it \Seen. */
  async open(actor: Actor, ownerId: UserId, folderId: MailboxId, uid: number): Promise<OpenedMessage> {
    const m = await this.message(actor, ownerId, folderId, uid);
    return { ...messageView(m), content: await readForDisplay(await this.mailboxes.readMessage(m)) };
  }

  /** The bytes of one attachment (its safe name and type), NOT_FOUND when there is none at `index`. */
  async attachment(actor: Actor, ownerId: UserId, folderId: MailboxId, uid: number, index: number) {
    const m = await this.message(actor, ownerId, folderId, uid);
    const a = await readAttachment(await this.mailboxes.readMessage(m), index);
    if (!a) throw new MailError('NOT_FOUND', `message ${uid} has no attachment ${index}`);
    return a;
  }

  /** Every attachment of the message, with its safe name (for "download all"). */
  async attachments(actor: Actor, ownerId: UserId, folderId: MailboxId, uid: number) {
    const m = await this.message(actor, ownerId, folderId, uid);
    return readAttachments(await this.mailboxes.readMessage(m));
  }

  /** Sets or clears \Seen and \Flagged on the messages; returns how many changed. */
  async setFlags(actor: Actor, ownerId: UserId, folderId: MailboxId, uids: readonly number[],
    change: { seen?: boolean; flagged?: boolean }): Promise<number> {
    const set = checkUids(uids);
    await this.folder(actor, ownerId, folderId, 'read');
    let changed = 0;
    for (const [flag, on] of [['\\Seen', change.seen], ['\\Flagged', change.flagged]] as const) {
      if (on === undefined) continue;
      const r = await this.mailboxes.setFlags(folderId, set, on ? 'add' : 'remove', [flag]);
      changed = Math.max(changed, r.changed.length);
    }
    return changed;
  }

  /** Moves the messages to another of the owner's folders (one transaction); returns old → new uids. */
  async move(actor: Actor, ownerId: UserId, folderId: MailboxId, uids: readonly number[], toFolderId: MailboxId) {
    const set = checkUids(uids);
    await this.folder(actor, ownerId, folderId, 'read');
    await this.folder(actor, ownerId, toFolderId, 'read');
    if (folderId === toFolderId) throw new MailError('INVALID_INPUT', 'the messages are in that folder already', { details: { field: 'toFolderId' } });
    return this.mailboxes.move(folderId, set, toFolderId);
  }

  /**
   * Deletes to Trash (FEATURES W4): moved there from any other folder; in Trash itself they are
   * removed for good. Without a Trash folder they are removed for good too.
   */
  async delete(actor: Actor, ownerId: UserId, folderId: MailboxId, uids: readonly number[]):
    Promise<{ movedToTrash: number; removed: number }> {
    const set = checkUids(uids);
    await this.folder(actor, ownerId, folderId, 'read');
    const trash = (await this.store.read((tx) => tx.mailboxes.list(ownerId))).find((m) => m.specialUse === '\\Trash');
    if (trash && trash.id !== folderId) {
      return { movedToTrash: (await this.mailboxes.move(folderId, set, trash.id)).length, removed: 0 };
    }
    return { movedToTrash: 0, removed: (await this.mailboxes.expunge(folderId, set)).length };
  }

  /**
   * Creates a custom folder (FEATURES W7), at the top or inside another of the owner's folders.
   * The name is one level: no '/', no control characters, at most 100 characters; INBOX is taken.
   */
  async createFolder(actor: Actor, ownerId: UserId, name: string, parentId?: MailboxId): Promise<FolderView> {
    const leaf = folderLeaf(name);
    await this.store.read((tx) => this.check(tx, actor, ownerId, 'read'));
    const parent = parentId === undefined ? undefined : await this.folder(actor, ownerId, parentId, 'read');
    const full = parent ? `${parent.name}/${leaf}` : leaf;
    if (full.toUpperCase() === 'INBOX') throw new MailError('ALREADY_EXISTS', 'INBOX exists', { details: { field: 'name' } });
    return folderView(await this.mailboxes.create(ownerId, full));
  }

  /** Renames a custom folder in place (its parent stays); system folders are FORBIDDEN. */
  async renameFolder(actor: Actor, ownerId: UserId, folderId: MailboxId, name: string): Promise<void> {
    const leaf = folderLeaf(name);
    const box = await this.folder(actor, ownerId, folderId, 'read');
    const i = box.name.lastIndexOf('/');
    await this.mailboxes.rename(ownerId, box.name, i > 0 ? `${box.name.slice(0, i)}/${leaf}` : leaf);
  }

  /** Deletes a custom folder with its messages; system folders and folders with subfolders are FORBIDDEN. */
  async deleteFolder(actor: Actor, ownerId: UserId, folderId: MailboxId): Promise<void> {
    const box = await this.folder(actor, ownerId, folderId, 'read');
    await this.mailboxes.delete(ownerId, box.name);
  }

  /** Empties Trash or Junk for good (FEATURES W7); other folders are FORBIDDEN. Returns how many went. */
  async emptyFolder(actor: Actor, ownerId: UserId, folderId: MailboxId): Promise<number> {
    const box = await this.folder(actor, ownerId, folderId, 'read');
    if (box.specialUse !== '\\Trash' && box.specialUse !== '\\Junk') throw new MailError('FORBIDDEN', 'only Trash and Junk can be emptied');
    if (box.messages === 0) return 0;
    return (await this.mailboxes.expunge(folderId, [{ from: 1, to: Number.MAX_SAFE_INTEGER }])).length;
  }

  /** The owner's folder with this special use (\\Sent, \\Drafts…), undefined when they have none. */
  async specialFolder(actor: Actor, ownerId: UserId, use: SpecialUse): Promise<Mailbox | undefined> {
    return this.store.read(async (tx) => {
      await this.check(tx, actor, ownerId, 'read');
      return (await tx.mailboxes.list(ownerId)).find((m) => m.specialUse === use);
    });
  }

  /** Files a message the owner wrote (a draft, the Sent copy) in their folder with this special use. */
  async file(actor: Actor, ownerId: UserId, use: SpecialUse, raw: Buffer, flags: string[]): Promise<{ folderId: MailboxId; uid: number }> {
    const box = await this.specialFolder(actor, ownerId, use);
    if (!box) throw new MailError('NOT_FOUND', `user ${ownerId} has no ${use} folder`);
    const { mailbox, uid } = await this.mailboxes.append(ownerId, box.name, { raw, flags });
    return { folderId: mailbox.id, uid };
  }

  /** The message as stored (a draft opened again, a message forwarded as an attachment). */
  async raw(actor: Actor, ownerId: UserId, folderId: MailboxId, uid: number): Promise<Buffer> {
    return this.mailboxes.readMessage(await this.message(actor, ownerId, folderId, uid));
  }

  /** Removes the messages for good, wherever they are (a draft replaced by its newer copy or sent). */
  async remove(actor: Actor, ownerId: UserId, folderId: MailboxId, uids: readonly number[]): Promise<number> {
    const set = checkUids(uids);
    await this.folder(actor, ownerId, folderId, 'read');
    return (await this.mailboxes.expunge(folderId, set)).length;
  }

  /** Adds a flag or keyword a reply or forward leaves on the original (\\Answered, $Forwarded). */
  async mark(actor: Actor, ownerId: UserId, folderId: MailboxId, uid: number, flag: '\\Answered' | '$Forwarded'): Promise<void> {
    await this.folder(actor, ownerId, folderId, 'read');
    await this.mailboxes.setFlags(folderId, toUidSet([uid]), 'add', [flag]);
  }

  /** The owner's folder `folderId` after the actor check; NOT_FOUND when it is not the owner's. */
  async folder(actor: Actor, ownerId: UserId, folderId: MailboxId, access: MailAccess): Promise<Mailbox> {
    return this.store.read(async (tx) => {
      await this.check(tx, actor, ownerId, access);
      return requireOwnFolder(tx, ownerId, folderId);
    });
  }

  private async message(actor: Actor, ownerId: UserId, folderId: MailboxId, uid: number): Promise<Message> {
    return this.store.read(async (tx) => {
      await this.check(tx, actor, ownerId, 'read');
      await requireOwnFolder(tx, ownerId, folderId);
      const m = await tx.messages.get(folderId, uid);
      if (!m) throw new MailError('NOT_FOUND', `no message ${uid} in folder ${folderId}`);
      return m;
    });
  }

  /** The permission check: FORBIDDEN before anything is read when a user reaches for someone else's mail. */
  private async check(tx: StoreTx, actor: Actor, ownerId: UserId, access: MailAccess): Promise<void> {
    const role = actor.role;
    if (role.kind === 'user' && role.userId !== ownerId) throw new MailError('FORBIDDEN', `${actor.who} may not reach the mail of user ${ownerId}`);
    if (role.kind === 'system' || role.kind === 'user') return;
    const user = await tx.users.get(ownerId);
    if (!user) throw new MailError('NOT_FOUND', `no user ${ownerId}`);
    const owner: MailOwner = { userId: user.id, domainId: user.domainId, orgUnits: needsOrgUnits(actor) ? await orgChain(tx, user.orgUnitId) : [] };
    if (!mayReachMail(actor, owner, access)) throw new MailError('FORBIDDEN', `${actor.who} may not ${access} the mail of user ${ownerId}`);
  }
}

async function requireOwnFolder(tx: StoreTx, ownerId: UserId, folderId: MailboxId): Promise<Mailbox> {
  const box = await tx.mailboxes.get(folderId);
  if (!box || box.userId !== ownerId) throw new MailError('NOT_FOUND', `no folder ${folderId}`);
  return box;
}

/** The unit and every unit above it, nearest first (a cycle or a missing parent ends the walk). */
async function orgChain(tx: StoreTx, start: OrgUnitId | null): Promise<OrgUnitId[]> {
  const out: OrgUnitId[] = [];
  for (let id = start; id !== null && !out.includes(id) && out.length < 64;) {
    const unit = await tx.orgUnits.get(id);
    if (!unit) break;
    out.push(unit.id);
    id = unit.parentId;
  }
  return out;
}

/** One level of a folder name, as a user types it. */
function folderLeaf(name: string): string {
  const leaf = name.normalize('NFC').trim();
  const bad = leaf === '' ? 'is empty' : leaf.length > 100 ? 'is longer than 100 characters'
    : /[\/\x00-\x1f\x7f]/.test(leaf) ? "has a '/' or a control character" : undefined;
  if (bad) throw new MailError('INVALID_INPUT', `name ${bad}`, { details: { field: 'name' } });
  return leaf;
}

function checkUids(uids: readonly number[]): UidSet {
  if (uids.length === 0) throw new MailError('INVALID_INPUT', 'no messages given', { details: { field: 'uids' } });
  if (uids.length > MAX_UIDS) throw new MailError('INVALID_INPUT', `at most ${MAX_UIDS} messages at a time`, { details: { field: 'uids' } });
  if (uids.some((u) => !Number.isSafeInteger(u) || u < 1)) throw new MailError('INVALID_INPUT', 'uids are positive integers', { details: { field: 'uids' } });
  return toUidSet(uids);
}
