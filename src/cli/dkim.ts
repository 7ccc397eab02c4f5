/**
 * `youju dkim generate DOMAIN [--selector S] [--force]` and `youju dkim show DOMAIN` (FEATURES P15):
 * create a domain's DKIM signing key (RSA 2048) in the store and print the DNS TXT record to
 * publish. The private key never leaves the store; `show` derives the record from it again.
 * Signing itself happens on the way out (delivery/rewrite/dkim.ts) once rewrite.dkim.enabled is on.
 */
import { domainToUnicode } from 'node:url';
import type { Command } from 'commander';
import { MailError } from '../core/errors.ts';
import { recordAudit } from '../directory/actor.ts';
import {
  DEFAULT_DKIM_SELECTOR, checkSelector, dkimDnsRecord, generateDkimKey, loadDkimKey, putDkimKey, readDkimKey, zoneFileLine,
  type DkimKey,
} from '../delivery/rewrite/dkim.ts';
import type { Runtime } from '../main.ts';
import { withRuntime } from './context.ts';
import { fields } from './output.ts';

async function requireDomain(rt: Runtime, name: string) {
  const domain = await rt.domains.resolveDomain(name);
  if (!domain) throw new MailError('NOT_FOUND', `domain ${name} does not exist`);
  return domain;
}

/** What both commands print: the record to publish, never the private key. */
function recordOf(domainName: string, key: DkimKey) {
  const r = dkimDnsRecord(domainName, key);
  return { domain: domainName, selector: key.selector, dnsName: r.dnsName, txt: r.txt, zone: zoneFileLine(r) };
}

const human = (rec: ReturnType<typeof recordOf>, headline: string) => [
  headline,
  'Publish this DNS TXT record:',
  fields([['name', rec.dnsName], ['value', rec.txt]]),
  'In a zone file (the value split into strings of at most 255 characters):',
  rec.zone,
].join('\n');

export function registerDkim(program: Command): void {
  const dkim = program.command('dkim').description('DKIM signing keys of mail domains (RFC 6376)');

  dkim.command('generate <domain>').description('create a DKIM key for DOMAIN and print the DNS record to publish')
    .option('--selector <s>', 'selector: the DNS label under _domainkey', DEFAULT_DKIM_SELECTOR)
    .option('--force', 'replace the key the domain already has (mail signed with the old one stops verifying once DNS changes)')
    .action((name: string, f: { selector: string; force?: boolean }, cmd: Command) => withRuntime(cmd, async (rt, { out, actor }) => {
      const selector = checkSelector(f.selector);
      const domain = await requireDomain(rt, name);
      const shown = domainToUnicode(domain.name) || domain.name;
      const refuse = (existing: DkimKey) => new MailError('ALREADY_EXISTS',
        `domain ${shown} already has a DKIM key (selector ${existing.selector}); add --force to replace it`);
      const before = await loadDkimKey(rt.store, domain.id);
      if (before && !f.force) throw refuse(before);
      // Generate outside the transaction: a tx must only do store work (store.ts).
      const key = await generateDkimKey(domain.name, selector);
      await rt.store.tx(async (tx) => {
        const existing = await readDkimKey(tx, domain.id);
        if (existing && !f.force) throw refuse(existing);
        await putDkimKey(tx, domain.id, key);
        await recordAudit(tx, actor, 'dkim.generate', domain.name, { selector, replacedSelector: existing?.selector ?? null });
      });
      const rec = recordOf(domain.name, key);
      out.result(rec, () => human(rec, `DKIM key for ${shown} created (selector ${selector}).`));
    }));

  dkim.command('show <domain>').description('print the DNS record of DOMAIN\'s DKIM key again')
    .action((name: string, _f: unknown, cmd: Command) => withRuntime(cmd, async (rt, { out }) => {
      const domain = await requireDomain(rt, name);
      const shown = domainToUnicode(domain.name) || domain.name;
      const key = await loadDkimKey(rt.store, domain.id);
      if (!key) throw new MailError('NOT_FOUND', `domain ${shown} has no DKIM key: run \`youju dkim generate ${shown}\``);
      const rec = recordOf(domain.name, key);
      out.result(rec, () => human(rec, `DKIM key for ${shown} (selector ${key.selector}).`));
    }));
}
