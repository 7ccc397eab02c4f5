/**
 * What every metadata backend provides: types and repository interfaces only, no SQL.
 * Rows are plain objects; times are ms since the epoch; sizes are bytes; 0 means "no limit".
 * Repositories do no business checks (limits, passwords, alias loops): `directory/` does.
 * They do enforce identity (unique names → ALREADY_EXISTS) and report missing rows as undefined.
 */
import type {
  AdminId, BlobId, DomainId, ListId, MailboxId, MessageId, OrgUnitId, PopAccountId, QuarantineId, QueueId, ReplyTemplateId, UserId,
} from '../core/ids.ts';
import type { ImportAccountId, ImportFolderId, ImportJobId } from '../core/ids.ts';
import type { ContactGroupId, ContactId, CustomerCategoryId, CustomerId } from '../core/ids.ts';
import type { BusRelay } from '../core/bus.ts';

export type StoreKind = 'sqlite' | 'postgres';

export interface Store {
  readonly kind: StoreKind;
  /**
   * Runs fn in one transaction. When the promise resolves the commit is durable (fsync on SQLite,
   * synchronous_commit on PostgreSQL); when it rejects nothing fn wrote is kept. Many concurrent
   * tx() calls share one commit (group commit), so fn must only do store work: awaiting network or
   * timers inside fn stalls every transaction batched with it.
   */
  tx<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  /** Runs fn against the last committed state. Writes inside fn throw. */
  read<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  /** Counters for tests and benchmarks: how many commits served how many transactions. */
  stats(): { commits: number; transactions: number };
  /** A shared store (PostgreSQL) carries bus events between the nodes using it; the embedded one has no other nodes. */
  relay?(onError?: (err: unknown) => void): BusRelay;
  /**
   * Writes a consistent copy of the whole metadata store to `path` (a file) while writers go on
   * (youju backup), always as an embedded (SQLite) store; with mail: false, the copy keeps folders but no messages.
   */
  snapshot?(path: string, opts: { mail: boolean }): Promise<void>;
  /** Loads such a copy into this store, which must be empty (youju restore into PostgreSQL). */
  load?(metaPath: string): Promise<{ rows: number }>;
  close(): Promise<void>;
}

export interface StoreTx {
  readonly domains: DomainRepo;
  readonly domainAliases: DomainAliasRepo;
  readonly users: UserRepo;
  readonly aliases: AliasRepo;
  readonly lists: ListRepo;
  readonly orgUnits: OrgUnitRepo;
  readonly admins: AdminRepo;
  readonly mailboxes: MailboxRepo;
  readonly messages: MessageRepo;
  readonly queue: QueueRepo;
  readonly settings: SettingsRepo;
  readonly audit: AuditRepo;
  readonly blobRefs: BlobRefRepo;
  readonly autoreplies: AutoreplyRepo;
  readonly authWindows: AuthWindowRepo;
  readonly leases: LeaseRepo;
  readonly fulltext: FulltextRepo;
  readonly blobMeta: BlobMetaRepo;
  readonly popAccounts: PopAccountRepo;
  readonly imports: ImportRepo;
  readonly counters: CounterRepo;
  readonly deliveredIds: DeliveredIdRepo;
  readonly quarantine: QuarantineRepo;
  readonly greylist: GreylistRepo;
  readonly webSessions: WebSessionRepo;
  readonly bayes: BayesRepo;
  readonly contacts: ContactRepo;
  readonly adminSessions: AdminSessionRepo;
  readonly customers: CustomerRepo;
  readonly directoryShares: DirectoryShareRepo;
  readonly replyTemplates: ReplyTemplateRepo;
  readonly traffic: TrafficRepo;
  readonly ipBans: IpBanRepo;
}

// ── Domains ────────────────────────────────────────────────────────────────────────────────

export type DomainStatus = 'valid' | 'invalid' | 'expired';

export interface Domain {
  id: DomainId;
  /** ASCII (punycode) lower-case name: the key. */
  name: string;
  status: DomainStatus;
  maxUsers: number;
  /** Total mailbox space of the domain. */
  maxSizeBytes: number;
  maxLists: number;
  defaultQuotaBytes: number;
  defaultDiskQuotaBytes: number;
  openedAt: number;
  /** null: never expires. */
  expiresAt: number | null;
  allowRegistration: boolean;
  requireApproval: boolean;
  showAdminLogin: boolean;
  strongPasswords: boolean;
  feedbackAddress: string;
  companyName: string;
  createdAt: number;
}
export type NewDomain = Pick<Domain, 'name'> & Partial<Omit<Domain, 'id' | 'name' | 'createdAt'>>;
export type DomainPatch = Partial<Omit<Domain, 'id' | 'name' | 'createdAt'>>;

export interface DomainRepo {
  /** Throws ALREADY_EXISTS when the name is taken (by a domain or a domain alias is the caller's check). */
  create(d: NewDomain): Promise<Domain>;
  get(id: DomainId): Promise<Domain | undefined>;
  byName(name: string): Promise<Domain | undefined>;
  list(): Promise<Domain[]>;
  update(id: DomainId, patch: DomainPatch): Promise<Domain | undefined>;
  /** Removes the domain and everything under it (users, mailboxes, messages, lists, aliases). */
  delete(id: DomainId): Promise<boolean>;
  /**
   * Serialises changes under one domain until the transaction ends (PostgreSQL: row lock; SQLite:
   * nothing to do, it has a single writer). Call it before count-then-insert limit checks.
   */
  lock(id: DomainId): Promise<void>;
  /** Counts for limit checks and the consoles. */
  usage(id: DomainId): Promise<{ users: number; lists: number; quotaAllocatedBytes: number; usedBytes: number }>;
  /** What adding or growing a user is checked against: usage() without the stored bytes (which read every mailbox). */
  allocation(id: DomainId): Promise<{ users: number; quotaAllocatedBytes: number }>;
}

export interface DomainAlias {
  alias: string;
  domainId: DomainId;
}
export interface DomainAliasRepo {
  create(alias: string, domainId: DomainId): Promise<DomainAlias>;
  get(alias: string): Promise<DomainAlias | undefined>;
  list(domainId?: DomainId): Promise<DomainAlias[]>;
  delete(alias: string): Promise<boolean>;
}

// ── Users ──────────────────────────────────────────────────────────────────────────────────

export type UserStatus = 'active' | 'frozen' | 'pending';
/** Who a user may send to / receive from (FEATURES P17). */
export type Scope = 'any' | 'internal';

export interface User {
  id: UserId;
  domainId: DomainId;
  /** Lower-case local part. The address is localPart@domain.name. */
  localPart: string;
  /**
   * The password's scrypt hash (auth/password.ts), or, until the background role hashes it, the
   * password sealed by auth/secret-box.ts (`$aesgcm$1$…`: batch add, auth/stored-password.ts).
   */
  passwordHash: string;
  /** HMAC-MD5 states for CRAM-MD5 (auth/cram-md5.ts), '' when not kept. */
  cramSecret: string;
  /** The password sealed by auth/secret-box.ts for APOP (auth/apop.ts), '' when not kept. */
  apopSecret: string;
  realName: string;
  status: UserStatus;
  quotaBytes: number;
  quotaMessages: number;
  diskQuotaBytes: number;
  orgUnitId: OrgUnitId | null;
  hiddenFromDirectory: boolean;
  sendScope: Scope;
  receiveScope: Scope;
  /** Addresses exempt from the scopes. */
  scopeExceptions: string[];
  createdAt: number;
  lastLoginAt: number | null;
  /** The custom login field's value (自定义用户字段, e.g. a staff number), '' for none; unique in the domain. */
  loginName: string;
}
export type NewUser = Pick<User, 'domainId' | 'localPart' | 'passwordHash'> &
  Partial<Omit<User, 'id' | 'domainId' | 'localPart' | 'passwordHash' | 'createdAt'>>;
