/**
 * Local and remote delivery are siblings behind one interface (Postfix `local` / `smtp`). A
 * transport takes one message and the recipients routed to it and reports an SMTP-style outcome
 * per recipient, so retries and DSN bounces (queue/) are written once for both.
 * A transport never throws for a recipient's failure: it reports it. It throws only when it could
 * not run at all (then every recipient counts as deferred).
 */
import type { BlobId, QueueId } from '../core/ids.ts';
import type { StoreTx } from '../store/store.ts';

export interface SmtpReply {
  /** 250, 451, 550 … */
  code: number;
  /** RFC 3463 enhanced status, e.g. '5.1.1'. */
  enhanced: string;
  text: string;
  /** Who said it: 'mx.example.net[192.0.2.1]' for remote replies, our hostname for local ones. */
  remoteMta?: string;
  /**
   * Set on a 2xx from a next hop that advertised DSN and got the sender's NOTIFY/ORCPT (RFC 3461
   * §6.2.1): notices are its job from there, so we send no "relayed" success notice.
   */
  nextHopDsn?: boolean;
}

export interface DeliveryJob {
  queueId: QueueId;
  /** Envelope sender; '' is the null sender <>. */
  sender: string;
  /** Envelope recipients for this transport (normalised addresses). */
  recipients: string[];
  blobId: BlobId;
  size: number;
  /** Envelope data carried from SMTP (auth user, client IP, helo, DSN options, hop count …). */
  meta: Record<string, unknown>;
  /**
   * Records recipients' results in the queue inside the caller's transaction (the queue's one rule
   * for attempts, retry times and expiry). Local delivery calls it with its appends; a transport
   * that has no transaction of its own just returns results and the runner records them.
   */
  record(tx: StoreTx, results: readonly RecipientResult[]): Promise<void>;
}

export type RecipientOutcome = 'delivered' | 'deferred' | 'failed';

export interface RecipientResult {
  rcpt: string;
  outcome: RecipientOutcome;
  reply: SmtpReply;
  /** Delivered to an alias or list that reached more than one address (RFC 3461 §6.2.7.3: "expanded"). */
  expanded?: boolean;
}

export interface Transport {
  readonly name: 'local' | 'smtp' | 'relay' | 'discard';
  deliver(job: DeliveryJob, signal: AbortSignal): Promise<RecipientResult[]>;
}

export const reply = (code: number, enhanced: string, text: string, remoteMta?: string): SmtpReply =>
  ({ code, enhanced, text, ...(remoteMta ? { remoteMta } : {}) });

/** The outcome an SMTP code means: 2xx delivered, 4xx deferred, 5xx failed. */
export const outcomeOf = (code: number): RecipientOutcome => (code < 400 ? 'delivered' : code < 500 ? 'deferred' : 'failed');
