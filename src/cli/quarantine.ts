/**
 * `youju quarantine list|show|release|purge` — messages the pipeline stopped (FEATURES S15): a
 * virus, an unscannable archive. Release queues one for delivery to its recipients (not scanned
 * again: the admin decided); purge removes one, or every one older than N days (default
 * antivirus.quarantineDays). Each change is audited.
 */
import type { Command } from 'commander';
import type { QuarantineId } from '../core/ids.ts';
import { nonNegativeInt } from './args.ts';
import { withRuntime } from './context.ts';
import { date, fields, table } from './output.ts';

const quarantineId = (v: string) => nonNegativeInt(v.replace(/^Q/i, '')) as QuarantineId;

export function registerQuarantine(program: Command): void {
  const q = program.command('quarantine').description('messages the antivirus (and other stages) stopped');

  q.command('list').description('quarantined messages, newest first')
    .action((_f: unknown, cmd: Command) => withRuntime(cmd, async (rt, { out }) => {
      const list = await rt.pipeline.quarantine.list();
      out.result({ messages: list }, () => (list.length === 0 ? 'the quarantine is empty' : table(
        ['ID', 'RECEIVED', 'FROM', 'TO', 'SIZE', 'STAGE', 'REASON'],
        list.map((m) => [`Q${m.id}`, date(m.createdAt), m.sender || '<>', m.recipients.join(', ').slice(0, 60), m.size, m.stage, m.reason.slice(0, 60)]))));
    }));

  q.command('show').argument('<id>', 'quarantine id (Q12 or 12)', quarantineId).description('one message: envelope, reason and headers')
    .action((id: QuarantineId, _f: unknown, cmd: Command) => withRuntime(cmd, async (rt, { out }) => {
      const m = await rt.pipeline.quarantine.get(id);
      const headers = await rt.pipeline.quarantine.headers(id);
      out.result({ ...m, headers }, () => `${fields([
        ['id', `Q${m.id}`], ['received', date(m.createdAt)], ['from', m.sender || '<>'], ['to', m.recipients.join(', ')],
        ['client', m.clientIp || '-'], ['size', m.size], ['stage', m.stage], ['reason', m.reason],
      ])}\n\n${headers}`);
    }));

  q.command('release').argument('<id>', 'quarantine id (Q12 or 12)', quarantineId).description('deliver a quarantined message to its recipients')
    .action((id: QuarantineId, _f: unknown, cmd: Command) => withRuntime(cmd, async (rt, { out, actor }) => {
      const queueId = await rt.pipeline.quarantine.release(actor, id);
      out.result({ released: id, queueId }, () => `Q${id} released: queue entry ${queueId}`);
    }));

  q.command('purge').argument('[id]', 'one message (Q12 or 12); without it, every one older than --days', quarantineId)
    .option('--days <n>', 'remove messages older than this many days (default: antivirus.quarantineDays)', nonNegativeInt)
    .description('remove quarantined messages for good')
    .action((id: QuarantineId | undefined, f: { days?: number }, cmd: Command) => withRuntime(cmd, async (rt, { out, actor }) => {
      const days = f.days ?? rt.settings.current().antivirus.quarantineDays;
      const n = await rt.pipeline.quarantine.purge(actor, id === undefined ? { olderThanDays: days } : { id });
      out.result({ purged: n }, () => `${n} message${n === 1 ? '' : 's'} removed from the quarantine`);
    }));
}
