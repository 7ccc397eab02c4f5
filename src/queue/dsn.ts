/**
 * Delivery status notifications (RFC 3464, RFC 6522 multipart/report): the bounce for recipients
 * that failed, the "still trying" notice for delayed ones, and success notices (delivered here, or
 * relayed to a next hop without DSN) when the sender asked with NOTIFY=SUCCESS (RFC 3461 §6.2).
 * Sent from MAILER-DAEMON with the null sender, so a bounce can never bounce. The original is
 * quoted as headers plus at most bodyBytes of its body (message/rfc822), or headers only
 * (text/rfc822-headers); ENVID and ORCPT come back as Original-Envelope-Id and Original-Recipient.
 */
import { randomBytes } from 'node:crypto';
import type { SmtpReply } from '../delivery/transport.ts';
import { rfc5322Date } from '../mime/date.ts';

export interface DsnRecipient {
  rcpt: string;
  reply: SmtpReply;
  /** ORCPT as 'addr-type;address' (xtext decoded). */
  originalRecipient?: string;
}

export type DsnAction = 'failed' | 'delayed' | 'delivered' | 'relayed' | 'expanded';

export interface DsnInput {
  hostname: string;
  /** The original envelope sender: the bounce goes there. */
  to: string;
  action: DsnAction;
  /** ENVID of the original transaction. */
  envid?: string;
  recipients: DsnRecipient[];
  arrivalDate: number;
  now: number;
  original: Buffer;
  /** How much of the original body to quote; 0 quotes headers only. */
  bodyBytes: number;
  queueId: string;
}

const SUBJECT: Record<DsnAction, string> = {
  failed: 'Undelivered Mail Returned to Sender',
  delayed: 'Delayed Mail (still being retried)',
  delivered: 'Successful Mail Delivery Report',
  relayed: 'Successful Mail Delivery Report',
  expanded: 'Successful Mail Delivery Report',
};

const TEXT: Record<DsnAction, string> = {
  failed: 'Your message could not be delivered to one or more recipients.\r\n您的邮件未能投递给下列收件人。',
  delayed: 'Your message has not been delivered yet; we will keep trying.\r\n您的邮件暂时未能投递，系统会继续重试。',
  delivered: 'Your message was delivered to the mailbox of the recipients below.\r\n您的邮件已投递到下列收件人的邮箱。',
  relayed: 'Your message was passed on to the recipients\' mail system, which sends no further notices.\r\n' +
    '您的邮件已转交给收件方的邮件系统（该系统不再发送投递通知）。',
  expanded: 'Your message was delivered to the alias or mailing list below, which passed it on to its members.\r\n' +
    '您的邮件已投递到下列别名或邮件列表，并已分发给其成员。',
};

const wrap = (s: string) => s.replace(/[\r\n]+/g, ' ').slice(0, 900);

export function buildDsn(d: DsnInput): Buffer {
  const boundary = `=_youju_${randomBytes(8).toString('hex')}`;
  const failed = d.action === 'failed';
  const human = [
    `This is the mail system at ${d.hostname}.\r\n\r\n${TEXT[d.action]}`,
    '',
    ...d.recipients.map((r) => `<${r.rcpt}>: ${wrap(`${r.reply.code} ${r.reply.enhanced} ${r.reply.text}`)}` +
      (r.reply.remoteMta ? ` (from ${r.reply.remoteMta})` : '')),
  ].join('\r\n');

  const perRecipient = d.recipients.map((r) => [
    ...(r.originalRecipient ? [`Original-Recipient: ${r.originalRecipient.replace(/;\s*/, '; ')}`] : []),
    `Final-Recipient: rfc822; ${r.rcpt}`,
    `Action: ${d.action}`,
    `Status: ${r.reply.enhanced || (failed ? '5.0.0' : d.action === 'delayed' ? '4.0.0' : '2.0.0')}`,
    ...(r.reply.remoteMta ? [`Remote-MTA: dns; ${r.reply.remoteMta}`] : []),
    `Diagnostic-Code: smtp; ${wrap(`${r.reply.code} ${r.reply.text}`)}`,
    ...(d.action === 'delayed' ? [`Will-Retry-Until: ${rfc5322Date(d.now + 86400_000)}`] : []),
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
    `Subject: ${SUBJECT[d.action]}`,
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
    ...(d.envid ? [`Original-Envelope-Id: ${wrap(d.envid)}`] : []),
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
