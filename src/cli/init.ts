/**
 * `youju init`: first-run set-up of a data store — the default domain, the built-in accounts
 * system / administrator / admin (FEATURES A1) with generated passwords shown once, and the
 * marker that says the store is initialised. `youju start` runs the same set-up on an empty store.
 * Re-running after a crash part-way finishes what is missing; on a finished store it refuses.
 */
import type { Command } from 'commander';
import { MailError } from '../core/errors.ts';
import type { CreatedAdmin } from '../directory/admins.ts';
import type { Actor } from '../directory/actor.ts';
import { openRuntime, type Runtime } from '../main.ts';
import { commandContext } from './context.ts';
import type { Output } from './output.ts';
import { table } from './output.ts';
import { createLogger } from '../core/log/logger.ts';

const SYSTEM_SCOPE = 'system';

export async function isInitialised(rt: Runtime): Promise<boolean> {
  return (await rt.store.read((tx) => tx.settings.get(SYSTEM_SCOPE, 'initialisedAt'))) !== undefined;
}

export interface InitOptions {
  domain: string;
  passwords?: { system?: string; administrator?: string; admin?: string };
}

export async function initialise(rt: Runtime, actor: Actor, opts: InitOptions): Promise<{ domain: string; created: CreatedAdmin[] }> {
  if (await isInitialised(rt)) {
    const domain = await rt.store.read((tx) => tx.settings.get(SYSTEM_SCOPE, 'defaultDomain'));
    throw new MailError('ALREADY_EXISTS', `${rt.config.dataDir} is already initialised (default domain ${String(domain)})`);
  }
  const existing = await rt.domains.resolveDomain(opts.domain);
  const domain = existing ?? await rt.domains.add(actor, opts.domain);
  const created = await rt.admins.ensureBuiltins(actor, opts.passwords);
  await rt.store.tx(async (tx) => {
    await tx.settings.set(SYSTEM_SCOPE, 'defaultDomain', domain.name);
    await tx.settings.set(SYSTEM_SCOPE, 'initialisedAt', rt.clock.now());
  });
  return { domain: domain.name, created };
}

export function printCreatedAdmins(out: Output, created: CreatedAdmin[]): void {
  if (created.length === 0) return;
  out.info(table(['ROLE', 'ACCOUNT', 'DOMAIN', 'PASSWORD'],
    created.map((a) => [a.role, a.username, a.domain ?? '-', a.password])));
  out.info('These passwords are shown once. Reset one with `youju admin reset-password ROLE [DOMAIN]`.');
}

export function registerInit(program: Command): void {
  program.command('init').description('initialise a data directory: default domain and administrator accounts')
    .requiredOption('--domain <name>', 'the first mail domain, e.g. example.cn')
    .option('--password-system <p>', 'password of the system administrator (generated if omitted)')
    .option('--password-administrator <p>', 'password of the super-domain administrator (generated if omitted)')
    .option('--password-admin <p>', 'password of the domain administrator (generated if omitted)')
    .action(async (f: { domain: string; passwordSystem?: string; passwordAdministrator?: string; passwordAdmin?: string }, cmd: Command) => {
      const { config, out, actor } = commandContext(cmd);
      const rt = await openRuntime(config, { logger: createLogger({ level: 'silent' }) });
      try {
        const r = await initialise(rt, actor, {
          domain: f.domain,
          passwords: { system: f.passwordSystem, administrator: f.passwordAdministrator, admin: f.passwordAdmin },
        });
        out.result({ dataDir: config.dataDir, domain: r.domain, accounts: r.created }, () => `initialised ${config.dataDir} with domain ${r.domain}`);
        printCreatedAdmins(out, r.created);
      } finally {
        await rt.close();
      }
    });
}
