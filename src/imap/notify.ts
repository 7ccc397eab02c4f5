/**
 * What a session asked to hear of with NOTIFY (RFC 5465) and what it was last told. The selected
 * mailbox's events are the session's ordinary updates, sent unprompted between commands (SELECTED;
 * SELECTED-DELAYED holds back expunges until a command allows them, §6) and followed by a FETCH of
 * MessageNew's attributes (§5.2). Other mailboxes are compared with the last snapshot whenever the
 * bus says one of the user's mailboxes or the folder list changed (on any node): a changed count is
 * `* STATUS` (MESSAGES UIDNEXT UNSEEN, UNSEEN alone for flags, HIGHESTMODSEQ under CONDSTORE, as
 * Dovecot sends them), a created, renamed or deleted folder `* LIST` (with OLDNAME, or \NonExistent,
 * §5.4), a subscription change `* LIST` with or without \Subscribed (§5.5).
 */
import type { Mailbox } from '../store/store.ts';
import type { MailboxId } from '../core/ids.ts';
import { SEPARATOR } from '../mailbox/mailbox-service.ts';
import type { ImapContext, NotifyInterest } from './context.ts';
import type { NotifyFilter, NotifyGroup, StatusItem } from './protocol/command.ts';
import type { FetchAttribute } from './protocol/parse-fetch.ts';
import { atom, formatMailboxName, Raw, untaggedData } from './protocol/serializer.ts';
import { listLine, mailboxAttributes } from './commands/list.ts';
import { statusResponse } from './commands/mailbox-commands.ts';

interface Seen {
  name: string;
  subscribed: boolean;
  messages: number;
  uidnext: number;
  unseen: number;
  uidvalidity: number;
  highestmodseq: number;
}

const seen = (b: Mailbox): Seen => ({
  name: b.name, subscribed: b.subscribed, messages: b.messages, uidnext: b.uidnext, unseen: b.unseen,
  uidvalidity: b.uidvalidity, highestmodseq: b.highestmodseq,
});

export class NotifyState implements NotifyInterest {
  /** SELECTED or SELECTED-DELAYED, when the selected mailbox's events are wanted. */
  readonly selected: 'selected' | 'selected-delayed' | undefined;
  /** MessageNew's fetch attributes for the selected mailbox. */
  readonly fetch: FetchAttribute[] | undefined;
  private readonly others: NotifyGroup[];
  private boxes = new Map<MailboxId, Seen>();

  constructor(groups: readonly NotifyGroup[]) {
    const sel = groups.find((g) => g.filter.kind === 'selected' || g.filter.kind === 'selected-delayed');
    this.selected = sel && sel.events.length > 0 ? (sel.filter.kind as 'selected' | 'selected-delayed') : undefined;
    this.fetch = sel?.fetch;
    this.others = groups.filter((g) => g !== sel && g.events.length > 0);
  }

  /** Whether `event` is wanted for the (non-selected) mailbox `name`; the first group naming it decides (§6). */
  wants(name: string, subscribed: boolean, event: string): boolean {
    const group = this.others.find((g) => matches(g.filter, name, subscribed));
    return group !== undefined && group.events.includes(event);
  }

  /** Takes the starting snapshot; with STATUS, a STATUS response for each watched mailbox (§3). */
  async start(ctx: ImapContext, sendStatus: boolean): Promise<void> {
    const boxes = await ctx.deps.mailboxes.list(ctx.user!.id);
    this.boxes = new Map(boxes.map((b) => [b.id, seen(b)]));
    if (!sendStatus) return;
    for (const b of boxes) {
      if (b.id === ctx.selected?.mailbox.id || !this.wantsMessages(b)) continue;
      ctx.write(await statusResponse(ctx, b, this.items(ctx, ['MESSAGES', 'UIDNEXT', 'UIDVALIDITY', 'UNSEEN'])));
    }
  }

