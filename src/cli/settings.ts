/**
 * `youju settings list|get|set` — the runtime settings the consoles edit, from the command line.
 * Values are JSON when they parse as JSON (50, true, "text"), plain text otherwise. A running
 * server picks a change up within its poll interval, without a restart.
 */
import type { Command } from 'commander';
import { describeSettings } from '../config/settings.ts';
import { MailError } from '../core/errors.ts';
import { withRuntime } from './context.ts';
import { table } from './output.ts';

function lookup(obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
}

const SECRET_KEY = /password|secret|private/i;

/**
 * Passwords never leave through the CLI: any key named like a secret is shown as "****" when set.
 * `path` is where `value` sits, so a leaf asked for by name (`get delivery.smartHost.password`) is masked too.
 */
function masked(value: unknown, path = ''): unknown {
  const leaf = path.split('.').pop() ?? '';
  if (SECRET_KEY.test(leaf) && typeof value === 'string' && value !== '') return '****';
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => masked(v));
  return Object.fromEntries(Object.entries(value).map(([k, v]) =>
    [k, masked(v, k)]));
}

function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function registerSettings(program: Command): void {
  const settings = program.command('settings').description('runtime settings (apply without a restart)');

  settings.command('list').description('every setting with its value and meaning')
    .action((_f: unknown, cmd: Command) => withRuntime(cmd, async (rt, { out }) => {
      const current = rt.settings.current();
      const rows = describeSettings().map((d) => ({ ...d, value: masked(lookup(current, d.path), d.path) }));
      out.result(rows, () => table(['SETTING', 'VALUE', 'DEFAULT', 'MEANING'],
        rows.map((r) => [r.path, JSON.stringify(r.value), JSON.stringify(r.default), r.description])));
    }));

  settings.command('get <path>').description('one setting, e.g. smtp.maxRcptPerMessage')
    .action((path: string, _f: unknown, cmd: Command) => withRuntime(cmd, async (rt, { out }) => {
      const value = masked(lookup(rt.settings.current(), path), path);
      if (value === undefined) throw new MailError('INVALID_INPUT', `unknown setting "${path}"`);
      out.result({ path, value }, () => JSON.stringify(value));
    }));

  settings.command('set <path> <value>').description('change a setting; a running server applies it at once')
    .action((path: string, value: string, _f: unknown, cmd: Command) => withRuntime(cmd, async (rt, { out, actor }) => {
      const parsed = parseValue(value);
      await rt.settings.set(path, parsed);
      const shown = masked(parsed, path);
      await rt.store.tx((tx) => tx.audit.write({ actor: actor.who, source: actor.from, action: 'settings.set', target: path, details: { value: shown } }));
      out.result({ path, value: shown }, () => `${path} = ${JSON.stringify(shown)}`);
    }));
}
