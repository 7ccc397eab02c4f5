/**
 * `youju pop-account add|list|show|set|enable|disable|remove|collect` (MultiPOP, FEATURES W14) and
 * `youju domainpop set|show|enable|disable|remove|collect` (DomainPOP, S5; its routing options are
 * settings: `youju settings list` under domainpop.*). Passwords go in sealed and are never printed
 * (shown as ****); changes are audited by the service. `collect` runs now in this process and
 * queues what it collects: a running server delivers it within its queue poll.
 */
import type { Command } from 'commander';
import { CollectWorker, type AccountOutcome } from '../collect/collect-worker.ts';
import { PopAccountService, type PopAccountChanges, type PopAccountView } from '../collect/pop-accounts.ts';
import { MailError } from '../core/errors.ts';
import type { PopAccountId } from '../core/ids.ts';
import type { Runtime } from '../main.ts';
import { nonNegativeInt, oneOf, yesNo } from './args.ts';
import { withRuntime } from './context.ts';
import { fields, table } from './output.ts';

interface AccountFlags {
  host?: string; port?: number; tls?: 'none' | 'starttls' | 'tls'; user?: string; password?: string;
  apop?: boolean; keep?: boolean; keepDays?: number;
}

function accountOptions(cmd: Command): Command {
  return cmd
    .option('--host <host>', 'the remote POP3 server, e.g. pop.qq.com')
    .option('--port <n>', 'its port (default 995 with --tls tls, else 110)', nonNegativeInt)
    .option('--tls <mode>', 'tls (pop3s, default), starttls or none', oneOf('tls', 'starttls', 'none'))
    .option('--user <name>', 'the login on the remote server')
    .option('--password <password>', 'the password on the remote server (stored encrypted)')
    .option('--apop <yes|no>', 'log in with APOP instead of USER/PASS', yesNo)
    .option('--keep <yes|no>', 'leave collected mail on the server (default yes)', yesNo)
    .option('--keep-days <n>', 'with --keep yes: delete from the server after N days (0 = never)', nonNegativeInt);
}

const changesOf = (f: AccountFlags): PopAccountChanges => ({
  host: f.host, port: f.port, tls: f.tls, username: f.user, password: f.password, useApop: f.apop, leaveOnServer: f.keep, leaveDays: f.keepDays,
});

/** What we print: the password only as ****. */
const shown = (a: PopAccountView) => ({ ...a, password: '****' });

function detail(a: PopAccountView): string {
  return fields([
    ['id', a.id], ['owner', a.owner ?? '(DomainPOP)'], ['server', `${a.host}:${a.port} (${a.tls})`], ['user', a.username],
    ['password', '****'], ['apop', a.useApop ? 'yes' : 'no'], ['enabled', a.enabled ? 'yes' : 'no'],
    ['leave on server', a.leaveOnServer ? (a.leaveDays > 0 ? `${a.leaveDays} days` : 'yes') : 'no'],
    ['last run', when(a.lastRunAt)], ['last success', when(a.lastSuccessAt)], ['last error', a.lastError || '-'],
    ['collected', `${a.lastFetched} last run, ${a.totalFetched} in all`],
  ]);
}

const when = (ms: number | null) => (ms === null ? 'never' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19));

function accountId(value: string): PopAccountId {
  return nonNegativeInt(value) as PopAccountId;
}

function worker(rt: Runtime): CollectWorker {
  return new CollectWorker({
    store: rt.store, queue: rt.queue, secrets: rt.secrets, clock: rt.clock, hostname: rt.config.hostname,
    settings: () => rt.settings.current(), resolver: rt.resolver, dataDir: rt.config.dataDir,
  });
}

function outcomeLine(label: string, o: AccountOutcome): string {
  if ('skipped' in o) return `${label}: skipped (${o.skipped === 'busy' ? 'another run holds it' : o.skipped})`;
  const counts = `${o.fetched} collected, ${o.deleted} deleted on the server${o.duplicates ? `, ${o.duplicates} duplicates` : ''}${o.large ? `, ${o.large} too large` : ''}`;
  return `${label}: ${o.error ? `failed: ${o.error}` : counts}`;
}