export type UserPatch = Partial<Omit<User, 'id' | 'domainId' | 'localPart' | 'createdAt'>>;

/** Orders of the admin consoles' users list; ties go by address. */
export const USER_SORTS = ['address', 'realName', 'status', 'quotaBytes', 'createdAt', 'lastLoginAt'] as const;
export type UserSort = (typeof USER_SORTS)[number];

export interface UserQuery {
  domainId?: DomainId;
  /** null: users in no department. */
  orgUnitId?: OrgUnitId | null;
  /** Users in any of these org units (a department admin's subtree); an empty list matches nobody. */
  orgUnitIds?: readonly OrgUnitId[];
  status?: UserStatus;
  /** Substring of the local part or real name. */
  search?: string;
  /** Default: by domain, then address. lastLoginAt puts never-logged-in users first (ascending). */
  sort?: UserSort;
  descending?: boolean;
  limit?: number;
  offset?: number;
}

export interface UserRepo {
  create(u: NewUser): Promise<User>;
  get(id: UserId): Promise<User | undefined>;
  byAddress(domainId: DomainId, localPart: string): Promise<User | undefined>;
  list(q?: UserQuery): Promise<User[]>;
  count(q?: UserQuery): Promise<number>;
  update(id: UserId, patch: UserPatch): Promise<User | undefined>;
  /** Removes the user with its mailboxes and messages (blob references are released). */
  delete(id: UserId): Promise<boolean>;
  /** Bytes and messages stored in all the user's mailboxes. */
  usage(id: UserId): Promise<{ bytes: number; messages: number }>;
  /** Empties every user's apopSecret (APOP switched off); returns how many had one. */
  clearApopSecrets(): Promise<number>;
  /** The user of the domain whose custom login field value is loginName (exact); undefined for ''. */
  byLoginName(domainId: DomainId, loginName: string): Promise<User | undefined>;
  /**
   * Up to `limit` users whose passwordHash is still a sealed password (`$aesgcm$1$…`, left by a
   * batch add), with id above afterId, by id. An index holds only those users (migration 027),
   * so asking when none is pending costs nothing.
   */
  sealedPasswords(afterId: UserId | 0, limit: number): Promise<Array<{ id: UserId; passwordHash: string }>>;
  /** Sets passwordHash to `to` only if it is still `from` (compare-and-set); false when it changed meanwhile. */
  replacePasswordHash(id: UserId, from: string, to: string): Promise<boolean>;
}

// ── Mailbox aliases and mailing lists ──────────────────────────────────────────────────────

export interface Alias {
  domainId: DomainId;
  localPart: string;
  /** Full target addresses (local or remote). */
  targets: string[];
}
export interface AliasRepo {
  create(a: Alias): Promise<Alias>;
  get(domainId: DomainId, localPart: string): Promise<Alias | undefined>;
  list(domainId?: DomainId): Promise<Alias[]>;
  delete(domainId: DomainId, localPart: string): Promise<boolean>;
}

export type ListVisibility = 'public' | 'private';
export interface MailingList {
  id: ListId;
  domainId: DomainId;
  localPart: string;
  description: string;
  /** public: anyone may post; private: only members with canSend. */
  visibility: ListVisibility;
  createdAt: number;
}
export interface ListMember {
  listId: ListId;
  address: string;
  canSend: boolean;
  canReceive: boolean;
}
export interface ListRepo {
  create(l: Pick<MailingList, 'domainId' | 'localPart'> & Partial<Pick<MailingList, 'description' | 'visibility'>>): Promise<MailingList>;
  get(id: ListId): Promise<MailingList | undefined>;
  byAddress(domainId: DomainId, localPart: string): Promise<MailingList | undefined>;
  list(domainId?: DomainId): Promise<MailingList[]>;
  update(id: ListId, patch: Partial<Pick<MailingList, 'description' | 'visibility'>>): Promise<MailingList | undefined>;
  delete(id: ListId): Promise<boolean>;
  /** Adds or replaces the member's rights. */
  putMember(m: ListMember): Promise<void>;
  removeMember(listId: ListId, address: string): Promise<boolean>;
  members(listId: ListId): Promise<ListMember[]>;
}

// ── Organisation ───────────────────────────────────────────────────────────────────────────

export interface OrgUnit {
  id: OrgUnitId;
  domainId: DomainId;
  parentId: OrgUnitId | null;
  name: string;
  sortOrder: number;
  leaderUserId: UserId | null;
}
export interface OrgUnitRepo {
  create(o: Pick<OrgUnit, 'domainId' | 'name'> & Partial<Pick<OrgUnit, 'parentId' | 'sortOrder' | 'leaderUserId'>>): Promise<OrgUnit>;
  get(id: OrgUnitId): Promise<OrgUnit | undefined>;
  /** Ordered by parent, sortOrder, name: enough to draw the tree. */
  list(domainId: DomainId): Promise<OrgUnit[]>;
  update(id: OrgUnitId, patch: Partial<Pick<OrgUnit, 'parentId' | 'name' | 'sortOrder' | 'leaderUserId'>>): Promise<OrgUnit | undefined>;
  /** Deletes the unit; its children move to its parent and its users keep their accounts (orgUnitId → null). */
  delete(id: OrgUnitId): Promise<boolean>;
}

export type AdminRole = 'system' | 'super' | 'domain' | 'department';
export interface Admin {
  id: AdminId;
  username: string;
  passwordHash: string;
  role: AdminRole;
  /** Set for domain and department admins. */
  domainId: DomainId | null;
  /** Set for department admins. */
  orgUnitId: OrgUnitId | null;
  createdAt: number;
}
export interface AdminRepo {
  create(a: Omit<Admin, 'id' | 'createdAt'>): Promise<Admin>;
  get(id: AdminId): Promise<Admin | undefined>;
  /** Usernames are unique per (role, domain). */
  find(username: string, role: AdminRole, domainId: DomainId | null): Promise<Admin | undefined>;
  list(q?: { role?: AdminRole; domainId?: DomainId }): Promise<Admin[]>;
  setPassword(id: AdminId, passwordHash: string): Promise<boolean>;
  delete(id: AdminId): Promise<boolean>;
}

// ── Mailboxes and messages ─────────────────────────────────────────────────────────────────

export type SpecialUse = '\\Inbox' | '\\Drafts' | '\\Sent' | '\\Trash' | '\\Junk' | '\\Archive';

