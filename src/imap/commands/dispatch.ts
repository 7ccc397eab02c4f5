/**
 * Routes a parsed command to its handler after checking the state it needs (RFC 3501 §6), turns
 * service errors into NO with the catalogue's response code (core/errors.ts), and sends the
 * selected mailbox's pending updates when the command allows it (never EXPUNGE after FETCH, STORE
 * or SEARCH by sequence number, RFC 3501 §7.4.1).
 */
import { describeError } from '../../core/errors.ts';
import type { Completion, ImapContext, SessionState } from '../context.ts';
import { bad, no } from '../context.ts';
import type { Command } from '../protocol/command.ts';
import { ParseError } from '../protocol/parse-error.ts';
import type { ResponseCode } from '../protocol/serializer.ts';
import { append } from './append.ts';
import { copyOrMove, expunge } from './copy-move.ts';
import { fetch } from './fetch.ts';
import { list, lsub } from './list.ts';
import { create, deleteMailbox, rename, status, subscribe } from './mailbox-commands.ts';
import { getQuota, getQuotaRoot, setQuota } from './quota.ts';
import { notify } from './notify.ts';
import { search } from './search.ts';
import { cancelUpdate } from './search-context.ts';
import { check, close, select, unselect } from './select.ts';
import { capability, enable, id, login, namespace, noop, unauthenticate } from './session-commands.ts';
import { sort, thread } from './sort-thread.ts';
import { store } from './store.ts';

type Handler = (ctx: ImapContext, command: never) => Promise<Completion> | Completion;
type Rule = { states: readonly SessionState[]; run: Handler; noExpunges?: (c: Command) => boolean };

const ANY: SessionState[] = ['not-authenticated', 'authenticated', 'selected'];
const AUTH: SessionState[] = ['authenticated', 'selected'];
const SELECTED: SessionState[] = ['selected'];
const bySequence = (c: Command) => !('uid' in c && c.uid);

const RULES: Partial<Record<Command['name'], Rule>> = {
  CAPABILITY: { states: ANY, run: capability },
  NOOP: { states: ANY, run: noop },
  ID: { states: ANY, run: id },
  LOGIN: { states: ['not-authenticated'], run: login },
  ENABLE: { states: AUTH, run: enable },
  NAMESPACE: { states: AUTH, run: namespace },
  UNAUTHENTICATE: { states: AUTH, run: unauthenticate },
  SELECT: { states: AUTH, run: select },
  EXAMINE: { states: AUTH, run: select },
  CREATE: { states: AUTH, run: create },
  DELETE: { states: AUTH, run: deleteMailbox },
  RENAME: { states: AUTH, run: rename },
  SUBSCRIBE: { states: AUTH, run: subscribe },
  UNSUBSCRIBE: { states: AUTH, run: subscribe },
  LIST: { states: AUTH, run: list },
  LSUB: { states: AUTH, run: lsub },
  STATUS: { states: AUTH, run: status },
  APPEND: { states: AUTH, run: append },
  GETQUOTA: { states: AUTH, run: getQuota },
  GETQUOTAROOT: { states: AUTH, run: getQuotaRoot },
  SETQUOTA: { states: AUTH, run: setQuota },
  CHECK: { states: SELECTED, run: check },
  CLOSE: { states: SELECTED, run: close },
  UNSELECT: { states: SELECTED, run: unselect },
  EXPUNGE: { states: SELECTED, run: expunge },
  SEARCH: { states: SELECTED, run: search, noExpunges: bySequence },
  FETCH: { states: SELECTED, run: fetch, noExpunges: bySequence },
  STORE: { states: SELECTED, run: store, noExpunges: bySequence },
  COPY: { states: SELECTED, run: copyOrMove },
  MOVE: { states: SELECTED, run: copyOrMove },
  SORT: { states: SELECTED, run: sort, noExpunges: bySequence },
  THREAD: { states: SELECTED, run: thread, noExpunges: bySequence },
  CANCELUPDATE: { states: SELECTED, run: cancelUpdate },
  NOTIFY: { states: AUTH, run: notify },
};

export async function dispatch(ctx: ImapContext, command: Command): Promise<Completion> {
  const rule = RULES[command.name];
  if (!rule) return bad(`${command.name} is not supported`);
  if (!rule.states.includes(ctx.state)) return bad(`${command.name} is not allowed ${stateText(ctx.state)}`);
  let result: Completion;
  try {
    result = await (rule.run as (c: ImapContext, x: Command) => Promise<Completion> | Completion)(ctx, command);
  } catch (err) {
    result = failure(err);
  }
  if (ctx.state === 'selected' && ctx.selected && !(rule.noExpunges?.(command) ?? false)) {
    const always = command.name === 'NOOP' || command.name === 'CHECK';
    if (always || ctx.hasPendingChange()) await ctx.sendUpdates({ expunges: true });
  }
  return result;
}

function stateText(state: SessionState): string {
  if (state === 'not-authenticated') return 'before login';
  if (state === 'authenticated') return 'without a selected mailbox';
  return 'in this state';
}

/** A thrown error as a tagged reply: service errors by their catalogue entry, bugs as NO [SERVERBUG]. */
export function failure(err: unknown): Completion {
  if (err instanceof ParseError) return { status: err.status, text: err.message, code: err.code };
  const d = describeError(err);
  const text = d.code === 'INTERNAL' ? 'Internal error, try again' : (err as Error).message;
  const code = d.imapCode as ResponseCode | undefined;
  return d.imap === 'BAD' ? bad(text, code) : no(text, code);
}