export function registerPopAccount(program: Command): void {
  const pop = program.command('pop-account').description('users\' external POP3 boxes collected into their INBOX (MultiPOP)');
  const svc = (rt: Runtime) => new PopAccountService(rt.store, rt.secrets);

  accountOptions(pop.command('add <owner>').description('add a POP3 box for the user at <owner>'))
    .action((owner: string, f: AccountFlags, cmd: Command) => withRuntime(cmd, async (rt, { out, actor }) => {
      if (!f.host || !f.user || f.password === undefined) throw new MailError('INVALID_INPUT', '--host, --user and --password are required');
      const a = await svc(rt).add(actor, owner, changesOf(f) as Required<Pick<PopAccountChanges, 'host' | 'username' | 'password'>>);
      out.result(shown(a), () => `POP account #${a.id} (${a.username}@${a.host}) added for ${a.owner}`);
    }));

  pop.command('list [owner]').description('list POP3 boxes, of one user or all')
    .action((owner: string | undefined, _f: unknown, cmd: Command) => withRuntime(cmd, async (rt, { out }) => {
      const list = await svc(rt).list(owner);
      out.result(list.map(shown), () => list.length === 0 ? 'no POP accounts' : table(['ID', 'OWNER', 'SERVER', 'USER', 'ON', 'LAST RUN', 'LAST ERROR'],
        list.map((a) => [a.id, a.owner ?? '-', `${a.host}:${a.port}/${a.tls}`, a.username, a.enabled ? 'yes' : 'no', when(a.lastRunAt), a.lastError || '-'])));
    }));

  pop.command('show <id>').description('one POP3 box with its last run')
    .action((id: string, _f: unknown, cmd: Command) => withRuntime(cmd, async (rt, { out }) => {
      const a = await svc(rt).get(accountId(id));
      out.result(shown(a), () => detail(a));
    }));

  accountOptions(pop.command('set <id>').description('change a POP3 box'))
    .action((id: string, f: AccountFlags, cmd: Command) => withRuntime(cmd, async (rt, { out, actor }) => {
      const a = await svc(rt).update(actor, accountId(id), changesOf(f));
      out.result(shown(a), () => `POP account #${a.id} updated`);
    }));

  for (const [verb, enabled] of [['enable', true], ['disable', false]] as const) {
    pop.command(`${verb} <id>`).description(`${verb} collecting a POP3 box`)
      .action((id: string, _f: unknown, cmd: Command) => withRuntime(cmd, async (rt, { out, actor }) => {
        const a = await svc(rt).update(actor, accountId(id), { enabled });
        out.result(shown(a), () => `POP account #${a.id} ${enabled ? 'enabled' : 'disabled'}`);
      }));
  }

  pop.command('remove <id>').description('remove a POP3 box (mail already collected stays)')
    .action((id: string, _f: unknown, cmd: Command) => withRuntime(cmd, async (rt, { out, actor }) => {
      await svc(rt).remove(actor, accountId(id));
      out.result({ removed: Number(id) }, () => `POP account #${id} removed`);
    }));

  pop.command('collect [id]').description('collect now: one box (even if disabled), or every enabled one')
    .action((id: string | undefined, _f: unknown, cmd: Command) => withRuntime(cmd, async (rt, { out }) => {
      const w = worker(rt);
      const runs = id === undefined
        ? (await w.runAll()).map((r) => ({ id: r.account.id, outcome: r.outcome }))
        : [{ id: accountId(id), outcome: await w.runAccount(accountId(id)) }];
      out.result(runs, () => runs.length === 0 ? 'no enabled POP accounts' : runs.map((r) => outcomeLine(`#${r.id}`, r.outcome)).join('\n'));
      const failed = runs.filter((r) => 'error' in r.outcome && r.outcome.error !== '').length;
      if (failed > 0) throw new MailError('INTERNAL', `${failed} of ${runs.length} collection runs failed`);
    }));

  const dp = program.command('domainpop').description('one external POP3 box holding a whole domain\'s mail, routed by headers (DomainPOP; routing: `youju settings list` domainpop.*)');
  const domainBox = async (rt: Runtime) => {
    const a = await svc(rt).domainAccount();
    if (!a) throw new MailError('NOT_FOUND', 'no DomainPOP box: set one up with `youju domainpop set --host H --user U --password P`');
    return a;
  };

  accountOptions(dp.command('set').description('set up or change the DomainPOP box'))
    .action((f: AccountFlags, cmd: Command) => withRuntime(cmd, async (rt, { out, actor }) => {
      const a = await svc(rt).setDomainAccount(actor, changesOf(f));
      out.result(shown(a), () => `DomainPOP box ${a.username}@${a.host} set`);
    }));

  dp.command('show').description('the DomainPOP box with its last run')
    .action((_f: unknown, cmd: Command) => withRuntime(cmd, async (rt, { out }) => {
      const a = await domainBox(rt);
      out.result(shown(a), () => detail(a));
    }));

  for (const [verb, enabled] of [['enable', true], ['disable', false]] as const) {
    dp.command(verb).description(`${verb} the DomainPOP collection`)
      .action((_f: unknown, cmd: Command) => withRuntime(cmd, async (rt, { out, actor }) => {
        const a = await svc(rt).update(actor, (await domainBox(rt)).id, { enabled });
        out.result(shown(a), () => `DomainPOP ${enabled ? 'enabled' : 'disabled'}`);
      }));
  }

  dp.command('remove').description('remove the DomainPOP box')
    .action((_f: unknown, cmd: Command) => withRuntime(cmd, async (rt, { out, actor }) => {
      const a = await domainBox(rt);
      await svc(rt).remove(actor, a.id);
      out.result({ removed: a.id }, () => 'DomainPOP box removed');
    }));

  dp.command('collect').description('collect the DomainPOP box now')
    .action((_f: unknown, cmd: Command) => withRuntime(cmd, async (rt, { out }) => {
      const a = await domainBox(rt);
      const outcome = await worker(rt).runAccount(a.id);
      out.result(outcome, () => outcomeLine('DomainPOP', outcome));
      if ('error' in outcome && outcome.error !== '') throw new MailError('INTERNAL', `DomainPOP collection failed: ${outcome.error}`);
    }));
}
