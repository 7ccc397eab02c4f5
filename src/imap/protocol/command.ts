/**
 * The typed result of parsing: one discriminated union `Command`, keyed by `name` (the RFC verb; UID
 * forms keep the verb and set `uid: true`), each with its arguments already validated and decoded
 * (mailbox names to Unicode, strings to text, dates to Date or "YYYY-MM-DD", modseqs to bigint).
 * RFC 3501 §6 plus IDLE (2177), NAMESPACE (2342), UNSELECT (3691), MOVE (6851), UIDPLUS (4315),
 * ENABLE (5161), ID (2971), QUOTA (9208), COMPRESS (4978), SORT/THREAD (5256), LIST-EXTENDED (5258,
 * 5819, 6154), CONDSTORE/QRESYNC (7162), ESEARCH (4731), SEARCHRES (5182), BINARY (3516), MULTIAPPEND
 * (3502), CATENATE (4469), CONTEXT (5267). Types only.
 */
import type { FetchAttribute } from './parse-fetch.ts';
import type { PartialWindow, SearchKey, SearchReturnOption, SortCriterion } from './parse-search.ts';
import type { SequenceSet } from './sequence-set.ts';

export interface ParseOptions {
  /** The session enabled UTF8=ACCEPT (RFC 6855): mailbox names are UTF-8, not modified UTF-7. */
  utf8?: boolean;
}

interface Base<N extends string> {
  tag: string;
  name: N;
}

export type StatusItem =
  | 'MESSAGES' | 'RECENT' | 'UIDNEXT' | 'UIDVALIDITY' | 'UNSEEN' | 'HIGHESTMODSEQ' | 'SIZE' | 'DELETED' | 'APPENDLIMIT';

/** SELECT/EXAMINE (QRESYNC (uidvalidity modseq [known-uids [(seq-match)]])), RFC 7162 §3.2.5. */
export interface QresyncParams {
  uidvalidity: number;
  modseq: bigint;
  knownUids?: SequenceSet;
  seqMatch?: { sequences: SequenceSet; uids: SequenceSet };
}

/** LIST selection options (RFC 5258 §3, RFC 6154 §5.1). */
export interface ListSelection {
  subscribed: boolean;
  remote: boolean;
  recursiveMatch: boolean;
  specialUse: boolean;
}

/** LIST return options (RFC 5258 §3, RFC 5819, RFC 6154 §5.2). */
export interface ListReturn {
  subscribed: boolean;
  children: boolean;
  specialUse: boolean;
  status?: StatusItem[];
}

export type SimpleCommand =
  | Base<'CAPABILITY'> | Base<'NOOP'> | Base<'LOGOUT'> | Base<'STARTTLS'> | Base<'CHECK'> | Base<'CLOSE'>
  | Base<'UNSELECT'> | Base<'IDLE'> | Base<'NAMESPACE'> | Base<'UNAUTHENTICATE'>;

export type ExpungeCommand = (Base<'EXPUNGE'> & { uid: false }) | (Base<'EXPUNGE'> & { uid: true; sequenceSet: SequenceSet });

export interface AuthenticateCommand extends Base<'AUTHENTICATE'> {
  /** Upper-cased SASL mechanism. */
  mechanism: string;
  /** SASL-IR (RFC 4959): decoded initial response; "=" gives an empty Buffer. */
  initialResponse?: Buffer;
}
export interface LoginCommand extends Base<'LOGIN'> {
  username: string;
  password: string;
}
export interface SelectCommand extends Base<'SELECT' | 'EXAMINE'> {
  mailbox: string;
  condstore: boolean;
  qresync?: QresyncParams;
}
export interface CreateCommand extends Base<'CREATE'> {
  mailbox: string;
  /** CREATE … (USE (\Drafts)) — RFC 6154 §3, canonical case. */
  specialUse: string[];
}
export interface MailboxCommand extends Base<'DELETE' | 'SUBSCRIBE' | 'UNSUBSCRIBE' | 'GETQUOTAROOT'> {
  mailbox: string;
}
export interface RenameCommand extends Base<'RENAME'> {
  from: string;
  to: string;
}
export interface ListCommand extends Base<'LIST'> {
  reference: string;
  patterns: string[];
  selection: ListSelection;
  returns: ListReturn;
  /** Any LIST-EXTENDED syntax was used (selection, several patterns, RETURN). */
  extended: boolean;
}
export interface LsubCommand extends Base<'LSUB'> {
  reference: string;
  pattern: string;
}
export interface StatusCommand extends Base<'STATUS'> {
  mailbox: string;
  items: StatusItem[];
}
/** One part of a CATENATE (RFC 4469 §5): literal text, or an IMAP URL of a message or part to copy. */
export type CatenatePart = { kind: 'text'; bytes: Buffer } | { kind: 'url'; url: string };

