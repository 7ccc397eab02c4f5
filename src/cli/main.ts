#!/usr/bin/env node
/**
 * `youju` — the command line (DESIGN §6). One file per command group registers its subcommands.
 * Exit codes: 0 success, 1 error (one human line on stderr), 2 bad usage.
 */
import { Command, CommanderError } from 'commander';
import { describeError, isMailError } from '../core/errors.ts';
import { registerAdmin } from './admin.ts';
import { registerAlias } from './alias.ts';
import { registerAntispam } from './antispam.ts';
import { registerContentFilter } from './content-filter.ts';
import { registerBackup } from './backup.ts';
import { registerDkim } from './dkim.ts';
import { registerDoctor } from './doctor.ts';
import { registerDomain } from './domain.ts';
import { registerImport } from './import.ts';
import { registerInit } from './init.ts';
import { registerList } from './list.ts';
import { registerPopAccount } from './pop-account.ts';
import { registerQuarantine } from './quarantine.ts';
import { registerQueue } from './queue.ts';
import { registerSecurity } from './security.ts';
import { registerService } from './service.ts';
import { registerSettings } from './settings.ts';
import { registerStart } from './start.ts';
import { registerUser } from './user.ts';

export function buildProgram(): Command {
  const program = new Command('youju')
    .description('Youju (邮局) enterprise mail server')
    .option('--data <dir>', 'data directory (default ./data, or $YOUJU_DATA)')
    .option('--config <file>', 'boot config file (JSON or YAML)')
    .option('--json', 'machine-readable output')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of [registerInit, registerStart, registerDomain, registerUser, registerAlias, registerList, registerAdmin, registerSettings, registerQueue, registerQuarantine, registerAntispam, registerContentFilter, registerDkim, registerImport, registerPopAccount, registerSecurity, registerService, registerDoctor, registerBackup]) {
    register(program);
  }
  // Subcommands inherit exitOverride so usage errors reach the handler below as exit code 2.
  const inherit = (c: Command) => { c.exitOverride(); c.showHelpAfterError('(run with --help for usage)'); c.commands.forEach(inherit); };
  program.commands.forEach(inherit);
  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      return 2;
    }
    if (isMailError(err, 'INVALID_INPUT')) {
      process.stderr.write(`youju: ${err.message}\n`);
      return 2;
    }
    const message = isMailError(err) ? err.message : `${describeError(err).public}: ${(err as Error)?.message ?? String(err)}`;
    process.stderr.write(`youju: ${message.split('\n')[0]}\n`);
    return 1;
  }
}

// Run directly (`tsx src/cli/main.ts …`, as `npm start` does); bin/youju.js calls runCli itself.
if (process.argv[1] !== undefined && /cli[\\/]main\.ts$/.test(process.argv[1])) {
  process.exitCode = await runCli(process.argv.slice(2));
}
