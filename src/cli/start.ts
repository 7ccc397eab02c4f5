/**
 * `youju start`: runs every role in this process until SIGTERM or SIGINT, then shuts down
 * gracefully (listeners stop accepting, work in flight finishes, the store closes). On an empty
 * data store it first runs the set-up of `youju init` and prints the generated passwords once.
 * Not running as root, ports below 1024 move up by 10000 (25 → 10025) and it says so, unless
 * --privileged-ports says the process may bind them (CAP_NET_BIND_SERVICE).
 */
import { hostname as osHostname } from 'node:os';
import type { Command } from 'commander';
import { PORT_NAMES, withHighPorts, type BootConfig } from '../config/boot.ts';
import { openRuntime, startServer } from '../main.ts';
import { commandContext } from './context.ts';
import { initialise, isInitialised, printCreatedAdmins } from './init.ts';
import { fields } from './output.ts';

/** mail.example.cn → example.cn; a bare host name gives example.com (change it with `youju domain add`). */
export function defaultDomainFor(hostname: string): string {
  const labels = hostname.toLowerCase().split('.').filter(Boolean);
  if (labels.length >= 3) return labels.slice(1).join('.');
  if (labels.length === 2 && labels[1] !== 'localdomain' && labels[1] !== 'local') return labels.join('.');
  return 'example.com';
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

export function registerStart(program: Command): void {
  program.command('start').description('run the mail server (every role) until stopped')
    .option('--domain <name>', 'default domain to create on first start')
    .option('--privileged-ports', 'bind ports below 1024 as configured even when not root (the process has CAP_NET_BIND_SERVICE, as the systemd unit of `youju service install` gives it)')
    .action(async (f: { domain?: string; privilegedPorts?: boolean }, cmd: Command) => {
      const ctx = commandContext(cmd);
      let config: BootConfig = ctx.config;
      const { out, actor } = ctx;
      if (!isRoot() && !f.privilegedPorts) {
        config = withHighPorts(config);
        out.info('not running as root: ports below 1024 moved up by 10000');
      }
      const rt = await openRuntime(config, { pollSettingsMs: 2000 });
      try {
        if (!(await isInitialised(rt))) {
          const r = await initialise(rt, actor, { domain: f.domain ?? defaultDomainFor(config.hostname || osHostname()) });
          out.info(`First start: initialised ${config.dataDir} with domain ${r.domain}.`);
          printCreatedAdmins(out, r.created);
        }
        const server = await startServer(rt);
        const up = new Map(server.listeners.map((l) => [l.role, l.port]));
        out.info(fields([
          ['Youju', `running on ${config.hostname} (store: ${rt.store.kind}, data: ${config.dataDir})`],
          ...PORT_NAMES.filter((p) => p !== 'smtpOutbound').map((p): [string, unknown] => [`${p} port`,
            config.ports[p] === 0 ? 'off' : up.has(p) ? `${config.listen}:${up.get(p)}` : `${config.ports[p]} (not built yet)`]),
          ['antivirus', rt.settings.current().antivirus.clamd
            ? `clamd at ${rt.settings.current().antivirus.clamd}`
            : 'off: no scanner (youju settings set antivirus.clamd unix:/run/clamav/clamd.ctl, or host:3310)'],
          ...(up.has('http') ? [['webmail', `http://${config.hostname || 'localhost'}:${up.get('http')}/webmail/`] as [string, unknown]] : []),
          ['stop', 'Ctrl-C or SIGTERM'],
        ]));
        await new Promise<void>((resolve) => {
          const stop = () => resolve();
          process.once('SIGTERM', stop);
          process.once('SIGINT', stop);
        });
        out.info('stopping…');
        await server.stop();
      } finally {
        await rt.close();
      }
      out.info('stopped');
    });
}