export interface Mailbox {
  id: MailboxId;
  userId: UserId;
  /** Full path, '/'-separated, Unicode (IMAP's modified UTF-7 is the protocol's business). */
  name: string;
  specialUse: SpecialUse | null;
  uidvalidity: number;
  uidnext: number;
  highestmodseq: number;
  /** The first uid no session has seen as \Recent yet (RFC 3501 §2.3.2). */
  firstRecentUid: number;
  subscribed: boolean;
  messages: number;
  unseen: number;
  bytes: number;
}
export interface MailboxRepo {
  create(userId: UserId, name: string, opts?: { specialUse?: SpecialUse; subscribed?: boolean }): Promise<Mailbox>;
  get(id: MailboxId): Promise<Mailbox | undefined>;
  byName(userId: UserId, name: string): Promise<Mailbox | undefined>;
  list(userId: UserId): Promise<Mailbox[]>;
  /** Renaming gives the mailbox a new uidvalidity only if the caller asks (RFC 3501 keeps it). */
  rename(id: MailboxId, name: string): Promise<Mailbox | undefined>;
  /** The user's subscribed names, existing mailboxes or not (RFC 3501 §6.3.6: DELETE keeps them). */
  subscriptions(userId: UserId): Promise<string[]>;
  /** Subscribes or unsubscribes a name (the mailbox of that name, if any, shows it). */
  setSubscription(userId: UserId, name: string, subscribed: boolean): Promise<void>;
  /**
   * Claims the uids from firstRecentUid up to (not including) `upTo` as recent for the caller, once:
   * returns the first uid claimed, or undefined when there was nothing left to claim.
   */
  claimRecent(id: MailboxId, upTo: number): Promise<number | undefined>;
  /** Deletes the mailbox and its messages, releasing their blobs. */
  delete(id: MailboxId): Promise<boolean>;
}

/** System flags as IMAP spells them; keywords are any other atom. */
export type SystemFlag = '\\Seen' | '\\Answered' | '\\Flagged' | '\\Deleted' | '\\Draft';
export const SYSTEM_FLAGS: readonly SystemFlag[] = ['\\Seen', '\\Answered', '\\Flagged', '\\Deleted', '\\Draft'];

/** The list-view summary kept beside each message so views never open the blob. */
export interface MessageSummary {
  from: string;
  to: string;
  subject: string;
  /** Date header, ms; null when missing or unparsable. */
  sentAt: number | null;
  hasAttachment: boolean;
  priority: 'high' | 'normal' | 'low';
  /** RFC 5322 Message-ID without angle brackets, '' when missing. */
  messageIdHeader: string;
  threadId: string;
}

export interface NewMessage {
  blobId: BlobId;
  /** Bytes of the whole message as clients see it: headerPrefix plus the blob. */
  size: number;
  /**
   * Header lines written for this copy only (Return-Path, Delivered-To), CRLF-terminated, that
   * readers put before the blob's bytes. They keep one blob for a message delivered to many mailboxes.
   */
  headerPrefix?: string;
  internalDate: number;
  flags?: string[];
  summary?: Partial<MessageSummary>;
}

export interface Message extends MessageSummary {
  id: MessageId;
  mailboxId: MailboxId;
  uid: number;
  modseq: number;
  /** System flags and keywords, sorted. */
  flags: string[];
  internalDate: number;
  size: number;
  blobId: BlobId;
  /** See NewMessage.headerPrefix: the message is headerPrefix + blob. */
  headerPrefix: string;
}

export type FlagOp = 'set' | 'add' | 'remove';
export interface FlagChange {
  uid: number;
  modseq: number;
  flags: string[];
}

export interface UidRange {
  /** Inclusive; use Number.MAX_SAFE_INTEGER for '*'. */
  from: number;
  to: number;
}
export type UidSet = readonly UidRange[];

export interface MessageChange {
  uid: number;
  modseq: number;
  /** null for an expunged uid. */
  flags: string[] | null;
}

/** The orders a message list can be shown in (FEATURES W4). 'date' is the arrival (internal) date. */
export type MessageSort = 'date' | 'from' | 'subject' | 'size' | 'attachment';
export const MESSAGE_SORTS: readonly MessageSort[] = ['date', 'from', 'subject', 'size', 'attachment'];

/** A conversation of one mailbox as the list shows it (MessageRepo.threads). */
export interface ThreadSummary {
  /** The threadId, or `#<uid>` for a message stored without one. */
  key: string;
  messages: number;
  unread: number;
  newestDate: number;
}

export interface MessagePageQuery {
  sort: MessageSort;
  descending: boolean;
  offset: number;
  limit: number;
}

export interface MessageRepo {
  /**
   * Appends to the mailbox: uid = uidnext (then uidnext+1), modseq = ++highestmodseq, and takes a
   * reference on the blob (the caller has already put the bytes in the BlobStore).
   * UIDs never repeat within a uidvalidity. Throws NOT_FOUND for a missing mailbox.
   */
  append(mailboxId: MailboxId, m: NewMessage): Promise<{ id: MessageId; uid: number; modseq: number }>;
  get(mailboxId: MailboxId, uid: number): Promise<Message | undefined>;
  /**
   * One page of the mailbox's messages in list order, from the stored summaries (the blob is never
   * read): sorted by `sort`, ties by uid in the same direction, so pages never overlap or skip.
   */
  page(mailboxId: MailboxId, q: MessagePageQuery): Promise<Message[]>;
  /**
   * One page of the mailbox's conversations (messages sharing a threadId; one without a threadId is
   * a conversation of its own), from the stored summaries: sorted by the newest arrival (date),
   * the first sender or subject, total size or any attachment; ties by the newest uid.
   */
  threads(mailboxId: MailboxId, q: MessagePageQuery): Promise<ThreadSummary[]>;
  /** How many conversations the mailbox holds. */
  threadCount(mailboxId: MailboxId): Promise<number>;
  /** The mailbox's messages in these conversations (ThreadSummary.key), by arrival then uid. */
  inThreads(mailboxId: MailboxId, keys: readonly string[]): Promise<Message[]>;
  /** Messages in uid order; uids restricts to a set. */
  list(mailboxId: MailboxId, opts?: { uids?: UidSet; limit?: number; afterUid?: number }): Promise<Message[]>;
  /**
   * Changes flags of the messages in uids. With unchangedSince (CONDSTORE), messages whose modseq is
   * higher are left alone and reported in `failed`. Each changed message gets a new modseq.
   */
  setFlags(mailboxId: MailboxId, uids: UidSet, op: FlagOp, flags: string[], unchangedSince?: number):
    Promise<{ changed: FlagChange[]; failed: number[] }>;
  /** Copies into `to` with new uids, in source uid order: the COPYUID mapping. */
  copy(from: MailboxId, uids: UidSet, to: MailboxId): Promise<Array<{ from: number; to: number }>>;
  /** Copy then expunge from the source in one transaction. */
  move(from: MailboxId, uids: UidSet, to: MailboxId): Promise<Array<{ from: number; to: number }>>;
  /** Removes the messages (all of uids, whether \Deleted or not: the caller chooses). Returns removed uids. */
  expunge(mailboxId: MailboxId, uids: UidSet): Promise<number[]>;
  /** Flag changes and expunges with modseq > since (CONDSTORE/QRESYNC, IDLE, webmail push). */
  changesSince(mailboxId: MailboxId, since: number): Promise<MessageChange[]>;
  /** uid, modseq and flags of every message, in uid order: what an IMAP SELECT needs, nothing more. */
  index(mailboxId: MailboxId): Promise<MessageIndex>;
  /**
   * What a FETCH of message metadata needs for the uids in [fromUid, toUid], in uid order: sizes,
   * dates, the blob, and its cached ENVELOPE/BODYSTRUCTURE (null when not computed yet).
   */
  metaRange(mailboxId: MailboxId, fromUid: number, toUid: number): Promise<MessageMeta[]>;
}

export interface MessageMeta {
  uid: number;
  size: number;
  internalDate: number;
  blobId: BlobId;
  headerPrefix: string;
  envelope: string | null;
  bodystructure: string | null;
}

/** Parallel arrays in uid order; flags space-joined as stored (a 100,000-message index stays flat). */
export interface MessageIndex {
  uids: number[];
  modseqs: number[];
  flags: string[];
}

// ── Web sessions ───────────────────────────────────────────────────────────────────────────

