/**
 * `youju version` and `youju service install` (FEATURES T5): what is running, and a systemd unit
 * that starts the server at boot as an unprivileged user allowed to bind the mail ports.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { MailError } from '../core/errors.ts';
import { youjuVersion } from '../core/version.ts';
import { commandContext, type GlobalOptions } from './context.ts';
import { fields } from './output.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface VersionInfo {
  version: string;
  /** compiled: dist/ built by `npm run build`; source: TypeScript loaded through tsx. */
  build: 'compiled' | 'source';
  builtAt: string | null;
  node: string;
}

export function versionInfo(): VersionInfo {
  const compiled = /[\\/]dist[\\/]cli[\\/]/.test(fileURLToPath(import.meta.url));
  let builtAt: string | null = null;
  try { builtAt = readFileSync(join(root, 'dist', '.built'), 'utf8').trim(); } catch { /* never built */ }
  return { version: youjuVersion(), build: compiled ? 'compiled' : 'source', builtAt: compiled ? builtAt : null, node: process.version };
}

/** The unit file text: `youju start` as `user`, on the configured ports (CAP_NET_BIND_SERVICE, no root). */
export function unitFile(o: { user: string; group: string; dataDir: string; configFile?: string; node: string; youju: string }): string {
  const args = ['start', '--privileged-ports', '--data', o.dataDir, ...(o.configFile ? ['--config', o.configFile] : [])];
  const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `"${s.replace(/(["\\$`])/g, '\\$1')}"`);
  return `[Unit]
Description=Youju (邮局) mail server
After=network-online.target postgresql.service
Wants=network-online.target

[Service]
Type=simple
User=${o.user}
Group=${o.group}
ExecStart=${[o.node, o.youju, ...args].map(quote).join(' ')}
Environment=NODE_ENV=production
# SIGTERM: listeners stop, sessions in flight finish, the store closes (youju start).
KillSignal=SIGTERM
TimeoutStopSec=30
Restart=on-failure
RestartSec=2
# The mail ports are below 1024: allow binding them without running as root.
AmbientCapabilities=CAP_NET_BIND_SERVICE
CapabilityBoundingSet=CAP_NET_BIND_SERVICE
NoNewPrivileges=true
ProtectSystem=full
ProtectHome=read-only
PrivateTmp=true
ReadWritePaths=${quote(o.dataDir)}
LimitNOFILE=65536

[Install]
WantedBy=multi-user.target
`;
}

/** A system user's primary group name, from /etc/passwd and /etc/group; undefined when there is no such user. */
function lookUpUser(name: string): { group: string } | undefined {
  const passwd = readFileSync('/etc/passwd', 'utf8').split('\n').map((l) => l.split(':'));
  const entry = passwd.find((f) => f[0] === name);
  if (!entry) return undefined;
  const gid = entry[3];
  const group = existsSync('/etc/group')
    ? readFileSync('/etc/group', 'utf8').split('\n').map((l) => l.split(':')).find((f) => f[2] === gid)?.[0]
    : undefined;
  return { group: group ?? name };
}

export function registerService(program: Command): void {
  program.command('version').description('print the version of Youju and how it runs')
    .action((_f: unknown, cmd: Command) => {
      const { out } = commandContext(cmd);
      const v = versionInfo();
      out.result(v, () => fields([
        ['Youju', v.version],
        ['build', v.build === 'compiled' ? `compiled (dist/, built ${v.builtAt ?? 'at an unknown time'})` : 'TypeScript sources through tsx (no current build: run `npm run build`)'],
        ['Node.js', v.node],
      ]));
    });

  const service = program.command('service').description('run Youju as a system service');
  service.command('install').description('write a systemd unit that starts `youju start` at boot')
    .option('--user <name>', 'system user the server runs as (default: the current user)')
    .option('--unit-dir <dir>', 'where to write the unit', '/etc/systemd/system')
    .option('--name <name>', 'unit name', 'youju')
    .action(async (f: { user?: string; unitDir: string; name: string }, cmd: Command) => {
      const { config, out } = commandContext(cmd);
      const g = cmd.optsWithGlobals<GlobalOptions>();
      if (!/^[A-Za-z0-9_.@-]+$/.test(f.name)) throw new MailError('INVALID_INPUT', `--name: "${f.name}" is not a valid unit name`);
      const user = f.user ?? userInfo().username;
      const account = lookUpUser(user);
      if (!account) throw new MailError('INVALID_INPUT', `--user: there is no system user "${user}" (create one, e.g. useradd --system --home ${resolve(config.dataDir)} ${user})`);
      const dataDir = resolve(config.dataDir);
      const configFile = g.config === undefined ? undefined : resolve(g.config);
      const text = unitFile({ user, group: account.group, dataDir, configFile, node: process.execPath, youju: join(root, 'bin', 'youju.js') });
      const dir = isAbsolute(f.unitDir) ? f.unitDir : resolve(f.unitDir);
      const path = join(dir, `${f.name}.service`);
      await mkdir(dir, { recursive: true });
      await writeFile(path, text, { mode: 0o644 });
      out.result({ unit: path, user, dataDir, configFile: configFile ?? null }, () => [
        `Wrote ${path} (runs as ${user}, data ${dataDir}).`,
        ...(user === 'root' ? ['Note: it runs as root; a dedicated user (--user youju) is safer.'] : [`Make sure ${user} owns the data directory: chown -R ${user}:${account.group} ${dataDir}`]),
        `Then: systemctl daemon-reload && systemctl enable --now ${f.name}`,
      ].join('\n'));
    });
}
