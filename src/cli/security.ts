/**
 * `youju security bans|unban IP` — the failed-login throttle's IP bans (auth/login-throttle.ts).
 * These commands ask the running server over the control socket (core/control-socket.ts) and fail
 * with "no Youju server is running" when none runs on --data. Bans are shared through the store
 * (auth/shared-bans.ts): every node and SMTP process lists the same bans, and a ban lifted on one
 * is lifted on all within seconds.
 */
import type { Command } from 'commander';
import ipaddr from 'ipaddr.js';
import type { Ban } from '../auth/login-throttle.ts';
import { controlRequest } from '../core/control-socket.ts';
import { MailError } from '../core/errors.ts';
import { withRuntime } from './context.ts';
import { table } from './output.ts';

export function registerSecurity(program: Command): void {
  const security = program.command('security').description('IP bans of the running server (failed logins, dynamic screening, spam traps)');

  security.command('bans').description('IP addresses banned after repeated failed logins, abusive SMTP sessions or a spam-trap hit')
    .action((_f: unknown, cmd: Command) => withRuntime(cmd, async (_rt, { config, out }) => {
      const bans = await controlRequest(config.dataDir, 'security.bans') as Ban[];
      out.result(bans, () => (bans.length === 0 ? 'no bans'
        : table(['IP', 'REASON', 'COUNT', 'BANNED UNTIL'], bans.map((b) => [b.ip, b.reason, b.failures, new Date(b.until).toISOString()]))));
    }));

  security.command('unban <ip>').description('lift the ban of an IP address and forget its failures')
    .action((ip: string, _f: unknown, cmd: Command) => withRuntime(cmd, async (rt, { config, out, actor }) => {
      if (!ipaddr.isValid(ip)) throw new MailError('INVALID_INPUT', `"${ip}" is not an IP address`);
      const lifted = await controlRequest(config.dataDir, 'security.unban', { ip }) === true;
      await rt.store.tx((tx) => tx.audit.write({ actor: actor.who, source: actor.from, action: 'security.unban', target: ip, details: { lifted } }));
      out.result({ ip, lifted }, () => (lifted ? `${ip} unbanned` : `${ip} was not banned`));
    }));
}