/** A logged-in browser (webmail): in the store so every node of a cluster knows it. */
export interface WebSession {
  /** SHA-256 (hex) of the cookie's token: the token itself is never stored. */
  idHash: string;
  userId: UserId;
  /** The token the browser sends back in a header on every state change (CSRF). */
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
  ip: string;
  userAgent: string;
}
export interface WebSessionRepo {
  create(s: WebSession): Promise<void>;
  get(idHash: string): Promise<WebSession | undefined>;
  /** Records activity; false when the session is gone. */
  touch(idHash: string, lastSeenAt: number): Promise<boolean>;
  delete(idHash: string): Promise<boolean>;
  /** Ends every session of a user (password changed, account frozen) but `exceptIdHash`; returns how many. */
  deleteForUser(userId: UserId, exceptIdHash?: string): Promise<number>;
  /** Removes sessions idle since before `idleBefore` or created before `createdBefore`; returns how many. */
  prune(idleBefore: number, createdBefore: number): Promise<number>;
}

/** A web admin console's login (migration 017): the same shape as a webmail session, for an admin. */
export interface AdminSession {
  /** SHA-256 (hex) of the cookie's token. */
  idHash: string;
  adminId: AdminId;
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
  ip: string;
  userAgent: string;
}
export interface AdminSessionRepo {
  create(s: AdminSession): Promise<void>;
  get(idHash: string): Promise<AdminSession | undefined>;
  /** Records activity; false when the session is gone. */
  touch(idHash: string, lastSeenAt: number): Promise<boolean>;
  delete(idHash: string): Promise<boolean>;
  /** Ends every session of an admin (password changed); returns how many. */
  deleteForAdmin(adminId: AdminId): Promise<number>;
  /** Removes sessions idle since before `idleBefore` or created before `createdBefore`; returns how many. */
  prune(idleBefore: number, createdBefore: number): Promise<number>;
}

// ── Leases ─────────────────────────────────────────────────────────────────────────────────

/** Named exclusive leases across the cluster (the POP3 maildrop lock): they end when not renewed. */
export interface LeaseRepo {
  /** Takes `name` for `holder` until now + ttlMs when it is free, expired or already the holder's. */
  acquire(name: string, holder: string, now: number, ttlMs: number): Promise<boolean>;
  /** Extends the holder's lease; false when the holder no longer has it. */
  renew(name: string, holder: string, now: number, ttlMs: number): Promise<boolean>;
  release(name: string, holder: string): Promise<void>;
}

// ── Queue ──────────────────────────────────────────────────────────────────────────────────

export type QueueState = 'inbound' | 'retry' | 'holding' | 'bad' | 'raw';
export type RecipientState = 'pending' | 'delivered' | 'deferred' | 'failed';

export interface QueueRecipient {
  address: string;
  state: RecipientState;
  attempts: number;
  lastReply: string;
  nextAttemptAt: number | null;
}

export interface QueueEntry {
  id: QueueId;
  state: QueueState;
  /** '' is the null sender <>. */
  sender: string;
  blobId: BlobId;
  size: number;
  priority: number;
  createdAt: number;
  nextAttemptAt: number;
  attempts: number;
  /** Node that holds the lease, and until when. */
  leaseOwner: string | null;
  leaseUntil: number | null;
  lastError: string;
  /** Free-form envelope data (auth user, client IP, DSN options). */
  meta: Record<string, unknown>;
  recipients: QueueRecipient[];
}
export interface NewQueueEntry {
  state: QueueState;
  sender: string;
  blobId: BlobId;
  size: number;
  priority?: number;
  nextAttemptAt?: number;
  meta?: Record<string, unknown>;
  recipients: string[];
  /** Inserted already leased (the submitting node's runner takes it at once, with no claim). */
  lease?: { owner: string; until: number };
}
export interface QueueRepo {
  /** Inserts the entry and takes a reference on its blob. */
  enqueue(e: NewQueueEntry): Promise<QueueId>;
  get(id: QueueId): Promise<QueueEntry | undefined>;
  list(q?: { state?: QueueState; limit?: number }): Promise<QueueEntry[]>;
  /**
   * Leases up to `limit` due entries in the given states (nextAttemptAt ≤ now, no live lease),
   * highest priority first, then oldest. Two nodes never hold the same entry.
   */
  claim(node: string, states: QueueState[], limit: number, now: number, leaseMs: number): Promise<QueueEntry[]>;
  /** Records per-recipient outcomes only (the entry keeps its state and lease): local delivery calls it in its own tx. */
  recordRecipients(id: QueueId, recipients: Array<Pick<QueueRecipient, 'address' | 'state' | 'lastReply' | 'nextAttemptAt'>>): Promise<void>;
  /** Records per-recipient outcomes, moves the entry to `next` (or deletes it when null), drops the lease. */
  settle(id: QueueId, next: { state: QueueState; nextAttemptAt: number; lastError?: string; meta?: Record<string, unknown> } | null,
    recipients: Array<Pick<QueueRecipient, 'address' | 'state' | 'lastReply' | 'nextAttemptAt'>>): Promise<void>;
  /** Drops every lease `owner` holds: a node calls it when it starts, for entries its previous run held when it died. */
  releaseLeases(owner: string): Promise<number>;
  /** Changes state and due time, e.g. release from holding or "retry now"; deferred recipients become due then too. */
  reschedule(id: QueueId, state: QueueState, nextAttemptAt: number): Promise<boolean>;
  /** Removes the entry and releases its blob. */
  delete(id: QueueId): Promise<boolean>;
  counts(): Promise<Record<QueueState, number>>;
}

// ── Settings, audit, blob references ───────────────────────────────────────────────────────

export interface SettingsRepo {
  /** scope '' is global; otherwise e.g. 'domain:12'. */
  get(scope: string, key: string): Promise<unknown>;
  all(scope: string): Promise<Record<string, unknown>>;
  /** Every scope's value of `key` ('monitoring' of each domain that has one), ordered by scope. */
  byKey(key: string): Promise<Array<{ scope: string; value: unknown }>>;
  set(scope: string, key: string, value: unknown): Promise<void>;
  delete(scope: string, key: string): Promise<boolean>;
  /** Bumped on every write: readers poll it to reload cheaply. */
  version(): Promise<number>;
}

export interface AuditEntry {
  id: number;
  at: number;
  /** Who: 'admin:administrator', 'cli:root', 'user:bob@x.cn'. */
  actor: string;
  /** What, verb-object: 'domain.create', 'user.freeze'. */
  action: string;
  target: string;
  /** From where: IP, 'cli'. */
  source: string;
  details: Record<string, unknown>;
}
/** Filters of the audit log: exact fields, parts of fields (case-insensitive), a time range. */
export interface AuditQuery {
  actor?: string; action?: string; target?: string;
  /** The domain the entries are about (ASCII), as written with the entry. */
  domain?: string;
  /** Part of the actor / the target, any case. */
  actorLike?: string; targetLike?: string;
  /** Actions starting with this ('user.' for every user change). */
  actionPrefix?: string;
  /** at >= since, at < until (ms). */
  since?: number; until?: number;
}
export interface AuditRepo {
  /** `domain`: the ASCII domain the entry is about ('' or absent: none), for the domain consoles' log. */
  write(e: Omit<AuditEntry, 'id' | 'at'> & { at?: number; domain?: string }): Promise<void>;
  /** Newest first; limit defaults to 100. */
  list(q?: AuditQuery & { limit?: number; offset?: number }): Promise<AuditEntry[]>;
  count(q?: AuditQuery): Promise<number>;
}

