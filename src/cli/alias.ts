/** `youju alias add|del|list` — mailbox aliases (FEATURES P11). */
import type { Command } from 'commander';
import { withRuntime } from './context.ts';
import { table } from './output.ts';

export function registerAlias(program: Command): void {
  const alias = program.command('alias').description('mailbox aliases');

  alias.command('add <alias> <targets...>').description('deliver mail for ALIAS to one or more TARGETS')
    .action((address: string, targets: string[], _f: unknown, cmd: Command) => withRuntime(cmd, async (rt, { out, actor }) => {
      const a = await rt.aliases.add(actor, address, targets);
      out.result(a, () => `alias ${a.address} → ${a.targets.join(', ')} added`);
    }));

  alias.command('del <alias>').description('remove an alias')
    .action((address: string, _f: unknown, cmd: Command) => withRuntime(cmd, async (rt, { out, actor }) => {
      await rt.aliases.remove(actor, address);
      out.result({ deleted: address }, () => `alias ${address} removed`);
    }));

  alias.command('list [domain]').description('list aliases, optionally of one domain')
    .action((domain: string | undefined, _f: unknown, cmd: Command) => withRuntime(cmd, async (rt, { out }) => {
      const list = await rt.aliases.list(domain);
      out.result(list, () => list.length === 0 ? 'no aliases' : table(['ALIAS', 'TARGETS'], list.map((a) => [a.address, a.targets.join(', ')])));
    }));
}
