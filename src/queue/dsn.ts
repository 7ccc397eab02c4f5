/**
 * Delivery status notifications (RFC 3464, RFC 6522 multipart/report): the bounce for recipients
 * that failed and the "still trying" notice for delayed ones. Sent from MAILER-DAEMON with the null
 * sender, so a bounce can never bounce. The original is quoted as headers plus at most
 * bounceIncludesBodyBytes of its body (message/rfc822), or headers only (text/rfc822-headers).
 */
import { randomBytes } from 'node:crypto';
import type { SmtpReply } from '../delivery/transport.ts';
import { rfc5322Date } from '../mime/date.ts';

export interface DsnRecipient {
  rcpt: string;
  reply: SmtpReply;
}

export interface DsnInput {
  hostname: string;
  /** The original envelope sender: the bounce goes there. */
  to: string;
  action: 'failed' | 'delayed';
  recipients: DsnRecipient[];
  arrivalDate: number;
  now: number;
  original: Buffer;
  /** How much of the original body to quote; 0 quotes headers only. */
  bodyBytes: number;
  queueId: string;
}

const wrap = (s: string) => s.replace(/[\r\n]+/g, ' ').slice(0, 900);

export function buildDsn(d: DsnInput): Buffer {
  const boundary = `=_youju_${randomBytes(8).toString('hex')}`;
  const failed = d.action === 'failed';
  const subject = failed ? 'Undelivered Mail Returned to Sender' : 'Delayed Mail (still being retried)';
  const human = [
    failed
      ? `This is the mail system at ${d.hostname}.\r\n\r\nYour message could not be delivered to one or more recipients.\r\n` +
        `您的邮件未能投递给下列收件人。`
      : `This is the mail system at ${d.hostname}.\r\n\r\nYour message has not been delivered yet; we will keep trying.\r\n` +
        `您的邮件暂时未能投递，系统会继续重试。`,
    '',
    ...d.recipients.map((r) => `<${r.rcpt}>: ${wrap(`${r.reply.code} ${r.reply.enhanced} ${r.reply.text}`)}` +
      (r.reply.remoteMta ? ` (from ${r.reply.remoteMta})` : '')),
  ].join('\r\n');

  const perRecipient = d.recipients.map((r) => [
    `Final-Recipient: rfc822; ${r.rcpt}`,
    `Action: ${d.action}`,
    `Status: ${r.reply.enhanced || (failed ? '5.0.0' : '4.0.0')}`,
    ...(r.reply.remoteMta ? [`Remote-MTA: dns; ${r.reply.remoteMta}`] : []),
    `Diagnostic-Code: smtp; ${wrap(`${r.reply.code} ${r.reply.text}`)}`,
    ...(failed ? [] : [`Will-Retry-Until: ${rfc5322Date(d.now + 86400_000)}`]),
  ].join('\r\n')).join('\r\n\r\n');

  const headerEnd = d.original.indexOf('\r\n\r\n');
  const headers = headerEnd < 0 ? d.original : d.original.subarray(0, headerEnd + 2);
  const quoted = d.bodyBytes > 0 && headerEnd >= 0
    ? d.original.subarray(0, Math.min(d.original.length, headerEnd + 4 + d.bodyBytes))
    : headers;
  const quotedType = d.bodyBytes > 0 ? 'message/rfc822' : 'text/rfc822-headers';

  const head = [
    `From: Mail Delivery System <MAILER-DAEMON@${d.hostname}>`,
    `To: <${d.to}>`,
    `Subject: ${subject}`,
    `Date: ${rfc5322Date(d.now)}`,
    `Message-ID: <dsn.${d.queueId}.${randomBytes(4).toString('hex')}@${d.hostname}>`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    human,
    '',
    `--${boundary}`,
    'Content-Type: message/delivery-status',
    '',
    `Reporting-MTA: dns; ${d.hostname}`,
    `X-Youju-Queue-ID: ${d.queueId}`,
    `Arrival-Date: ${rfc5322Date(d.arrivalDate)}`,
    '',
    perRecipient,
    '',
    `--${boundary}`,
    `Content-Type: ${quotedType}`,
    '',
    '',
  ].join('\r\n');
  return Buffer.concat([Buffer.from(head, 'utf8'), quoted, Buffer.from(`\r\n--${boundary}--\r\n`)]);
}