export interface BlobRef {
  id: BlobId;
  size: number;
  refcount: number;
  updatedAt: number;
}
export interface BlobRefRepo {
  /** Adds delta (may be negative) to the blob's count, creating the row at 0 first. */
  adjust(id: BlobId, size: number, delta: number): Promise<void>;
  get(id: BlobId): Promise<BlobRef | undefined>;
  /** Blobs with no references whose count last changed before `before`: candidates for the GC. */
  unreferenced(before: number, limit: number): Promise<BlobId[]>;
  /** Which of ids have a row (with any count): the GC's orphan check. */
  known(ids: BlobId[]): Promise<Set<BlobId>>;
  /** Deletes the row only if it is still unreferenced. */
  forget(id: BlobId): Promise<boolean>;
}

// ── Mail-flow state ────────────────────────────────────────────────────────────────────────

/** When each user last auto-replied to each sender ("at most once per sender per N days"). */
export interface AutoreplyRepo {
  lastSent(userId: UserId, sender: string): Promise<number | undefined>;
  record(userId: UserId, sender: string, at: number): Promise<void>;
}

/** POP-before-SMTP: client IPs that logged in to POP3/IMAP recently may relay until expiresAt. */
export interface AuthWindowRepo {
  open(ip: string, expiresAt: number): Promise<void>;
  isOpen(ip: string, now: number): Promise<boolean>;
  /** Drops expired windows; returns how many. */
  prune(now: number): Promise<number>;
}

// ── Protection (pipeline) ──────────────────────────────────────────────────────────────────

/** Daily counters of the pipeline stages ('antivirus.infected' on '2026-11-28'), summed across nodes. */
export interface CounterRepo {
  /** Adds n to each name's count of `day` (YYYY-MM-DD, local), creating rows at 0 first. */
  add(day: string, counts: Record<string, number>): Promise<void>;
  /** Counts of days in [fromDay, toDay], ordered by day then name. */
  list(fromDay: string, toDay: string): Promise<Array<{ day: string; name: string; count: number }>>;
}

/** One day's mail of one user in one direction (FEATURES A9): what traffic_daily holds. */
export interface TrafficCount {
  day: string;
  userId: UserId;
  domainId: DomainId;
  direction: 'in' | 'out';
  messages: number;
  bytes: number;
}

/** Per-domain mail traffic by day (FEATURES A9, migration 024). */
export interface TrafficRepo {
  /**
   * Adds each count to its (day, user, direction) row, creating it at 0 first. Call it inside the
   * transaction that stores the message, so the count commits with it and costs no sync of its own.
   */
  add(counts: readonly TrafficCount[]): Promise<void>;
  /** The domain's totals per day and direction for days in [fromDay, toDay], ordered by day. */
  days(domainId: DomainId, fromDay: string, toDay: string): Promise<Array<{ day: string; direction: 'in' | 'out'; messages: number; bytes: number }>>;
  /** The domain's users by total bytes over [fromDay, toDay], largest first, with each direction's sums. */
  topUsers(domainId: DomainId, fromDay: string, toDay: string, limit: number): Promise<Array<{
    userId: UserId; inMessages: number; inBytes: number; outMessages: number; outBytes: number;
  }>>;
}

/** Message-IDs delivered per user (duplicate removal, P16). */
export interface DeliveredIdRepo {
  /**
   * Records that `messageId` reached the user's mailbox at `at`: true when it is new, or was last
   * delivered before `since` (then its time becomes `at`); false when it was delivered since then.
   */
  record(userId: UserId, messageId: string, at: number, since: number): Promise<boolean>;
  /** Forgets those delivered before `before`; returns how many. */
  prune(before: number): Promise<number>;
}

export interface QuarantinedMessage {
  id: QuarantineId;
  blobId: BlobId;
  size: number;
  sender: string;
  recipients: string[];
  /** The stage that stopped it ('antivirus') and why ('Eicar-Test-Signature'). */
  stage: string;
  reason: string;
  clientIp: string;
  createdAt: number;
  /** Envelope data needed to release it (auth user, listener, DSN options). */
  meta: Record<string, unknown>;
}
export interface QuarantineRepo {
  /** Stores the entry and takes a reference on its blob (the blob is already durable). */
  add(q: Omit<QuarantinedMessage, 'id' | 'createdAt'> & { createdAt?: number }): Promise<QuarantineId>;
  get(id: QuarantineId): Promise<QuarantinedMessage | undefined>;
  /** Newest first. */
  list(q?: { limit?: number; before?: number }): Promise<QuarantinedMessage[]>;
  /** Removes the entry and releases its blob reference; false when there was none. */
  remove(id: QuarantineId): Promise<boolean>;
}

/** An IP address refused by every protocol until `until` (ms), and why (S7 dynamic screening). */
export interface IpBan {
  ip: string;
  until: number;
  failures: number;
  reason: string;
}

/** The IP bans in force, shared by every process and node of the store (migration 026). */
export interface IpBanRepo {
  /** Adds a ban, or makes one in force end later (never sooner). */
  put(ban: IpBan): Promise<void>;
  /** The bans still in force at `now`, soonest to end first. */
  active(now: number): Promise<IpBan[]>;
  /** Lifts the ban of `ip`; false when there was none. */
  remove(ip: string): Promise<boolean>;
  /** Forgets bans that ended by `now`; how many. */
  prune(now: number): Promise<number>;
}

/** One greylisting triple: client network, envelope sender, recipient. */
export interface GreylistTriple {
  net: string;
  sender: string;
  rcpt: string;
}
export interface GreylistEntry extends GreylistTriple {
  firstSeen: number;
  lastSeen: number;
  /** When a retry came after the delay; null while it has not. */
  passedAt: number | null;
}
export interface GreylistRepo {
  get(t: GreylistTriple): Promise<GreylistEntry | undefined>;
  /** Starts (or restarts) the triple's wait at `now`; a concurrent first insert by another node wins. */
  start(t: GreylistTriple, now: number): Promise<void>;
  /** Notes an attempt: last seen, and passedAt once (when `passed`). */
  touch(t: GreylistTriple, now: number, passed: boolean): Promise<void>;
  /** Whether any triple of this network and sender has passed and was seen at or after `since`. */
  knownSender(net: string, sender: string, since: number): Promise<boolean>;
  /** Forgets triples never passed and first seen before `unpassedBefore`, and passed ones last seen before `passedBefore`. */
  prune(unpassedBefore: number, passedBefore: number): Promise<number>;
}

// ── Bayesian classifier ────────────────────────────────────────────────────────────────────

export type BayesClass = 'spam' | 'ham';
/** In how many learned spam and ham messages something occurred. */
export interface BayesCounts {
  spam: number;
  ham: number;
}
/**
 * Token counts of the Bayesian classifier (antispam/bayes.ts). A scope is '' (global) or a domain
 * name. Tokens are opaque keys the classifier makes (hashes), at most 64 characters. Counts never go
 * below 0. No rules here: what is learned when, and the minimum-training guard, live in antispam/.
 */
