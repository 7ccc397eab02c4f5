/** `youju queue list|show|retry|release|delete|bounce` — the queue manager (FEATURES T1). */
import type { Command } from 'commander';
import type { QueueId } from '../core/ids.ts';
import type { QueueState } from '../store/store.ts';
import { nonNegativeInt, oneOf } from './args.ts';
import { withRuntime } from './context.ts';
import { date, fields, table } from './output.ts';

const STATES = ['inbound', 'retry', 'holding', 'bad', 'raw'] as const;
const queueId = (v: string) => nonNegativeInt(v) as QueueId;

export function registerQueue(program: Command): void {
  const queue = program.command('queue').description('the mail queue');

  queue.command('list').description('queue entries, optionally in one state')
    .option('--state <state>', STATES.join(', '), oneOf(...STATES))
    .action((f: { state?: QueueState }, cmd: Command) => withRuntime(cmd, async (rt, { out }) => {
      const list = await rt.queueManager.list(f.state);
      const counts = await rt.queueManager.counts();
      out.result({ counts, entries: list }, () => `${STATES.map((s) => `${s} ${counts[s]}`).join(', ')}\n\n${list.length === 0 ? 'queue is empty' : table(
        ['ID', 'STATE', 'FROM', 'RECIPIENTS', 'SIZE', 'QUEUED', 'NEXT TRY', 'LAST ERROR'],
        list.map((e) => [e.id, e.state, e.sender || '<>', e.recipients.filter((r) => r.state === 'pending' || r.state === 'deferred').length + '/' + e.recipients.length,
          e.size, new Date(e.createdAt).toISOString().slice(0, 19).replace('T', ' '), e.state === 'retry' ? new Date(e.nextAttemptAt).toISOString().slice(11, 19) : '-', e.lastError.slice(0, 60) || '-']))}`);
    }));

  queue.command('show').argument('<id>', 'queue entry id', queueId).description('one entry with its recipients and headers')
    .action((id: QueueId, _f: unknown, cmd: Command) => withRuntime(cmd, async (rt, { out }) => {
      const { entry: e, headers } = await rt.queueManager.show(id);
      out.result({ ...e, headers }, () => `${fields([
        ['id', e.id], ['state', e.state], ['from', e.sender || '<>'], ['size', e.size], ['priority', e.priority],
        ['queued', date(e.createdAt)], ['attempts', e.attempts], ['last error', e.lastError || '-'],
      ])}\n\n${table(['RECIPIENT', 'STATE', 'ATTEMPTS', 'LAST REPLY'], e.recipients.map((r) => [r.address, r.state, r.attempts, r.lastReply || '-']))}\n\n${headers}`);
    }));

  queue.command('retry').argument('[id]', 'queue entry id', queueId).option('--all', 'every entry waiting to retry')
    .description('try an entry (or all waiting ones) again now')
    .action((id: QueueId | undefined, f: { all?: boolean }, cmd: Command) => withRuntime(cmd, async (rt, { out, actor }) => {
      if (id === undefined && !f.all) throw cmd.error('give an entry id or --all', { exitCode: 2, code: 'youju.usage' });
      const n = await rt.queueManager.retry(actor, f.all ? 'all' : id!);
      out.result({ rescheduled: n }, () => `${n} entr${n === 1 ? 'y' : 'ies'} will be retried now`);
    }));

  for (const [verb, what] of [['release', 'release an entry from holding (or bad) for processing'], ['delete', 'delete an entry without notice']] as const) {
    queue.command(verb).argument('<id>', 'queue entry id', queueId).description(what)
      .action((id: QueueId, _f: unknown, cmd: Command) => withRuntime(cmd, async (rt, { out, actor }) => {
        await rt.queueManager[verb](actor, id);
        out.result({ [verb === 'release' ? 'released' : 'deleted']: id }, () => `queue entry ${id} ${verb === 'release' ? 'released' : 'deleted'}`);
      }));
  }

  queue.command('bounce').argument('<id>', 'queue entry id', queueId).description('return an entry to its sender with a bounce')
    .action((id: QueueId, _f: unknown, cmd: Command) => withRuntime(cmd, async (rt, { out, actor }) => {
      const n = await rt.queueManager.bounce(actor, id);
      out.result({ bounced: id, recipients: n }, () => `queue entry ${id} returned to its sender (${n} recipients)`);
    }));
}
