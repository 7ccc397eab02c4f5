/**
 * Outbound rewriting (FEATURES P14, P15) of a message leaving for another server, in the order
 * header translation → domain signature → DKIM, so the signature covers the bytes on the wire.
 * The domain signature and DKIM apply only to mail our own users sent (authenticated submission),
 * never to mail we merely relay onwards (forwards, bounces), which would break the originals' DKIM.
 * The domain signature text lives under the domain's settings scope, key `signature` ({ text, html }).
 */
import type { Settings } from '../../config/settings.ts';
import type { Domain, Store } from '../../store/store.ts';
import type { DeliveryJob } from '../transport.ts';
import { domainSettingsScope, SIGNATURE_SETTING_KEY } from '../../config/domain-scope.ts';
import { loadDkimKey, signDkim } from './dkim.ts';
import { translateHeaders } from './header-translation.ts';
import { appendDomainSignature, type DomainSignature } from './signature.ts';

export { SIGNATURE_SETTING_KEY };

export interface OutboundRewriterDeps {
  store: Store;
  settings: () => Readonly<Settings>;
  resolveDomain(name: string): Promise<Domain | undefined>;
  log?: (line: string) => void;
}

export class OutboundRewriter {
  constructor(private readonly deps: OutboundRewriterDeps) {}

  async rewrite(raw: Buffer, job: Pick<DeliveryJob, 'sender' | 'meta'>): Promise<Buffer> {
    const s = this.deps.settings().rewrite;
    let out = raw;
    if (s.headerTranslation.enabled && s.headerTranslation.rules.length > 0) {
      out = translateHeaders(out, { rules: s.headerTranslation.rules, exceptHeaders: s.headerTranslation.exceptHeaders });
    }
    const authUser = typeof job.meta.authUser === 'string' ? job.meta.authUser : undefined;
    if (!authUser || job.sender === '') return out;
    const domain = await this.deps.resolveDomain(job.sender.slice(job.sender.lastIndexOf('@') + 1));
    if (!domain) return out;

    const sig = await this.deps.store.read((tx) => tx.settings.get(domainSettingsScope(domain.id), SIGNATURE_SETTING_KEY)) as DomainSignature | undefined;
    if (sig && (sig.text || sig.html)) out = appendDomainSignature(out, { text: sig.text ?? '', html: sig.html ?? '' });

    if (s.dkim.enabled) {
      const key = await loadDkimKey(this.deps.store, domain.id);
      if (key) {
        try {
          out = Buffer.concat([Buffer.from(await signDkim(out, { domain: domain.name, key }), 'utf8'), out]);
        } catch (err) {
          this.deps.log?.(`DKIM signing for ${domain.name} failed, sending unsigned: ${(err as Error).message}`);
        }
      }
    }
    return out;
  }
}
