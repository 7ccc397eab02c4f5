/**
 * NOTIFY (RFC 5465): NOTIFY NONE stops notifications; NOTIFY SET [STATUS] replaces what the session
 * hears of (notify.ts keeps it, session.ts sends it unprompted between commands). Supported events:
 * MessageNew (with fetch attributes for the selected mailbox), MessageExpunge, FlagChange,
 * MailboxName, SubscriptionChange; others are NO [BADEVENT (…)] (§5). The rules of §5–6 are BAD:
 * MessageNew and MessageExpunge only together, FlagChange only with both, no mailbox events for
 * SELECTED, one SELECTED filter at most.
 */
import { bad, no, ok, type Completion, type ImapContext } from '../context.ts';
import { NotifyState } from '../notify.ts';
import type { NotifyCommand } from '../protocol/command.ts';

export const NOTIFY_EVENTS = ['MessageNew', 'MessageExpunge', 'FlagChange', 'MailboxName', 'SubscriptionChange'];

export async function notify(ctx: ImapContext, cmd: NotifyCommand): Promise<Completion> {
  if (!cmd.set) {
    ctx.notify = undefined;
    return ok('NOTIFY completed');
  }
  let selectedGroups = 0;
  for (const g of cmd.set.groups) {
    const has = (e: string) => g.events.includes(e);
    const isSelected = g.filter.kind === 'selected' || g.filter.kind === 'selected-delayed';
    if (isSelected && ++selectedGroups > 1) return bad('Only one SELECTED or SELECTED-DELAYED filter');
    if (has('MessageNew') !== has('MessageExpunge')) return bad('MessageNew and MessageExpunge must be given together');
    if ((has('FlagChange') || has('AnnotationChange')) && !has('MessageNew')) return bad('FlagChange needs MessageNew and MessageExpunge');
    if (isSelected && g.events.some((e) => e === 'MailboxName' || e === 'SubscriptionChange' || e.endsWith('MetadataChange'))) {
      return bad('Mailbox events cannot be asked for the selected mailbox');
    }
  }
  const unsupported = cmd.set.groups.flatMap((g) => g.events).filter((e) => !NOTIFY_EVENTS.includes(e));
  if (unsupported.length > 0) return no(`Unsupported event ${unsupported[0]!.slice(0, 30)}`, { code: 'BADEVENT', events: NOTIFY_EVENTS });
  const state = new NotifyState(cmd.set.groups);
  await state.start(ctx, cmd.set.status);
  ctx.notify = state;
  return ok('NOTIFY completed');
}