  /** Compares the user's mailboxes with the snapshot and tells the client what it asked to hear of. */
  async poll(ctx: ImapContext): Promise<void> {
    const boxes = await ctx.deps.mailboxes.list(ctx.user!.id);
    const before = this.boxes;
    this.boxes = new Map(boxes.map((b) => [b.id, seen(b)]));
    for (const b of boxes) {
      const old = before.get(b.id);
      if (!old) {
        if (this.wants(b.name, b.subscribed, 'MailboxName')) ctx.write(listLine(ctx, 'LIST', mailboxAttributes(b, boxes, { subscribed: true }), b.name));
        continue;
      }
      if (old.name !== b.name && (this.wants(b.name, b.subscribed, 'MailboxName') || this.wants(old.name, old.subscribed, 'MailboxName'))) {
        ctx.write(listLine(ctx, 'LIST', mailboxAttributes(b, boxes, { subscribed: true }), b.name,
          ['OLDNAME', [new Raw(formatMailboxName(old.name, ctx.wire))]]));
      }
      if (old.subscribed !== b.subscribed && this.wants(b.name, true, 'SubscriptionChange')) {
        ctx.write(listLine(ctx, 'LIST', mailboxAttributes(b, boxes, { subscribed: true }), b.name));
      }
      if (b.id === ctx.selected?.mailbox.id) continue; // the selected mailbox is reported by its own updates (§5)
      const items = this.changedItems(ctx, old, b);
      if (items.length > 0) ctx.write(await statusResponse(ctx, b, items));
    }
    for (const [id, old] of before) {
      if (!this.boxes.has(id) && this.wants(old.name, old.subscribed, 'MailboxName')) {
        ctx.write(untaggedData([atom('LIST'), [atom('\\NonExistent')], SEPARATOR, new Raw(formatMailboxName(old.name, ctx.wire))], ctx.wire));
      }
    }
  }

  private wantsMessages(b: Mailbox): boolean {
    return ['MessageNew', 'MessageExpunge', 'FlagChange'].some((e) => this.wants(b.name, b.subscribed, e));
  }

  /** The STATUS items for what changed and is wanted; none when nothing is (Dovecot's choice of items). */
  private changedItems(ctx: ImapContext, old: Seen, b: Mailbox): StatusItem[] {
    const wants = (e: string) => this.wants(b.name, b.subscribed, e);
    if (old.uidvalidity !== b.uidvalidity && this.wantsMessages(b)) return this.items(ctx, ['MESSAGES', 'UIDNEXT', 'UIDVALIDITY', 'UNSEEN']);
    if ((old.messages !== b.messages || old.uidnext !== b.uidnext) && (wants('MessageNew') || wants('MessageExpunge'))) {
      return this.items(ctx, ['MESSAGES', 'UIDNEXT', 'UNSEEN']);
    }
    if (old.unseen !== b.unseen && wants('FlagChange')) return this.items(ctx, ['UNSEEN']);
    if (old.highestmodseq !== b.highestmodseq && wants('FlagChange') && ctx.enabled.has('CONDSTORE')) return this.items(ctx, []);
    return [];
  }

  private items(ctx: ImapContext, base: StatusItem[]): StatusItem[] {
    return ctx.enabled.has('CONDSTORE') ? [...base, 'HIGHESTMODSEQ'] : base;
  }
}

/** Whether a non-selected filter covers the mailbox (§6: INBOXES is INBOX here; SUBTREE includes the name). */
function matches(f: NotifyFilter, name: string, subscribed: boolean): boolean {
  switch (f.kind) {
    case 'selected':
    case 'selected-delayed': return false;
    case 'inboxes': return name === 'INBOX';
    case 'personal': return true;
    case 'subscribed': return subscribed;
    case 'subtree': return f.names.some((n) => name === n || name.startsWith(`${n}${SEPARATOR}`));
    case 'mailboxes': return f.names.includes(name);
  }
}
