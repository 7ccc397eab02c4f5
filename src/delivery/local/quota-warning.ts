/** The notice a user gets when a delivery takes their mailbox past the warning percentage (FEATURES P13). */
import { randomBytes } from 'node:crypto';
import { rfc5322Date } from '../../mime/date.ts';

export function buildQuotaWarning(w: { hostname: string; to: string; percent: number; quotaBytes: number; now: number }): Buffer {
  const mb = Math.round(w.quotaBytes / 1048576);
  const subject = `=?UTF-8?B?${Buffer.from(`邮箱容量警告 / Mailbox almost full (${w.percent}%)`).toString('base64')}?=`;
  const body = [
    `您的邮箱已使用 ${w.percent}% 的容量（共 ${mb} MB）。请删除不需要的邮件，以免无法接收新邮件。`,
    '',
    `Your mailbox is ${w.percent}% full (quota ${mb} MB). Please delete mail you no longer need, or new mail may be refused.`,
  ].join('\r\n');
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
