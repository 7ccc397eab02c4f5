/**
 * Folder commands (RFC 3501 §6.3): CREATE (with USE, RFC 6154 §3), DELETE, RENAME, SUBSCRIBE,
 * UNSUBSCRIBE and STATUS (with HIGHESTMODSEQ, RFC 7162; SIZE, RFC 8438; DELETED and APPENDLIMIT).
 * The rules (system folders fixed, names checked) live in MailboxService.
 */
import { MailError } from '../../core/errors.ts';
import { isSystemFolder, SEPARATOR } from '../../mailbox/mailbox-service.ts';
import type { Mailbox, SpecialUse } from '../../store/store.ts';
import { no, ok, type Completion, type ImapContext } from '../context.ts';
import type { CreateCommand, MailboxCommand, RenameCommand, StatusCommand, StatusItem } from '../protocol/command.ts';
import { atom, formatMailboxName, Raw, untaggedData, type ImapValue } from '../protocol/serializer.ts';

const CREATABLE_USES: Record<string, SpecialUse> = {
  '\\Drafts': '\\Drafts', '\\Sent': '\\Sent', '\\Trash': '\\Trash', '\\Junk': '\\Junk', '\\Archive': '\\Archive',
};

export async function create(ctx: ImapContext, cmd: CreateCommand): Promise<Completion> {
  if (cmd.specialUse.length > 1) return no('Only one special use per folder', 'USEATTR');
  const use = cmd.specialUse[0];
  if (use !== undefined && !CREATABLE_USES[use]) return no(`${use} cannot be given to a folder here`, 'USEATTR');
  if (cmd.mailbox.toUpperCase() === 'INBOX') return no('INBOX always exists', 'ALREADYEXISTS');
  await ctx.deps.mailboxes.create(ctx.user!.id, cmd.mailbox, use === undefined ? undefined : CREATABLE_USES[use]);
  return ok('CREATE completed');
}

export async function deleteMailbox(ctx: ImapContext, cmd: MailboxCommand): Promise<Completion> {
  const box = await ctx.deps.mailboxes.require(ctx.user!.id, cmd.mailbox);
  if (ctx.selected?.mailbox.id === box.id) return no('Unselect the folder before deleting it', 'INUSE');
  // A folder with subfolders is not turned into a \Noselect name here: NO [HASCHILDREN] (RFC 9051 §6.3.4, §7.1).
  const below = `${box.name}${SEPARATOR}`;
  if (!isSystemFolder(box) && (await ctx.deps.mailboxes.list(ctx.user!.id)).some((m) => m.name.startsWith(below))) {
    return no(`"${box.name}" has subfolders: delete them first`, 'HASCHILDREN');
  }
  await ctx.deps.mailboxes.delete(ctx.user!.id, cmd.mailbox);
  return ok('DELETE completed');
}

export async function rename(ctx: ImapContext, cmd: RenameCommand): Promise<Completion> {
  if (cmd.from.toUpperCase() === 'INBOX') {
    // RFC 3501 §6.3.5, RFC 9051 §6.3.6: INBOX's messages move to a new folder of that name; INBOX
    // stays, empty, and its subfolders are not touched. The folder is created first, so a failed
    // move leaves every message where it was.
    if (cmd.to.toUpperCase() === 'INBOX') return no('INBOX cannot be renamed to itself', 'ALREADYEXISTS');
    const userId = ctx.user!.id;
    const inbox = await ctx.deps.mailboxes.require(userId, 'INBOX');
    const target = await ctx.deps.mailboxes.create(userId, cmd.to);
    await ctx.deps.mailboxes.move(inbox.id, [{ from: 1, to: Number.MAX_SAFE_INTEGER }], target.id);
    return ok('RENAME completed');
  }
  await ctx.deps.mailboxes.rename(ctx.user!.id, cmd.from, cmd.to);
  return ok('RENAME completed');
}

export async function subscribe(ctx: ImapContext, cmd: MailboxCommand): Promise<Completion> {
  const on = cmd.name === 'SUBSCRIBE';
  try {
    await ctx.deps.mailboxes.subscribe(ctx.user!.id, cmd.mailbox, on);
  } catch (err) {
    // Unsubscribing a folder that no longer exists is fine (RFC 3501 §6.3.7 allows dangling subscriptions).
    if (!(on === false && err instanceof MailError && err.code === 'NOT_FOUND')) throw err;
  }
  return ok(`${cmd.name} completed`);
}

export async function status(ctx: ImapContext, cmd: StatusCommand): Promise<Completion> {
  const box = await ctx.deps.mailboxes.require(ctx.user!.id, cmd.mailbox);
  ctx.write(await statusResponse(ctx, box, cmd.items));
  return ok('STATUS completed');
}

/** `* STATUS name (item value …)`, for STATUS and LIST RETURN (STATUS …). */
export async function statusResponse(ctx: ImapContext, box: Mailbox, items: readonly StatusItem[]): Promise<Buffer> {
  const values: ImapValue[] = [];
  let deleted: number | undefined;
  for (const item of items) {
    let v: ImapValue;
    switch (item) {
      case 'MESSAGES': v = box.messages; break;
      case 'RECENT': v = 0; break;
      case 'UIDNEXT': v = box.uidnext; break;
      case 'UIDVALIDITY': v = box.uidvalidity; break;
      case 'UNSEEN': v = box.unseen; break;
      case 'HIGHESTMODSEQ': v = box.highestmodseq; ctx.enabled.add('CONDSTORE'); break; // CONDSTORE enabling (RFC 7162 §3.1)
      case 'SIZE': v = box.bytes; break;
      case 'APPENDLIMIT': v = ctx.settings.imap.appendLimitBytes; break;
      case 'DELETED':
        deleted ??= (await ctx.deps.mailboxes.index(box.id)).flags.filter((f) => f.split(' ').includes('\\Deleted')).length;
        v = deleted;
        break;
    }
    values.push(atom(item), v);
  }
  return untaggedData([atom('STATUS'), new Raw(formatMailboxName(box.name, ctx.wire)), values], ctx.wire);
}
