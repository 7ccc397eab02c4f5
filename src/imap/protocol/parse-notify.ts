/**
 * NOTIFY arguments (RFC 5465 §8): NONE, or SET [STATUS] and event groups — a filter (SELECTED,
 * SELECTED-DELAYED, INBOXES, PERSONAL, SUBSCRIBED, SUBTREE names, MAILBOXES names) and its events
 * (NONE, or a list: MessageNew with optional fetch attributes, MessageExpunge, FlagChange,
 * AnnotationChange, MailboxName, SubscriptionChange, MailboxMetadataChange, ServerMetadataChange,
 * or an extension's atom). Event names keep the RFC's spelling; whether they are supported, and the
 * rules between them, are the command's to check (commands/notify.ts). Syntax only.
 */
import type { NotifyCommand, NotifyFilter, NotifyGroup, ParseOptions } from './command.ts';
import type { Cursor } from './cursor.ts';
import { parseMailbox } from './parse-mailbox.ts';
import { parseFetchAttribute, type FetchAttribute } from './parse-fetch.ts';

const EVENTS: Record<string, string> = Object.fromEntries(
  ['MessageNew', 'MessageExpunge', 'FlagChange', 'AnnotationChange', 'MailboxName', 'SubscriptionChange', 'MailboxMetadataChange', 'ServerMetadataChange']
    .map((e) => [e.toUpperCase(), e]),
);
/** A bound far above any real client's NOTIFY, so a hostile one cannot make us track thousands. */
const MAX_GROUPS = 64;
const MAX_NAMES = 1000;

export function parseNotifyArgs(c: Cursor, tag: string, options: ParseOptions): NotifyCommand {
  c.sp();
  if (c.acceptWord('NONE')) {
    c.end();
    return { tag, name: 'NOTIFY', set: undefined };
  }
  if (!c.acceptWord('SET')) c.fail('Expected SET or NONE');
  c.sp();
  const status = c.acceptWord('STATUS');
  if (status) c.sp();
  const groups: NotifyGroup[] = [];
  do {
    if (groups.length >= MAX_GROUPS) c.fail('Too many NOTIFY event groups');
    groups.push(parseGroup(c, options));
  } while (c.accept(0x20));
  c.end();
  return { tag, name: 'NOTIFY', set: { status, groups } };
}

function parseGroup(c: Cursor, options: ParseOptions): NotifyGroup {
  c.expect(0x28, '"(" to open an event group');
  const filter = parseFilter(c, options);
  c.sp();
  const events: string[] = [];
  let fetch: FetchAttribute[] | undefined;
  if (!c.acceptWord('NONE')) {
    c.expect(0x28, '"(" to open the events, or NONE');
    do {
      const word = c.atom('an event');
      const event = EVENTS[word.toUpperCase()] ?? word;
      if (event === 'MessageNew' && c.peek() === 0x20 && c.peek(1) === 0x28) {
        c.sp();
        c.expect(0x28, '"(" to open the fetch attributes');
        fetch = [];
        do fetch.push(parseFetchAttribute(c));
        while (c.accept(0x20));
        c.expect(0x29, '")" to close the fetch attributes');
      }
      events.push(event);
    } while (c.accept(0x20));
    c.expect(0x29, '")" to close the events');
  }
  c.expect(0x29, '")" to close the event group');
  return fetch ? { filter, events, fetch } : { filter, events };
}

function parseFilter(c: Cursor, options: ParseOptions): NotifyFilter {
  const word = c.atom('a mailbox filter').toUpperCase();
  switch (word) {
    case 'SELECTED': return { kind: 'selected' };
    case 'SELECTED-DELAYED': return { kind: 'selected-delayed' };
    case 'INBOXES': return { kind: 'inboxes' };
    case 'PERSONAL': return { kind: 'personal' };
    case 'SUBSCRIBED': return { kind: 'subscribed' };
    case 'SUBTREE':
    case 'MAILBOXES': {
      c.sp();
      const names: string[] = [];
      if (c.accept(0x28)) {
        do {
          if (names.length >= MAX_NAMES) c.fail('Too many mailboxes in a NOTIFY filter');
          names.push(parseMailbox(c, options));
        } while (c.accept(0x20));
        c.expect(0x29, '")" to close the mailbox list');
      } else {
        names.push(parseMailbox(c, options));
      }
      return { kind: word === 'SUBTREE' ? 'subtree' : 'mailboxes', names };
    }
  }
  return c.fail(`Unknown mailbox filter ${word.slice(0, 24)}`);
}
