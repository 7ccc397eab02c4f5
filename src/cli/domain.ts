/**
 * `youju domain add|list|show|set|del` and `youju domain alias-add|alias-del` (FEATURES A2, A10, P11);
 * --postmaster/--abuse name where those role addresses go (RFC 5321 §4.5.1).
 */
import type { Command } from 'commander';
import { MailError } from '../core/errors.ts';
import type { DomainOptions } from '../directory/domains.ts';
import { domainSettingsScope, SIGNATURE_SETTING_KEY } from '../config/domain-scope.ts';
import { dateOrNever, megabytes, nonNegativeInt, oneOf, yesNo } from './args.ts';
import { withRuntime } from './context.ts';
import { ROLE_ACCOUNTS } from '../directory/role-accounts.ts';
import type { Actor } from '../directory/actor.ts';
import type { Runtime } from '../main.ts';
import { printCreatedAdmins } from './init.ts';
import { date, fields, mb, size, table } from './output.ts';

interface DomainFlags {
  maxUsers?: number; maxSizeMb?: number; maxLists?: number; quotaMb?: number; diskQuotaMb?: number;
  expires?: number | null; status?: 'valid' | 'invalid' | 'expired'; company?: string; feedback?: string;
  strongPasswords?: boolean; allowRegistration?: boolean; requireApproval?: boolean;
  postmaster?: string; abuse?: string;
}

function domainOptions(cmd: Command): Command {
  return cmd
    .option('--max-users <n>', 'user limit (0 = unlimited)', nonNegativeInt)
    .option('--max-size-mb <n>', 'total mailbox space of the domain in MB (0 = unlimited)', megabytes)
    .option('--max-lists <n>', 'mailing list limit (0 = unlimited)', nonNegativeInt)
    .option('--quota-mb <n>', 'default mailbox quota for new users in MB', megabytes)
    .option('--disk-quota-mb <n>', 'default network-disk quota for new users in MB', megabytes)
    .option('--expires <date>', 'expiry date YYYY-MM-DD, or never', dateOrNever)
    .option('--status <s>', 'valid, invalid or expired', oneOf('valid', 'invalid', 'expired'))
    .option('--company <name>', 'company name (shown in titles)')
    .option('--feedback <address>', 'feedback address')
    .option('--strong-passwords <yes|no>', 'enforce the strong-password policy', yesNo)
    .option('--allow-registration <yes|no>', 'allow self-registration', yesNo)
    .option('--require-approval <yes|no>', 'registrations wait for approval', yesNo)
    .option('--postmaster <address>', 'where postmaster@ goes when no user or alias has that name ("" = default: user admin@, else the oldest user)')
    .option('--abuse <address>', 'where abuse@ goes when no user or alias has that name ("" = default: where postmaster@ goes)');
}

/** Applies --postmaster/--abuse when given. */
async function applyRoleAccounts(rt: Runtime, actor: Actor, name: string, f: DomainFlags): Promise<void> {
  if (f.postmaster !== undefined || f.abuse !== undefined) {
    await rt.domains.setRoleAccounts(actor, name, { postmaster: f.postmaster, abuse: f.abuse });
  }
}

function toDomainOptions(f: DomainFlags): DomainOptions {
  return {
    maxUsers: f.maxUsers, maxSizeBytes: f.maxSizeMb, maxLists: f.maxLists, defaultQuotaBytes: f.quotaMb,
    defaultDiskQuotaBytes: f.diskQuotaMb, expiresAt: f.expires, status: f.status, companyName: f.company,
    feedbackAddress: f.feedback, strongPasswords: f.strongPasswords, allowRegistration: f.allowRegistration,
    requireApproval: f.requireApproval,
  };
}

