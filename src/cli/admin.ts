/** `youju admin reset-password ROLE [DOMAIN]` and `youju admin list` (FEATURES A1, A5, A10). */
import type { Command } from 'commander';
import type { AdminRole } from '../store/store.ts';
import { oneOf } from './args.ts';
import { withRuntime } from './context.ts';
import { table } from './output.ts';

/** The manual's names for the roles are accepted too. */
const ROLE_NAMES: Record<string, AdminRole> = {
  system: 'system', super: 'super', administrator: 'super', domain: 'domain', admin: 'domain', department: 'department',
};

export function registerAdmin(program: Command): void {
  const admin = program.command('admin').description('administrator accounts');

  admin.command('reset-password')
    .argument('<role>', 'system, super (administrator), domain (admin) or department', (v: string) => ROLE_NAMES[oneOf(...Object.keys(ROLE_NAMES))(v)]!)
    .argument('[domain]', 'the domain, for domain and department admins')
    .description('give an administrator a new generated password, shown once (role: system, super, domain, department)')
    .option('--user <name>', 'account name (needed for department admins)')
    .action((role: AdminRole, domain: string | undefined, f: { user?: string }, cmd: Command) => withRuntime(cmd, async (rt, { out, actor }) => {
      const password = await rt.admins.resetPassword(actor, role, domain, f.user);
      out.result({ role, domain: domain ?? null, password }, () => `new password: ${password}`);
    }));

  admin.command('list').description('list administrator accounts')
    .option('--role <role>', 'system, super, domain or department', oneOf('system', 'super', 'domain', 'department'))
    .action((f: { role?: AdminRole }, cmd: Command) => withRuntime(cmd, async (rt, { out }) => {
      const list = await rt.admins.list({ role: f.role });
      out.result(list, () => table(['ROLE', 'ACCOUNT', 'DOMAIN ID'], list.map((a) => [a.role, a.username, a.domainId ?? '-'])));
    }));
}
