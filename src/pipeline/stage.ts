/**
 * What a protection stage is (DESIGN §2 pipeline/, STYLE §1.3): a named step that may act at
 * connect, HELO, MAIL, RCPT and the end of DATA and answers each with a Verdict; the runner
 * (session.ts) applies them. Stages only decide: they never write SMTP replies, never queue, and
 * never import smtp/. antispam/ and antivirus/ implement Stage; main.ts hands them to the pipeline.
 */
import type { Settings } from '../config/settings.ts';
import type { SessionProtocol } from '../core/log/session-log.ts';
import type { MimePart } from '../mime/mime-tree.ts';

export type Hook = 'connect' | 'helo' | 'mail' | 'rcpt' | 'data';

/** An SMTP reply a stage wants sent: code, enhanced status (RFC 3463) and text. */
export interface Reply {
  code: number;
  enhanced: string;
  text: string;
}

/** A contribution to the spam score (S12), with the rule that made it. */
export interface ScoreItem {
  rule: string;
  score: number;
  detail?: string;
}

/** A header field to remove from the incoming message: by name, and optionally by how its value starts. */
export interface HeaderMatch {
  name: string;
  valuePrefix?: string;
}

/**
 * What should become of a passing message besides delivery to its envelope (the content filter,
 * S6): smtp/ queues the message and all of these in one transaction. Later stages' routings merge.
 */
export interface Routing {
  /** Replaces the envelope recipients (redirect); [] = the message itself goes nowhere (deleted, copies still go). */
  recipients?: string[];
  /** Local recipients file it in this folder (queue entry meta.folder). */
  folder?: string;
  /** Copies of the message as queued (with the added headers), from the null sender; subjectTag goes before the subject. */
  copies: { to: string[]; reason: string; subjectTag?: string }[];
  /** Complete messages to send (notifications), from the null sender. */
  messages: { to: string[]; raw: Buffer; reason: string }[];
}

/** What may come with a passing verdict: header lines to add, fields to remove, and score contributions. */
interface Extras {
  /** Complete header fields without the final CRLF, e.g. 'Authentication-Results: mx; spf=pass …'. */
  headers?: string[];
  /** End of DATA: fields of the incoming message to remove (forged Authentication-Results, X-Spam-*). */
  strip?: HeaderMatch[];
  score?: ScoreItem[];
  /** End of DATA: redirect, copies, notifications, folder. */
  routing?: Routing;
}

export type Verdict =
  /** Nothing against it: the next stage runs. */
  | ({ kind: 'continue' } & Extras)
  /** Accepted for this step: no later stage runs at this hook (e.g. a whitelisted client). */
  | ({ kind: 'accept' } & Extras)
  /** 4xx: the client should try again later. `close` ends the session after the reply. */
  | { kind: 'tempfail'; reply: Reply; close?: boolean }
  /** 5xx: refused. `close` ends the session after the reply (SPF "550 and close"). */
  | { kind: 'reject'; reply: Reply; close?: boolean }
  /** End of DATA only: accept, but keep the message in the holding queue until the stage can decide (a scanner is down). */
  | { kind: 'hold'; reason: string; retrySec: number }
  /** End of DATA only: accept into the quarantine, deliver nothing. */
  | { kind: 'quarantine'; reason: string }
  /** End of DATA only: accept and drop. */
  | { kind: 'discard'; reason: string };

/** The client as the pipeline sees it. */
export interface Client {
  ip: string;
  port?: number;
  /** HELO/EHLO name, '' before it. */
  helo: string;
  /** mx (port 25), submission (587/465), or held (a held message scanned again from the queue). */
  kind: 'mx' | 'submission' | 'held';
  /** The authenticated user's address. */
  authUser?: string;
  /** The client is in the boot config's trustedNetworks. */
  trusted: boolean;
}

/** The message at the end of DATA, as received (line endings normalised; our own trace headers not yet added). */
export interface ReceivedMessage {
  raw: Buffer;
  /** The header block, latin1, without the empty line that ends it. */
  header: string;
}

/** What data stages see: the message, and its MIME structure and text parsed once for all of them. */
export interface PipelineMessage extends ReceivedMessage {
  /** The MIME tree (mime/mime-tree.ts), parsed on first use. */
  tree(): MimePart;
  /** Header and body text decoded to Unicode (mime/search-text.ts; body cut at antispam.maxScanBytes), on first use. */
  text(): { headers: string; body: string };
}

export interface StageContext {
  readonly client: Readonly<Client>;
  /** The snapshot the SMTP session took when it connected (STYLE §1.8). */
  readonly settings: Readonly<Settings>;
  /** The envelope sender from MAIL FROM ('' is the null sender); undefined before MAIL. */
  readonly sender: string | undefined;
  /** Recipients accepted so far in this transaction (at RCPT: before the one being checked). */
  readonly recipients: readonly string[];
  /** What stages concluded in this transaction, by stage name: later stages (scoring) read it. */
  readonly results: Map<string, unknown>;
  /** A line in this stage's session log (`*  text`). */
  log(text: string): void;
  /** Adds to today's counter '<stage>.<name>'. */
  count(name: string, n?: number): void;
  /** This stage's state for the whole SMTP session (created on first use). */
  sessionState<T>(init: () => T): T;
  now(): number;
}

export interface Stage {
  /** 'dnsbl', 'sender-auth', 'greylist', 'antivirus' …: counters, logs and held entries name it. */
  readonly name: string;
  /** The session log its lines go to. */
  readonly log: SessionProtocol;
  /** Clients the stage leaves alone: authenticated sessions and trusted networks (the manual, per stage). */
  readonly exempt: { authenticated: boolean; trusted: boolean };
  /** Whether it runs at all under these settings (read from the session's snapshot). */
  isEnabled(settings: Readonly<Settings>): boolean;
  connect?(ctx: StageContext): Promise<Verdict>;
  helo?(ctx: StageContext): Promise<Verdict>;
  mail?(ctx: StageContext): Promise<Verdict>;
  rcpt?(ctx: StageContext, rcpt: string): Promise<Verdict>;
  data?(ctx: StageContext, msg: PipelineMessage): Promise<Verdict>;
  /** Periodic clean-up (expired greylist triples …), called by the pipeline's housekeeping timer. */
  housekeep?(settings: Readonly<Settings>, now: number): Promise<void>;
}