export function registerDomain(program: Command): void {
  const domain = program.command('domain').description('mail domains');

  domainOptions(domain.command('add <name>').description('add a mail domain'))
    .action((name: string, flags: DomainFlags, cmd: Command) => withRuntime(cmd, async (rt, { out, actor }) => {
      const d = await rt.domains.add(actor, name, toDomainOptions(flags));
      await applyRoleAccounts(rt, actor, d.name, flags);
      const created = await rt.admins.ensureBuiltins(actor);
      out.result({ ...d, accounts: created }, () => `domain ${d.name} added`);
      printCreatedAdmins(out, created);
    }));

  domainOptions(domain.command('set <name>').description('change a domain\'s limits and options'))
    .action((name: string, flags: DomainFlags, cmd: Command) => withRuntime(cmd, async (rt, { out, actor }) => {
      const d = await rt.domains.update(actor, name, toDomainOptions(flags));
      await applyRoleAccounts(rt, actor, d.name, flags);
      out.result(d, () => `domain ${d.name} updated`);
    }));

  domain.command('signature <name>').description('the domain signature appended to mail its users send out (P14)')
    .option('--text <text>', 'plain-text signature ("\\n" for a new line; "" to remove)')
    .option('--html <html>', 'HTML signature ("" to remove)')
    .action((name: string, f: { text?: string; html?: string }, cmd: Command) => withRuntime(cmd, async (rt, { out, actor }) => {
      const d = await rt.domains.resolveDomain(name);
      if (!d) throw new MailError('NOT_FOUND', `no domain ${name}`);
      const scope = domainSettingsScope(d.id);
      const sig = await rt.store.tx(async (tx) => {
        const cur = ((await tx.settings.get(scope, SIGNATURE_SETTING_KEY)) ?? { text: '', html: '' }) as { text: string; html: string };
        const next = { text: f.text === undefined ? cur.text : f.text.replace(/\\n/g, '\n'), html: f.html ?? cur.html };
        if (f.text !== undefined || f.html !== undefined) {
          await tx.settings.set(scope, SIGNATURE_SETTING_KEY, next);
          await tx.audit.write({ actor: actor.who, source: actor.from, action: 'domain.signature', target: d.name, details: {} });
        }
        return next;
      });
      out.result({ domain: d.name, ...sig }, () => `signature of ${d.name}:\n  text: ${sig.text ? JSON.stringify(sig.text) : '(none)'}\n  html: ${sig.html ? JSON.stringify(sig.html) : '(none)'}`);
    }));

  domain.command('list').description('list domains')
    .action((_f: unknown, cmd: Command) => withRuntime(cmd, async (rt, { out }) => {
      const list = await rt.domains.list();
      out.result(list.map((d) => ({ ...d.domain, displayName: d.displayName, effectiveStatus: d.effectiveStatus })), () =>
        list.length === 0 ? 'no domains' : table(['DOMAIN', 'STATUS', 'MAX USERS', 'EXPIRES'],
          list.map((d) => [d.displayName, d.effectiveStatus, d.domain.maxUsers || 'unlimited', date(d.domain.expiresAt)])));
    }));

  domain.command('show <name>').description('show a domain with its usage')
    .action((name: string, _f: unknown, cmd: Command) => withRuntime(cmd, async (rt, { out }) => {
      const i = await rt.domains.show(name);
      const d = i.domain;
      out.result(i, () => fields([
        ['domain', i.displayName === d.name ? d.name : `${i.displayName} (${d.name})`],
        ['status', i.effectiveStatus],
        ['users', `${i.usage.users} of ${d.maxUsers || 'unlimited'}`],
        ['lists', `${i.usage.lists} of ${d.maxLists || 'unlimited'}`],
        ['space', `${size(i.usage.usedBytes)} used, ${size(i.usage.quotaAllocatedBytes)} allocated, limit ${mb(d.maxSizeBytes)}`],
        ['default quota', mb(d.defaultQuotaBytes)],
        ['opened', date(d.openedAt)],
        ['expires', date(d.expiresAt)],
        ['strong passwords', d.strongPasswords ? 'on' : 'off'],
        ['registration', d.allowRegistration ? (d.requireApproval ? 'open, with approval' : 'open') : 'closed'],
        ['company', d.companyName],
        ['aliases', i.aliases.join(', ') || '-'],
        ...ROLE_ACCOUNTS.map((r): [string, string] => {
          const a = i.roleAccounts[r];
          return [`${r}@`, `${a.deliversTo ?? 'nobody (no active user)'}${a.configured ? '' : ' (default)'}`];
        }),
      ]));
    }));

  domain.command('del <name>').description('delete a domain with all its users and mail')
    .option('--force', 'delete even if the domain still has users')
    .action((name: string, f: { force?: boolean }, cmd: Command) => withRuntime(cmd, async (rt, { out, actor }) => {
      const i = await rt.domains.show(name);
      if (i.usage.users > 0 && !f.force) {
        throw new MailError('FORBIDDEN', `domain ${i.displayName} still has ${i.usage.users} users; add --force to delete them and their mail`);
      }
      await rt.domains.remove(actor, name);
      out.result({ deleted: i.domain.name }, () => `domain ${i.domain.name} deleted`);
    }));

  domain.command('alias-add <alias> <domain>').description('make ALIAS another name of DOMAIN (old domain → new)')
    .action((alias: string, target: string, _f: unknown, cmd: Command) => withRuntime(cmd, async (rt, { out, actor }) => {
      const a = await rt.domains.addAlias(actor, alias, target);
      out.result(a, () => `domain alias ${a.alias} → ${target} added`);
    }));

  domain.command('alias-del <alias>').description('remove a domain alias')
    .action((alias: string, _f: unknown, cmd: Command) => withRuntime(cmd, async (rt, { out, actor }) => {
      await rt.domains.removeAlias(actor, alias);
      out.result({ deleted: alias }, () => `domain alias ${alias} removed`);
    }));
}