/** One message of an APPEND (MULTIAPPEND, RFC 3502, sends several). */
export interface AppendMessage {
  flags: string[];
  internalDate?: Date;
  /** The message as one literal; absent for a CATENATE. */
  message?: Buffer;
  /** CATENATE (…) parts in order (RFC 4469). */
  catenate?: CatenatePart[];
  /** Sent as literal8 (RFC 3516) or inside UTF8 (…) (RFC 6855 §4). */
  binary: boolean;
  utf8: boolean;
}
export interface AppendCommand extends Base<'APPEND'> {
  mailbox: string;
  /** At least one; all are appended or none (RFC 3502 §6.3.11). */
  messages: AppendMessage[];
}
export interface SearchCommand extends Base<'SEARCH'> {
  uid: boolean;
  /** Upper-cased CHARSET, absent when not given (US-ASCII). */
  charset?: string;
  criteria: SearchKey;
  /** ESEARCH RETURN options (RFC 4731; "RETURN ()" means ALL); absent for a plain SEARCH. */
  returnOptions?: SearchReturnOption[];
  /** RETURN (PARTIAL n:m) — RFC 5267 §4.4, RFC 9394. */
  partial?: PartialWindow;
}
export interface FetchCommand extends Base<'FETCH'> {
  uid: boolean;
  sequenceSet: SequenceSet;
  attributes: FetchAttribute[];
  changedSince?: bigint;
  /** VANISHED modifier (UID FETCH only, with CHANGEDSINCE; RFC 7162 §3.2.6). */
  vanished: boolean;
}
export interface StoreCommand extends Base<'STORE'> {
  uid: boolean;
  sequenceSet: SequenceSet;
  unchangedSince?: bigint;
  operation: 'replace' | 'add' | 'remove';
  silent: boolean;
  flags: string[];
}
export interface CopyCommand extends Base<'COPY' | 'MOVE'> {
  uid: boolean;
  sequenceSet: SequenceSet;
  mailbox: string;
}
export interface EnableCommand extends Base<'ENABLE'> {
  /** Upper-cased. */
  capabilities: string[];
}
export interface IdCommand extends Base<'ID'> {
  /** null for "ID NIL"; field names as sent (compare case-insensitively). */
  params: Array<{ field: string; value: string | null }> | null;
}
export interface GetQuotaCommand extends Base<'GETQUOTA'> {
  root: string;
}
export interface SetQuotaCommand extends Base<'SETQUOTA'> {
  root: string;
  /** Upper-cased resource names (STORAGE in KiB, MESSAGE, MAILBOX …, RFC 9208 §5). */
  limits: Array<{ resource: string; limit: number }>;
}
export interface CompressCommand extends Base<'COMPRESS'> {
  mechanism: string;
}
export interface SortCommand extends Base<'SORT'> {
  uid: boolean;
  criteria: SortCriterion[];
  charset: string;
  search: SearchKey;
  /** ESORT RETURN options (RFC 5267), absent for a plain SORT. */
  returnOptions?: SearchReturnOption[];
  partial?: PartialWindow;
}
export interface ThreadCommand extends Base<'THREAD'> {
  uid: boolean;
  /** Upper-cased: ORDEREDSUBJECT, REFERENCES or an extension. */
  algorithm: string;
  charset: string;
  search: SearchKey;
}

/** CANCELUPDATE tag-string *(SP tag-string) — RFC 5267 §4.3.5. */
export interface CancelUpdateCommand extends Base<'CANCELUPDATE'> {
  tags: string[];
}

/** NOTIFY filters (RFC 5465 §6). */
export type NotifyFilter =
  | { kind: 'selected' | 'selected-delayed' | 'inboxes' | 'personal' | 'subscribed' }
  | { kind: 'subtree' | 'mailboxes'; names: string[] };
export interface NotifyGroup {
  filter: NotifyFilter;
  /** Event names as the RFC spells them (MessageNew …); empty for NONE. */
  events: string[];
  /** MessageNew's fetch attributes (RFC 5465 §5.2). */
  fetch?: FetchAttribute[];
}
/** NOTIFY NONE (set undefined) or NOTIFY SET [STATUS] groups — RFC 5465 §3. */
export interface NotifyCommand extends Base<'NOTIFY'> {
  set: { status: boolean; groups: NotifyGroup[] } | undefined;
}

export type Command =
  | SimpleCommand | ExpungeCommand | AuthenticateCommand | LoginCommand | SelectCommand | CreateCommand
  | MailboxCommand | RenameCommand | ListCommand | LsubCommand | StatusCommand | AppendCommand | SearchCommand
  | FetchCommand | StoreCommand | CopyCommand | EnableCommand | IdCommand | GetQuotaCommand | SetQuotaCommand
  | CompressCommand | SortCommand | ThreadCommand | CancelUpdateCommand | NotifyCommand;

export type CommandName = Command['name'];

/** The line a client sends to end IDLE (RFC 2177); it has no tag. */
export interface IdleDone {
  name: 'DONE';
}

/** A client line during AUTHENTICATE: base64 data, or "*" to cancel (RFC 3501 §6.2.2). */
export type AuthenticateResponse = { cancelled: true } | { cancelled: false; data: Buffer };
