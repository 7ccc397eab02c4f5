/**
 * QUOTA (RFC 9208) backed by the user's quota (FEATURES P13): one root "" covering every folder,
 * STORAGE in KiB and MESSAGE in messages, each listed only when limited. Quotas are set by
 * administrators, so SETQUOTA is refused with [NOPERM].
 */
import { no, ok, type Completion, type ImapContext } from '../context.ts';
import type { GetQuotaCommand, MailboxCommand } from '../protocol/command.ts';
import { atom, formatMailboxName, Raw, untaggedData, type ImapValue } from '../protocol/serializer.ts';

async function quotaLine(ctx: ImapContext): Promise<Buffer> {
  const q = await ctx.deps.mailboxes.quota(ctx.user!.id);
  const resources: ImapValue[] = [];
  if (q.quotaBytes > 0) resources.push(atom('STORAGE'), Math.ceil(q.bytes / 1024), Math.floor(q.quotaBytes / 1024));
  if (q.quotaMessages > 0) resources.push(atom('MESSAGE'), q.messages, q.quotaMessages);
  return untaggedData([atom('QUOTA'), '', resources]);
}

export async function getQuota(ctx: ImapContext, cmd: GetQuotaCommand): Promise<Completion> {
  if (cmd.root !== '') return no(`No quota root "${cmd.root.slice(0, 40)}"`, 'NONEXISTENT');
  ctx.write(await quotaLine(ctx));
  return ok('GETQUOTA completed');
}

export async function getQuotaRoot(ctx: ImapContext, cmd: MailboxCommand): Promise<Completion> {
  const box = await ctx.deps.mailboxes.require(ctx.user!.id, cmd.mailbox);
  ctx.write(untaggedData([atom('QUOTAROOT'), new Raw(formatMailboxName(box.name, ctx.wire)), ''], ctx.wire));
  ctx.write(await quotaLine(ctx));
  return ok('GETQUOTAROOT completed');
}

export function setQuota(): Completion {
  return no('Quotas are set by the administrator', 'NOPERM');
}