export interface BayesRepo {
  /** How many spam and ham messages the scope has learned ({0, 0} for a scope never trained). */
  totals(scope: string): Promise<BayesCounts>;
  /** The counts of those tokens in the scope; a token never learned is missing from the map. */
  tokens(scope: string, tokens: readonly string[]): Promise<Map<string, BayesCounts>>;
  /**
   * delta +1: one more message of `cls` in the scope, and each (distinct) token occurred in it.
   * delta -1: takes such a message back (rows reaching 0 for both classes are removed).
   */
  learn(scope: string, cls: BayesClass, tokens: readonly string[], delta: 1 | -1, at: number): Promise<void>;
  /** What the message with this digest was learned as in the scope, if it was. */
  seen(scope: string, digest: string): Promise<BayesClass | undefined>;
  /** Records (or with null forgets) what the message with this digest was learned as. */
  markSeen(scope: string, digest: string, cls: BayesClass | null, at: number): Promise<void>;
  /** Every trained scope with its message totals and number of distinct tokens, by scope name. */
  scopes(): Promise<Array<{ scope: string; spam: number; ham: number; tokens: number; updatedAt: number }>>;
  /** The scope's totals and when it last learned or unlearned (0 for a scope never trained). */
  stamp(scope: string): Promise<BayesCounts & { updatedAt: number }>;
  /** Every token of the scope with its counts, or undefined when it has more than `limit` of them. */
  allTokens(scope: string, limit: number): Promise<Map<string, BayesCounts> | undefined>;
}

// ── Full-text index ────────────────────────────────────────────────────────────────────────

/** Where a search term must occur: anywhere, in the header text, or in the body text. */
export type FulltextField = 'text' | 'headers' | 'body';

export interface FulltextRepo {
  /**
   * Indexes a blob's text once (later calls replace it). `headers` and `body` are words separated
   * by single spaces, already segmented and lower-cased by the caller (mime/search-text.ts).
   */
  index(blobId: BlobId, text: { headers: string; body: string }): Promise<void>;
  has(blobId: BlobId): Promise<boolean>;
  /**
   * UIDs of the mailbox's messages whose text contains every term, each term being a sequence of
   * words that must occur together (a phrase); matching is by whole words, with the last word of
   * a term also matching as a prefix. Messages whose blob is not indexed yet are not returned.
   */
  search(mailboxId: MailboxId, terms: Array<{ field: FulltextField; words: string[] }>): Promise<number[]>;
  /** UIDs of the mailbox's messages whose blob is not indexed yet (searches scan these instead). */
  unindexed(mailboxId: MailboxId): Promise<number[]>;
  /** Blobs referenced by messages but not indexed yet, oldest first: the indexer's work list. */
  pending(limit: number): Promise<BlobId[]>;
  /** Drops a blob's text (the blob GC calls it when the blob goes). */
  remove(blobId: BlobId): Promise<void>;
  /**
   * Messages of several mailboxes matching a search (the webmail's search), newest first
   * (internal date, then mailbox and uid, descending), one page of them and how many match
   * (counted up to `countLimit + 1`, so a total above countLimit means "more than countLimit").
   * Indexed messages match by the index; messages whose blob is not indexed yet match by their
   * summaries (MessageSearch.summary), so a search right after delivery finds them by subject
   * and address. No mailbox ids: no messages.
   */
  find(q: MessageSearch): Promise<{ messages: Message[]; total: number }>;
}

/** A list-view summary column a search can be narrowed to. */
export type SummaryField = 'subject' | 'from' | 'to';

export interface MessageSearch {
  /** Where to look; the caller has checked whose they are. */
  mailboxIds: readonly MailboxId[];
  /** Segmented, lower-cased words (fulltext/indexer.ts wordsOf), one list per phrase: phrases AND. At least one word. */
  phrases: string[][];
  /** Where in the index the phrases must occur. */
  field: FulltextField;
  /**
   * Narrows to one summary column: every word must also occur in it (case-insensitive
   * substring), besides matching the index. Unindexed messages are matched on the summaries alone:
   * on this column, or without it on subject, from and to (none for field 'body': a body search
   * cannot see them until they are indexed).
   */
  summary?: SummaryField;
  /** Internal date at or after (ms). */
  since?: number;
  /** Internal date before (ms). */
  before?: number;
  hasAttachment?: boolean;
  /** Only messages without \Seen. */
  unseenOnly?: boolean;
  offset: number;
  limit: number;
  countLimit: number;
}

// ── Per-blob IMAP metadata ─────────────────────────────────────────────────────────────────

/** ENVELOPE and BODYSTRUCTURE of a blob, as IMAP writes them (byte strings: one char per octet). */
export interface BlobMeta {
  envelope: string;
  bodystructure: string;
}
export interface BlobMetaRepo {
  get(ids: readonly BlobId[]): Promise<Map<BlobId, BlobMeta>>;
  put(id: BlobId, meta: BlobMeta): Promise<void>;
  /** The blob GC calls it when the blob goes. */
  remove(id: BlobId): Promise<void>;
}

// ── Mail collection (MultiPOP, DomainPOP) ──────────────────────────────────────────────────

export type PopTlsMode = 'none' | 'starttls' | 'tls';
/** 'user': a user's MultiPOP box, delivered to them; 'domain': the DomainPOP box, routed by headers. */
export type PopAccountKind = 'user' | 'domain';

export interface PopAccount {
  id: PopAccountId;
  kind: PopAccountKind;
  /** The owner for kind 'user'; null for 'domain'. */
  userId: UserId | null;
  host: string;
  port: number;
  tls: PopTlsMode;
  username: string;
  /** Sealed by auth/secret-box.ts; never the plain password. */
  passwordEnc: string;
  useApop: boolean;
  enabled: boolean;
  leaveOnServer: boolean;
  /** With leaveOnServer: delete from the server once collected this many days ago; 0 = never. */
  leaveDays: number;
  /** A run holds the account until then (ms); 0 = free. */
  leaseUntil: number;
  lastRunAt: number | null;
  lastSuccessAt: number | null;
  /** The last run's error, '' when it went well. */
  lastError: string;
  /** Messages the last run collected, and all runs together. */
  lastFetched: number;
  totalFetched: number;
  createdAt: number;
}
export type NewPopAccount = Pick<PopAccount, 'kind' | 'userId' | 'host' | 'port' | 'tls' | 'username' | 'passwordEnc'> &
  Partial<Pick<PopAccount, 'useApop' | 'enabled' | 'leaveOnServer' | 'leaveDays'>>;
export type PopAccountPatch = Partial<Pick<PopAccount,
  'host' | 'port' | 'tls' | 'username' | 'passwordEnc' | 'useApop' | 'enabled' | 'leaveOnServer' | 'leaveDays'>>;

export interface PopAccountRepo {
  create(a: NewPopAccount): Promise<PopAccount>;
  get(id: PopAccountId): Promise<PopAccount | undefined>;
  /** By id order; filters by owner or kind. */
  list(q?: { userId?: UserId; kind?: PopAccountKind }): Promise<PopAccount[]>;
  update(id: PopAccountId, patch: PopAccountPatch): Promise<PopAccount | undefined>;
  /** Removes the account with its seen UIDs and Message-IDs. */
  delete(id: PopAccountId): Promise<boolean>;
  /** Takes the account for one run until `now + leaseMs` if no live lease holds it. False when another run has it. */
  claim(id: PopAccountId, now: number, leaseMs: number): Promise<boolean>;
  /** Moves a lease this run holds (it ends at `heldUntil`) on to `until`. False when the run lost it. */
  renew(id: PopAccountId, heldUntil: number, until: number): Promise<boolean>;
  /** Records a run's outcome (error '' = success, counted in lastSuccessAt) and drops the lease. */
  finishRun(id: PopAccountId, r: { at: number; error: string; fetched: number }): Promise<void>;
  /** UIDLs already collected, with when they were. */
  seen(id: PopAccountId): Promise<Map<string, number>>;
  /**
   * Records a UIDL as collected. Throws ALREADY_EXISTS when it already is (another run got there
   * first): call it in the transaction that queues the message, so that transaction then rolls back.
   */
  markSeen(id: PopAccountId, uid: string, at: number): Promise<void>;
  /** Forgets UIDLs (gone from the server); returns how many. */
  forgetSeen(id: PopAccountId, uids: readonly string[]): Promise<number>;
  /** Records a Message-ID; false when it was already recorded (a duplicate). */
  recordMessageId(id: PopAccountId, messageId: string, at: number): Promise<boolean>;
  /** Drops Message-IDs recorded before `before`; returns how many. */
  pruneMessageIds(id: PopAccountId, before: number): Promise<number>;
}

