/** Notices about a user's quota (FEATURES P13), from the postmaster, plain text in Chinese and English. */
import { randomBytes } from 'node:crypto';
import { rfc5322Date } from '../../mime/date.ts';

function notice(w: { hostname: string; to: string; now: number }, subject: string, body: string): Buffer {
  return Buffer.from([
    `From: Postmaster <postmaster@${w.hostname}>`,
    `To: <${w.to}>`,
    `Subject: ${subject}`,
    `Date: ${rfc5322Date(w.now)}`,
    `Message-ID: <quota.${w.now.toString(36)}.${randomBytes(4).toString('hex')}@${w.hostname}>`,
    'Auto-Submitted: auto-generated',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    body,
    '',
  ].join('\r\n'), 'utf8');
}

/** When a delivery takes the mailbox past the warning percentage. */
export function buildQuotaWarning(w: { hostname: string; to: string; percent: number; quotaBytes: number; now: number }): Buffer {
  const mb = Math.round(w.quotaBytes / 1048576);
  const subject = `=?UTF-8?B?${Buffer.from(`邮箱容量警告 / Mailbox almost full (${w.percent}%)`).toString('base64')}?=`;
  const body = [
    `您的邮箱已使用 ${w.percent}% 的容量（共 ${mb} MB）。请删除不需要的邮件，以免无法接收新邮件。`,
    '',
    `Your mailbox is ${w.percent}% full (quota ${mb} MB). Please delete mail you no longer need, or new mail may be refused.`,
  ].join('\r\n');
  return notice(w, subject, body);
}

/**
 * To the owner of a mailbox that was too full for a message collected from another server
 * (MultiPOP/DomainPOP, manual §4.4.9 邮件下载控制): what it was and where it went.
 */
export function buildCollectedOverQuotaNotice(w: { hostname: string; to: string; from: string; subject: string; size: number;
  forwardedTo?: string; now: number }): Buffer {
  const kb = Math.ceil(w.size / 1024);
  const where = w.forwardedTo
    ? [`该邮件已转交邮件管理员 ${w.forwardedTo}。`, `It was passed to the mail administrator, ${w.forwardedTo}.`]
    : ['该邮件已被删除。', 'It was deleted.'];
  const body = [
    `您的邮箱已满，从外部邮箱收取的一封邮件（发件人：${w.from}，主题：${w.subject}，${kb} KB）无法投递。${where[0]}请删除不需要的邮件。`,
    '',
    `Your mailbox is full: a message collected from another server (from ${w.from}, subject "${w.subject}", ${kb} KB) could not be delivered. ${where[1]} Please delete mail you no longer need.`,
  ].join('\r\n');
  const subject = `=?UTF-8?B?${Buffer.from('邮箱已满，收取的邮件未投递 / Mailbox full: a collected message was not delivered').toString('base64')}?=`;
  return notice(w, subject, body);
}
