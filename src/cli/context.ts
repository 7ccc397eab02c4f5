/**
 * What every command gets: the boot config from --data/--config, a Runtime over the store, the
 * output writer and the actor recorded in the audit log. Commands run against the same store the
 * server uses, so they take effect at once while it runs.
 */
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { loadBootConfig, type BootConfig } from '../config/boot.ts';
import { MailError } from '../core/errors.ts';
import { createLogger } from '../core/log/logger.ts';
import type { Actor } from '../directory/actor.ts';
import { hasEmbeddedStore, openRuntime, type Runtime } from '../main.ts';
import { createOutput, type Output } from './output.ts';

export interface GlobalOptions {
  data?: string;
  config?: string;
  json?: boolean;
}

export interface CommandContext {
  config: BootConfig;
  out: Output;
  actor: Actor;
}

export function cliActor(): Actor {
  let name = 'root';
  try { name = userInfo().username; } catch { /* no passwd entry: keep 'root' */ }
  return { who: `cli:${name}`, from: 'cli', role: { kind: 'system' } };
}

export function commandContext(cmd: Command): CommandContext {
  const g = cmd.optsWithGlobals<GlobalOptions>();
  const config = loadBootConfig({ file: g.config, dataDir: g.data });
  return { config, out: createOutput(g.json === true), actor: cliActor() };
}

/** Opens the runtime for one command and always closes it. Refuses an uninitialised data dir. */
export async function withRuntime<T>(cmd: Command, fn: (rt: Runtime, ctx: CommandContext) => Promise<T>): Promise<T> {
  const ctx = commandContext(cmd);
  if (!hasEmbeddedStore(ctx.config)) {
    throw new MailError('NOT_FOUND', `no Youju data in ${ctx.config.dataDir}: run \`youju init --data ${ctx.config.dataDir} --domain NAME\` or \`youju start\` first`);
  }
  const rt = await openRuntime(ctx.config, { logger: silentLogger() });
  try {
    return await fn(rt, ctx);
  } finally {
    await rt.close();
  }
}

const silentLogger = () => createLogger({ level: 'silent' });
