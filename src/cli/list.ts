/** `youju list add|del|member-add|member-del|show|ls` — mailing lists (FEATURES P12, A6). */
import type { Command } from 'commander';
import type { ListVisibility } from '../store/store.ts';
import { oneOf, yesNo } from './args.ts';
import { withRuntime } from './context.ts';
import { fields, table } from './output.ts';

interface RightsFlags { send?: boolean; receive?: boolean }

export function registerList(program: Command): void {
  const list = program.command('list').description('mailing lists');

  list.command('add <address>').description('create a mailing list')
    .option('--member <addresses...>', 'first members (may send and receive)')
    .option('--description <text>', 'what the list is for')
    .option('--private', 'only members with the send right may post (default: public)')
    .action((address: string, f: { member?: string[]; description?: string; private?: boolean }, cmd: Command) =>
      withRuntime(cmd, async (rt, { out, actor }) => {
        const visibility: ListVisibility = f.private ? 'private' : 'public';
        const l = await rt.lists.add(actor, address, { description: f.description, visibility, members: f.member ?? [] });
        out.result(l, () => `list ${l.address} (${visibility}) added with ${l.members.length} members`);
      }));

  list.command('set <address>').description('change a list\'s description or visibility')
    .option('--description <text>', 'what the list is for')
    .option('--visibility <v>', 'public or private', oneOf('public', 'private'))
    .action((address: string, f: { description?: string; visibility?: ListVisibility }, cmd: Command) =>
      withRuntime(cmd, async (rt, { out, actor }) => {
        const l = await rt.lists.update(actor, address, f);
        out.result(l, () => `list ${address} updated`);
      }));

  list.command('del <address>').description('delete a mailing list')
    .action((address: string, _f: unknown, cmd: Command) => withRuntime(cmd, async (rt, { out, actor }) => {
      await rt.lists.remove(actor, address);
      out.result({ deleted: address }, () => `list ${address} deleted`);
    }));

  list.command('member-add <list> <members...>').description('add members, or change their rights')
    .option('--send <yes|no>', 'may post to the list (default yes)', yesNo)
    .option('--receive <yes|no>', 'receives the list\'s mail (default yes)', yesNo)
    .action((address: string, members: string[], f: RightsFlags, cmd: Command) => withRuntime(cmd, async (rt, { out, actor }) => {
      await rt.lists.addMembers(actor, address, members.map((m) => ({ address: m, canSend: f.send, canReceive: f.receive })));
      out.result({ list: address, added: members }, () => `${members.length} member(s) added to ${address}`);
    }));

  list.command('member-del <list> <members...>').description('remove members')
    .action((address: string, members: string[], _f: unknown, cmd: Command) => withRuntime(cmd, async (rt, { out, actor }) => {
      for (const m of members) await rt.lists.removeMember(actor, address, m);
      out.result({ list: address, removed: members }, () => `${members.length} member(s) removed from ${address}`);
    }));

  list.command('show <address>').description('show a list and its members')
    .action((address: string, _f: unknown, cmd: Command) => withRuntime(cmd, async (rt, { out }) => {
      const l = await rt.lists.show(address);
      out.result(l, () => `${fields([['list', l.address], ['visibility', l.list.visibility], ['description', l.list.description || '-']])}\n\n${
        l.members.length === 0 ? 'no members' : table(['MEMBER', 'SEND', 'RECEIVE'],
          l.members.map((m) => [m.address, m.canSend ? 'yes' : 'no', m.canReceive ? 'yes' : 'no']))}`);
    }));

  list.command('ls [domain]').description('list mailing lists, optionally of one domain')
    .action((domain: string | undefined, _f: unknown, cmd: Command) => withRuntime(cmd, async (rt, { out }) => {
      const lists = await rt.lists.list(domain);
      out.result(lists, () => lists.length === 0 ? 'no lists' : table(['LIST', 'VISIBILITY', 'DESCRIPTION'],
        lists.map((l) => [l.address, l.list.visibility, l.list.description || '-'])));
    }));
}
