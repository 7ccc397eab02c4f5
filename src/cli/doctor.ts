/**
 * `youju doctor [--no-dns]` (issue #15 §4): ports, per-domain DNS records with the exact text to
 * publish, the TLS certificate, disk space and store health; `--json` for scripts. Exit code 1
 * when a check failed, so it can gate a deployment.
 */
import type { Command } from 'commander';
import { MailError } from '../core/errors.ts';
import { dkimDnsRecord, loadDkimKey } from '../delivery/rewrite/dkim.ts';
import { formatChecks, type Check } from '../doctor/check.ts';
import { dnsChecks } from '../doctor/dns-checks.ts';
import { diskCheck, portChecks, storeChecks, tlsCheck } from '../doctor/local-checks.ts';
import { withRuntime } from './context.ts';

export function registerDoctor(program: Command): void {
  program.command('doctor').description('check ports, DNS records, TLS, disk and store, and say what to fix')
    .option('--no-dns', 'skip the DNS checks (no network)')
    .action((f: { dns: boolean }, cmd: Command) => withRuntime(cmd, async (rt, { out }) => {
      const checks: Check[] = [];
      checks.push(...await portChecks(rt.config));
      if (f.dns) {
        const domains = await Promise.all((await rt.domains.list()).map(async (d) => {
          const key = await loadDkimKey(rt.store, d.domain.id);
          const rec = key && dkimDnsRecord(d.domain.name, key);
          return { name: d.domain.name, displayName: d.displayName, ...(rec ? { dkim: { dnsName: rec.dnsName, txt: rec.txt } } : {}) };
        }));
        checks.push(...await dnsChecks({ hostname: rt.config.hostname, servers: rt.config.dns.servers, domains, mtaSts: rt.settings.current().mtaSts }));
      }
      checks.push(...await tlsCheck(rt.config, rt.clock.now()));
      checks.push(...await diskCheck(rt.config.dataDir));
      checks.push(...await storeChecks(rt));
      out.result({ checks, failed: checks.filter((c) => c.status === 'fail').length }, () => formatChecks(checks));
      const failed = checks.filter((c) => c.status === 'fail').length;
      if (failed > 0) throw new MailError('CONFIG_INVALID', `${failed} ${failed === 1 ? 'check' : 'checks'} failed`);
    }));
}
