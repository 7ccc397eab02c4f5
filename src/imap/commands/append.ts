/**
 * APPEND (RFC 3501 §6.3.11) with UIDPLUS's [APPENDUID] (RFC 4315), APPENDLIMIT (RFC 7889, enforced
 * by the reader before the literal is sent), binary literals (RFC 3516) and UTF8 (RFC 6855). The
 * quota applies (NO [OVERQUOTA]); a missing folder is NO [TRYCREATE]. A header section with a NUL
 * byte or a field name with control characters is refused (NO [PARSE]), as SMTP refuses it.
 */
import { isMailError } from '../../core/errors.ts';
import { headerDefect } from '../../mime/header-check.ts';
import { no, ok, type Completion, type ImapContext } from '../context.ts';
import type { AppendCommand } from '../protocol/command.ts';

export async function append(ctx: ImapContext, cmd: AppendCommand): Promise<Completion> {
  if (cmd.message.length > ctx.settings.imap.appendLimitBytes) return no('Message is larger than APPENDLIMIT', 'TOOBIG');
  const defect = headerDefect(cmd.message);
  if (defect) return no(`Message refused: ${defect}`, 'PARSE');
  let result;
  try {
    result = await ctx.deps.mailboxes.append(ctx.user!.id, cmd.mailbox, {
      raw: cmd.message,
      flags: cmd.flags,
      internalDate: cmd.internalDate?.getTime(),
    });
  } catch (err) {
    if (isMailError(err, 'NOT_FOUND')) return no(`No folder "${cmd.mailbox}"`, 'TRYCREATE');
    throw err;
  }
  ctx.log.note(`appended ${cmd.message.length} bytes to ${result.mailbox.name} as uid ${result.uid}`);
  return ok('APPEND completed', { code: 'APPENDUID', uidvalidity: result.mailbox.uidvalidity, uids: result.uid });
}
