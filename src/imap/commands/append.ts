/**
 * APPEND (RFC 3501 §6.3.11) with MULTIAPPEND (RFC 3502: several messages, all stored or none,
 * [APPENDUID v uid-set]), CATENATE (RFC 4469, catenate.ts), UIDPLUS's [APPENDUID] (RFC 4315),
 * APPENDLIMIT (RFC 7889, enforced by the reader before a literal is sent, and here for a catenated
 * message), binary literals (RFC 3516) and UTF8 (RFC 6855). The quota applies to the messages
 * together (NO [OVERQUOTA]); a missing folder is NO [TRYCREATE]. A header section with a NUL byte
 * or a field name with control characters is refused (NO [PARSE]), as SMTP refuses it.
 */
import { isMailError } from '../../core/errors.ts';
import { headerDefect } from '../../mime/header-check.ts';
import type { AppendInput } from '../../mailbox/mailbox-service.ts';
import { no, ok, type Completion, type ImapContext } from '../context.ts';
import type { AppendCommand } from '../protocol/command.ts';
import { catenate, CatenateError } from './catenate.ts';

export async function append(ctx: ImapContext, cmd: AppendCommand): Promise<Completion> {
  const inputs: AppendInput[] = [];
  for (const m of cmd.messages) {
    let raw: Buffer;
    if (m.catenate) {
      try {
        raw = await catenate(ctx, m.catenate);
      } catch (err) {
        if (err instanceof CatenateError) return no(err.message, err.code);
        throw err;
      }
    } else {
      raw = m.message!;
    }
    if (raw.length > ctx.settings.imap.appendLimitBytes) return no('Message is larger than APPENDLIMIT', 'TOOBIG');
    const defect = headerDefect(raw);
    if (defect) return no(`Message refused: ${defect}`, 'PARSE');
    inputs.push({ raw, flags: m.flags, internalDate: m.internalDate?.getTime() });
  }
  let result;
  try {
    result = await ctx.deps.mailboxes.appendMany(ctx.user!.id, cmd.mailbox, inputs);
  } catch (err) {
    if (isMailError(err, 'NOT_FOUND')) return no(`No folder "${cmd.mailbox}"`, 'TRYCREATE');
    throw err;
  }
  const bytes = inputs.reduce((n, i) => n + i.raw.length, 0);
  ctx.log.note(`appended ${inputs.length} message(s), ${bytes} bytes, to ${result.mailbox.name} as uid ${result.uids.join(',')}`);
  const uids = result.uids.length === 1 ? result.uids[0]! : result.uids;
  return ok('APPEND completed', { code: 'APPENDUID', uidvalidity: result.mailbox.uidvalidity, uids });
}
