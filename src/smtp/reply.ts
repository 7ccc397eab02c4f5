/**
 * SMTP replies from errors. smtp-server answers 550 to an error without `responseCode`, which would
 * turn a temporary failure into a bounce, so every error we hand it goes through here. Services
 * throw MailError; this maps it with the error catalogue (core/errors.ts); anything else is 451.
 */
import { describeError, isMailError } from '../core/errors.ts';
import { refusalReply } from '../submission/sending-rules.ts';

export interface SmtpError extends Error {
  responseCode: number;
  /** Close the connection once the reply is out (a pipeline stage's "reject and close"). */
  closeAfter?: boolean;
}

/** An error smtp-server will send as `code enhanced text`. */
export function smtpError(code: number, enhanced: string, text: string, closeAfter = false): SmtpError {
  return Object.assign(new Error(`${enhanced} ${text}`), { responseCode: code }, closeAfter ? { closeAfter } : {});
}

/**
 * The reply for a service error. The catalogue's public text is used unless `showMessage` (for
 * errors whose message is meant for the client, e.g. a policy refusal naming the address).
 */
export function smtpErrorFrom(err: unknown, showMessage = false): SmtpError {
  // A sending rule's refusal (submission/sending-rules.ts) names its own reply.
  const reply = refusalReply(err);
  if (reply) return smtpError(reply.code, reply.enhanced, (err as Error).message);
  const d = describeError(err);
  const text = showMessage && isMailError(err) ? err.message : d.public;
  return smtpError(d.smtp, d.enhanced, text);
}