// ── Migration import (FEATURES A11) ────────────────────────────────────────────────────────

/** cancelled: stopped by an administrator; never claimed again. */
export type ImportJobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
export type ImportAccountState = 'pending' | 'running' | 'done' | 'failed';
export type ImportProtocol = 'imap' | 'pop3';
/** 'tls': TLS from the first byte (imaps, pop3s); 'starttls': plain, upgraded when the server offers it. */
export type ImportTls = 'tls' | 'starttls';

export interface ImportJob {
  id: ImportJobId;
  state: ImportJobState;
  createdAt: number;
  /** The actor who made it: 'cli:root'. */
  createdBy: string;
  /** Who runs it ('host:pid') and until when the lease holds; null when nobody does. */
  leaseOwner: string | null;
  leaseUntil: number | null;
  startedAt: number | null;
  finishedAt: number | null;
}

/** One line of the list file: where to import from and into which local user. No password here. */
export interface ImportAccount {
  id: ImportAccountId;
  jobId: ImportJobId;
  /** Line number in the list file, for messages. */
  line: number;
  protocol: ImportProtocol;
  host: string;
  port: number;
  tls: ImportTls;
  verifyTls: boolean;
  remoteUser: string;
  userId: UserId;
  state: ImportAccountState;
  /** Why the account failed, '' otherwise. */
  error: string;
  foldersTotal: number;
  foldersDone: number;
  /** Messages on the source when last counted, and how many of them are here (imported now or before). */
  messagesTotal: number;
  messagesDone: number;
  /** Messages this job added, and their bytes. */
  imported: number;
  bytes: number;
  startedAt: number | null;
  finishedAt: number | null;
}
export type NewImportAccount = Pick<ImportAccount, 'line' | 'protocol' | 'host' | 'port' | 'tls' | 'verifyTls' | 'remoteUser' | 'userId'> & {
  /** Sealed by the caller (auth/secret-box.ts); cleared once the account is done. */
  passwordEnc: string;
};
export type ImportAccountPatch = Partial<Pick<ImportAccount,
  'state' | 'error' | 'foldersTotal' | 'foldersDone' | 'messagesTotal' | 'messagesDone' | 'startedAt' | 'finishedAt'>> & {
  passwordEnc?: string;
};

/**
 * Where one remote folder stands, kept per (local user, source, remote folder) across jobs, so a
 * rerun continues instead of starting over. `source` names the remote account without port or TLS
 * ('imap://bob@old.example.com'), so switching from imaps to imap does not start again.
 */
export interface ImportFolder {
  id: ImportFolderId;
  userId: UserId;
  source: string;
  folder: string;
  localName: string;
  /** IMAP: the uidvalidity lastUid belongs to; 0 for POP3. */
  uidvalidity: number;
  /** IMAP: every message with a UID up to this one is imported. */
  lastUid: number;
  /** Messages imported from this folder over all jobs. */
  imported: number;
  updatedAt: number;
}

export interface ImportRepo {
  /** Creates a job with its accounts; with a lease owner, the job starts out held by it. */
  createJob(j: { createdBy: string; leaseOwner?: string; leaseUntil?: number }, accounts: NewImportAccount[]): Promise<ImportJob>;
  getJob(id: ImportJobId): Promise<ImportJob | undefined>;
  /** Newest first. */
  listJobs(q?: { states?: ImportJobState[]; limit?: number }): Promise<ImportJob[]>;
  /**
   * Takes the job for `owner` until leaseUntil, marking it running, if it is not done and its lease
   * is free, expired (before now), already owner's, or held by `takeOverFrom` (a holder known to be
   * dead). False when someone else holds it. Two callers never both succeed.
   */
  claimJob(id: ImportJobId, owner: string, now: number, leaseUntil: number, takeOverFrom?: string): Promise<boolean>;
  /** Extends owner's lease; false when owner no longer holds it (stop working then). */
  renewJob(id: ImportJobId, owner: string, leaseUntil: number): Promise<boolean>;
  /** Ends owner's hold: with a final state (done/failed) and finishedAt, or back to the pool (state unchanged). */
  releaseJob(id: ImportJobId, owner: string, end?: { state: 'done' | 'failed'; at: number }): Promise<void>;
  /**
   * Cancels a queued or running job: state cancelled, lease dropped (its holder's next renewal
   * fails, so it stops), unfinished accounts failed with error 'cancelled' and their passwords
   * cleared. False when the job is not queued or running.
   */
  cancelJob(id: ImportJobId, at: number): Promise<boolean>;
  /** In line order, without passwords. */
  accounts(jobId: ImportJobId): Promise<ImportAccount[]>;
  /** The sealed password of an account ('' once cleared). */
  accountSecret(id: ImportAccountId): Promise<string>;
  updateAccount(id: ImportAccountId, patch: ImportAccountPatch): Promise<void>;
  /** Adds to an account's counters: call it in the transaction that appends the message. */
  countImported(id: ImportAccountId, d: { messages: number; bytes: number }): Promise<void>;
  folder(userId: UserId, source: string, folder: string): Promise<ImportFolder | undefined>;
  /**
   * Creates or resets the folder's marker: a new uidvalidity (the remote folder was re-created, so
   * its UIDs mean other messages) sets lastUid back to 0 and forgets POP3 keys.
   */
  putFolder(f: Pick<ImportFolder, 'userId' | 'source' | 'folder' | 'localName' | 'uidvalidity'>): Promise<ImportFolder>;
  /**
   * Moves lastUid up to uid. Throws CONFLICT when lastUid is already ≥ uid (another run imported
   * it): call it in the transaction that appends the message, which then rolls back. So a message
   * is appended at most once whatever crashes or races happen.
   */
  advanceFolder(id: ImportFolderId, uid: number): Promise<void>;
  /** POP3: records a message key (UIDL) as imported. Throws CONFLICT when it already is, like advanceFolder. */
  markSeen(id: ImportFolderId, key: string): Promise<void>;
  /** POP3: the keys already imported. */
  seenKeys(id: ImportFolderId): Promise<Set<string>>;
}

// ── Personal contacts (migration 016) ──────────────────────────────────────────────────────

export const CONTACT_PHONE_KINDS = ['mobile', 'work', 'home', 'fax', 'other'] as const;
export type ContactPhoneKind = (typeof CONTACT_PHONE_KINDS)[number];
export interface ContactPhone {
  kind: ContactPhoneKind;
  number: string;
}
/** What a person edits (manual part 2 §1.10.1); the service checks it, the store keeps it as given. */
export interface ContactFields {
  name: string;
  /** At least one; the first is the contact's main address. Kept as written (duplicates compare lower-cased). */
  emails: string[];
  phones: ContactPhone[];
  company: string;
  department: string;
  title: string;
  address: string;
  /** 'YYYY-MM-DD' or ''. */
  birthday: string;
  notes: string;
}
export interface Contact extends ContactFields {
  id: ContactId;
  userId: UserId;
  /** The owner's groups this contact is in, ascending. */
  groupIds: ContactGroupId[];
  createdAt: number;
  updatedAt: number;
}
export interface ContactQuery {
  /** Substring (case-insensitive) of the name, an address, company, department, title or a phone number. */
  search?: string;
  /** Only members of this group. */
  groupId?: ContactGroupId;
  offset?: number;
  limit?: number;
}
export interface ContactGroup {
  id: ContactGroupId;
  userId: UserId;
  name: string;
  /** How many contacts are in it. */
  members: number;
  createdAt: number;
}

