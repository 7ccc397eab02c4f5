/**
 * What a command handler sees of its session (imap/commands/*): the services, the state (RFC 3501
 * §3), the selected mailbox and its view, and the ways to answer. session.ts implements it; handlers
 * import only this file, so the commands and the connection code do not depend on each other.
 */
import type { LoginThrottle } from '../auth/login-throttle.ts';
import type { Credentials } from '../auth/sasl.ts';
import type { Settings } from '../config/settings.ts';
import type { Bus } from '../core/bus.ts';
import type { SessionLog } from '../core/log/session-log.ts';
import type { DirectoryUser, UserService } from '../directory/users.ts';
import type { MailboxService } from '../mailbox/mailbox-service.ts';
import type { Mailbox } from '../store/store.ts';
import type { MailboxView } from './mailbox-view.ts';
import type { FetchAttribute } from './protocol/parse-fetch.ts';
import type { SummaryCache } from './summary-cache.ts';
import type { ViewCache } from './view-cache.ts';
import type { SearchKey, SortCriterion } from './protocol/parse-search.ts';
import type { ResponseCode, SerializeOptions } from './protocol/serializer.ts';

export interface ImapDeps {
  hostname: string;
  settings: () => Readonly<Settings>;
  users: Pick<UserService, 'authenticateCredentials'>;
  mailboxes: MailboxService;
  bus: Bus;
  /** This node's snapshots of recently selected mailboxes (SELECT reads only what changed since). */
  views: ViewCache;
  /** This node's cache of stored message summaries for SEARCH and SORT. */
  summaries: SummaryCache;
  /** The failed-login throttle all protocols share: a banned address is refused, failures are slowed. */
  throttle: Pick<LoginThrottle, 'isBanned' | 'failed' | 'succeeded'>;
}

export type SessionState = 'not-authenticated' | 'authenticated' | 'selected' | 'logout';

export interface SelectedMailbox {
  mailbox: Mailbox;
  view: MailboxView;
  readOnly: boolean;
  /** UIDs this session is the first to see (\Recent, RFC 3501 §2.3.2). */
  recent: Set<number>;
  /** The result saved by SEARCH RETURN (SAVE), as UIDs (RFC 5182). */
  saved: number[];
  /** Keywords the client has been told of in FLAGS; a new one means a new FLAGS response (RFC 3501 §7.2.6). */
  keywords: Set<string>;
  /** SEARCH/SORT RETURN (UPDATE) contexts kept up to date with ADDTO/REMOVEFROM (RFC 5267 §4.3). */
  contexts?: SearchContext[];
}

/** What NOTIFY SET asked for (notify.ts implements it; here so handlers and the session share it). */
export interface NotifyInterest {
  /** SELECTED or SELECTED-DELAYED, when the selected mailbox's events are wanted (RFC 5465 §6). */
  readonly selected: 'selected' | 'selected-delayed' | undefined;
  /** MessageNew's fetch attributes for the selected mailbox (§5.2). */
  readonly fetch: FetchAttribute[] | undefined;
  /** Tells the client what changed in its other mailboxes since the last call. */
  poll(ctx: ImapContext): Promise<void>;
}

/** One updating search (RFC 5267 §4.3): its key, its sort for SORT, and the result the client holds. */
export interface SearchContext {
  tag: string;
  uid: boolean;
  criteria: SearchKey;
  sort?: SortCriterion[];
  /** The UIDs the client was last told of, in result order. */
  uids: number[];
}

/** A command's outcome: the tagged status line the session writes. */
export interface Completion {
  status: 'OK' | 'NO' | 'BAD';
  text: string;
  code?: ResponseCode;
}

/** ENABLE IMAP4rev2 was given: RFC 9051 behaviour (no \\Recent, ESEARCH for SEARCH, LIST in SELECT). */
export const isRev2 = (ctx: Pick<ImapContext, 'enabled'>): boolean => ctx.enabled.has('IMAP4REV2');

export const ok = (text: string, code?: ResponseCode): Completion => ({ status: 'OK', text, code });
export const no = (text: string, code?: ResponseCode): Completion => ({ status: 'NO', text, code });
export const bad = (text: string, code?: ResponseCode): Completion => ({ status: 'BAD', text, code });

export interface ImapContext {
  readonly deps: ImapDeps;
  readonly settings: Readonly<Settings>;
  readonly log: SessionLog;
  readonly ip: string;
  state: SessionState;
  user: DirectoryUser | undefined;
  selected: SelectedMailbox | undefined;
  /** What NOTIFY SET asked for (RFC 5465); undefined without NOTIFY or after NOTIFY NONE. */
  notify: NotifyInterest | undefined;
  /** ENABLEd extensions, upper-case: CONDSTORE, QRESYNC, UTF8=ACCEPT, IMAP4REV2. */
  readonly enabled: Set<string>;
  readonly secure: boolean;
  /** Serializer options for this session (UTF8=ACCEPT). */
  readonly wire: SerializeOptions;
  /** Queues bytes for the client. */
  write(bytes: Buffer): void;
  /** Waits while the client is slow to read (call between batches of a long response). */
  drain(): Promise<void>;
  /** Reports changes to the selected mailbox made elsewhere (EXISTS, EXPUNGE or VANISHED, FETCH FLAGS). */
  sendUpdates(options: { expunges: boolean; deferExpunges?: boolean }): Promise<void>;
  /** Whether the bus reported a change to the selected mailbox not yet sent to the client. */
  hasPendingChange(): boolean;
  /** Whether a password may be sent now (TLS, or plaintext logins allowed). */
  mayLogin(): boolean;
  /** Checks credentials and enters the authenticated state (with the failed-login delay on failure). */
  login(credentials: Credentials): Promise<Completion>;
  /** UNAUTHENTICATE (RFC 8437): forgets the user, the selection, ENABLE and NOTIFY; TLS and COMPRESS stay. */
  unauthenticate(): void;
  /** The capabilities to announce now (they change with TLS and login). */
  capabilities(): string[];
}
