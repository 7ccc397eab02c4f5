/** `youju user add|list|show|set|freeze|unfreeze|del|passwd` (FEATURES A3, P13, P17). */
import type { Command } from 'commander';
import { MailError } from '../core/errors.ts';
import type { DirectoryUser, UserSettings } from '../directory/users.ts';
import { megabytes, nonNegativeInt, oneOf, yesNo } from './args.ts';
import { withRuntime } from './context.ts';
import { date, fields, mb, table } from './output.ts';

interface UserFlags {
  password?: string; name?: string; quotaMb?: number; quotaMessages?: number; diskQuotaMb?: number;
  hidden?: boolean; send?: 'any' | 'internal'; receive?: 'any' | 'internal'; pending?: boolean;
}

function userOptions(cmd: Command): Command {
  return cmd
    .option('--name <realName>', 'real name, e.g. 张三')
    .option('--quota-mb <n>', 'mailbox quota in MB (0 = unlimited; default: the domain\'s)', megabytes)
    .option('--quota-messages <n>', 'message-count quota (0 = unlimited)', nonNegativeInt)
    .option('--disk-quota-mb <n>', 'network-disk quota in MB', megabytes)
    .option('--hidden <yes|no>', 'hide from the enterprise address book', yesNo)
    .option('--send <scope>', 'who the user may send to: any or internal', oneOf('any', 'internal'))
    .option('--receive <scope>', 'who the user may receive from: any or internal', oneOf('any', 'internal'));
}

const settingsOf = (f: UserFlags): UserSettings => ({
  realName: f.name, quotaBytes: f.quotaMb, quotaMessages: f.quotaMessages, diskQuotaBytes: f.diskQuotaMb,
  hidden: f.hidden, sendScope: f.send, receiveScope: f.receive,
});

/** What we print and return: the service's public view (it holds no password hash or secret). */
export const publicUser = (u: DirectoryUser): DirectoryUser => u;

export function registerUser(program: Command): void {
  const user = program.command('user').description('mail users');

  userOptions(user.command('add <address>').description('add a user'))
    .requiredOption('--password <password>', 'initial password (the domain\'s policy applies)')
    .option('--pending', 'create as a registration awaiting approval')
    .action((address: string, f: UserFlags, cmd: Command) => withRuntime(cmd, async (rt, { out, actor }) => {
      const u = await rt.users.add(actor, address, { ...settingsOf(f), password: f.password!, status: f.pending ? 'pending' : undefined });
      out.result(publicUser(u), () => `user ${u.address} added`);
    }));

  userOptions(user.command('set <address>').description('change a user\'s settings (not the name)'))
    .action((address: string, f: UserFlags, cmd: Command) => withRuntime(cmd, async (rt, { out, actor }) => {
      const u = await rt.users.update(actor, address, settingsOf(f));
      out.result(publicUser(u), () => `user ${u.address} updated`);
    }));

  user.command('list [domain]').description('list users, optionally of one domain')
    .option('--search <text>', 'part of the name or real name')
    .option('--status <s>', 'active, frozen or pending', oneOf('active', 'frozen', 'pending'))
    .action((domain: string | undefined, f: { search?: string; status?: 'active' | 'frozen' | 'pending' }, cmd: Command) =>
      withRuntime(cmd, async (rt, { out }) => {
        const users = await rt.users.list({ domain, search: f.search, status: f.status });
        out.result(users.map(publicUser), () => users.length === 0 ? 'no users' : table(['ADDRESS', 'NAME', 'STATUS', 'QUOTA'],
          users.map((u) => [u.address, u.realName || '-', u.status, mb(u.quotaBytes)])));
      }));

  user.command('show <address>').description('show a user')
    .action((address: string, _f: unknown, cmd: Command) => withRuntime(cmd, async (rt, { out }) => {
      const u = await rt.users.byAddress(address);
      if (!u) throw notFound(address);
      out.result(publicUser(u), () => fields([
        ['address', u.address], ['name', u.realName], ['status', u.status], ['quota', mb(u.quotaBytes)],
        ['message quota', u.quotaMessages || 'unlimited'], ['hidden', u.hiddenFromDirectory ? 'yes' : 'no'],
        ['may send to', u.sendScope], ['may receive from', u.receiveScope], ['created', date(u.createdAt)],
        ['last login', date(u.lastLoginAt)],
      ]));
    }));

  for (const [verb, what] of [['freeze', 'freeze a user: no login, no mail; mail is kept'], ['unfreeze', 'unfreeze a user'],
    ['approve', 'approve a pending registration']] as const) {
    user.command(`${verb} <address>`).description(what)
      .action((address: string, _f: unknown, cmd: Command) => withRuntime(cmd, async (rt, { out, actor }) => {
        const u = await rt.users[verb](actor, address);
        out.result(publicUser(u), () => `user ${u.address} is now ${u.status}`);
      }));
  }

  user.command('passwd <address>').description('set a user\'s password')
    .requiredOption('--password <password>', 'the new password')
    .action((address: string, f: { password: string }, cmd: Command) => withRuntime(cmd, async (rt, { out, actor }) => {
      await rt.users.setPassword(actor, address, f.password);
      out.result({ address, changed: true }, () => `password of ${address} changed`);
    }));

  user.command('del <address>').description('delete a user and all their mail')
    .action((address: string, _f: unknown, cmd: Command) => withRuntime(cmd, async (rt, { out, actor }) => {
      await rt.users.remove(actor, address);
      out.result({ deleted: address }, () => `user ${address} deleted`);
    }));
}

const notFound = (address: string) => new MailError('NOT_FOUND', `no user ${address}`);