/**
 * One user's address book. Every method takes the owner's id and only ever sees that owner's rows:
 * another user's contact or group id behaves exactly like one that does not exist (undefined, 0,
 * false), so the service above can answer NOT_FOUND without a second check.
 */
export interface ContactRepo {
  create(userId: UserId, fields: ContactFields, groupIds?: readonly ContactGroupId[]): Promise<Contact>;
  get(userId: UserId, id: ContactId): Promise<Contact | undefined>;
  /** The owner's contacts with these ids (unknown ids are skipped), in list order. */
  getMany(userId: UserId, ids: readonly ContactId[]): Promise<Contact[]>;
  /** Contacts having this address among theirs (case-insensitive), oldest first. */
  byEmail(userId: UserId, email: string): Promise<Contact[]>;
  /** Ordered by the lower-cased name (code points), then id. */
  list(userId: UserId, q?: ContactQuery): Promise<Contact[]>;
  count(userId: UserId, q?: Omit<ContactQuery, 'offset' | 'limit'>): Promise<number>;
  /** Replaces the given fields (and with groupIds, the contact's groups; ids not the owner's are dropped). */
  update(userId: UserId, id: ContactId, fields: Partial<ContactFields>, groupIds?: readonly ContactGroupId[]): Promise<Contact | undefined>;
  /** Deletes those of the ids that are the owner's; returns how many. */
  delete(userId: UserId, ids: readonly ContactId[]): Promise<number>;
  /** Ordered by name (code points). */
  groups(userId: UserId): Promise<ContactGroup[]>;
  getGroup(userId: UserId, id: ContactGroupId): Promise<ContactGroup | undefined>;
  /** Throws ALREADY_EXISTS when the owner has a group of that name. */
  createGroup(userId: UserId, name: string): Promise<ContactGroup>;
  /** Throws ALREADY_EXISTS when the owner has another group of that name. */
  renameGroup(userId: UserId, id: ContactGroupId, name: string): Promise<ContactGroup | undefined>;
  /** Deletes the group; its contacts stay. */
  deleteGroup(userId: UserId, id: ContactGroupId): Promise<boolean>;
  /** Puts the owner's contacts among ids into the group; returns how many were not in it yet, undefined without such a group. */
  addMembers(userId: UserId, groupId: ContactGroupId, ids: readonly ContactId[]): Promise<number | undefined>;
  /** Takes contacts out of the group; returns how many were in it, undefined without such a group. */
  removeMembers(userId: UserId, groupId: ContactGroupId, ids: readonly ContactId[]): Promise<number | undefined>;
}

// ── Customer address book and directory sharing (migration 023) ────────────────────────────

export interface CustomerFields {
  name: string;
  email: string;
  company: string;
  phone: string;
  mobile: string;
  address: string;
  notes: string;
  /** null: uncategorised. */
  categoryId: CustomerCategoryId | null;
}
export interface Customer extends CustomerFields {
  id: CustomerId;
  domainId: DomainId;
  createdAt: number;
  updatedAt: number;
}
export interface CustomerCategory {
  id: CustomerCategoryId;
  domainId: DomainId;
  name: string;
  /** How many entries are in it. */
  members: number;
  createdAt: number;
}
export interface CustomerQuery {
  /** Substring of the name, address, company or phones (case-insensitive). */
  search?: string;
  /** null: the uncategorised entries. */
  categoryId?: CustomerCategoryId | null;
  offset?: number;
  limit?: number;
}
/** One domain's customer book. Every statement is bounded by domain_id: another domain's id finds nothing. */
export interface CustomerRepo {
  /** categoryId must be one of the domain's categories (or null): the caller checks. */
  create(domainId: DomainId, f: CustomerFields): Promise<Customer>;
  get(domainId: DomainId, id: CustomerId): Promise<Customer | undefined>;
  /** By name (code point order), then id. */
  list(domainId: DomainId, q?: CustomerQuery): Promise<Customer[]>;
  count(domainId: DomainId, q?: Omit<CustomerQuery, 'offset' | 'limit'>): Promise<number>;
  /** Entries whose address is this one (case-insensitive). */
  byEmail(domainId: DomainId, email: string): Promise<Customer[]>;
  update(domainId: DomainId, id: CustomerId, patch: Partial<CustomerFields>): Promise<Customer | undefined>;
  /** Returns how many of ids were the domain's and are gone. */
  delete(domainId: DomainId, ids: readonly CustomerId[]): Promise<number>;
  categories(domainId: DomainId): Promise<CustomerCategory[]>;
  getCategory(domainId: DomainId, id: CustomerCategoryId): Promise<CustomerCategory | undefined>;
  /** Throws ALREADY_EXISTS for a name the domain has. */
  createCategory(domainId: DomainId, name: string): Promise<CustomerCategory>;
  renameCategory(domainId: DomainId, id: CustomerCategoryId, name: string): Promise<CustomerCategory | undefined>;
  /** Deletes the category; its entries stay, uncategorised. */
  deleteCategory(domainId: DomainId, id: CustomerCategoryId): Promise<boolean>;
}
/** (domainId, sharedDomainId): the users of domainId see the enterprise directory of sharedDomainId. */
export interface DirectoryShare {
  domainId: DomainId;
  sharedDomainId: DomainId;
  createdAt: number;
}
export interface DirectoryShareRepo {
  /** Every share, by viewer then shared domain id. */
  list(): Promise<DirectoryShare[]>;
  /** The domains whose directories domainId's users see. */
  sharedWith(domainId: DomainId): Promise<DomainId[]>;
  /** false when it was there already. */
  add(domainId: DomainId, sharedDomainId: DomainId): Promise<boolean>;
  remove(domainId: DomainId, sharedDomainId: DomainId): Promise<boolean>;
}

// ── Reply templates (migration 025) ────────────────────────────────────────────────────────

export interface ReplyTemplate {
  id: ReplyTemplateId;
  userId: UserId;
  name: string;
  format: 'html' | 'text';
  body: string;
  createdAt: number;
  updatedAt: number;
}
export type NewReplyTemplate = Pick<ReplyTemplate, 'userId' | 'name' | 'format' | 'body'>;
export type ReplyTemplatePatch = Partial<Pick<ReplyTemplate, 'name' | 'format' | 'body'>>;

/** One user's reply templates; every call names the owner, so one user's id never reaches another's row. */
export interface ReplyTemplateRepo {
  /** The owner's templates, oldest first. */
  list(userId: UserId): Promise<ReplyTemplate[]>;
  count(userId: UserId): Promise<number>;
  get(userId: UserId, id: ReplyTemplateId): Promise<ReplyTemplate | undefined>;
  create(t: NewReplyTemplate): Promise<ReplyTemplate>;
  /** undefined when the owner has no such template. */
  update(userId: UserId, id: ReplyTemplateId, patch: ReplyTemplatePatch): Promise<ReplyTemplate | undefined>;
  delete(userId: UserId, id: ReplyTemplateId): Promise<boolean>;
}
