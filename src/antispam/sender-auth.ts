/**
 * Sender authentication (FEATURES S9, P15; manual §4.5.3): SPF at MAIL FROM (RFC 7208), DKIM
 * (RFC 6376), ARC (RFC 8617) and DMARC (RFC 7489) at the end of DATA, all through mailauth, with
 * one Authentication-Results header (RFC 8601) carrying every result. SPF fail answers 550 5.7.23
 * (RFC 7372) when senderAuth.spfRejectFail, then closes when spfCloseOnFail; spfWhitelist IPs are
 * not checked. A DMARC fail under p=reject answers 550 5.7.1 when dmarcHonourReject, unless ARC
 * passes (a forwarder vouches). Results go to ctx.results['sender-auth'] and score items for
 * scoring (S12); a proven sender on senderAuth.approvedList scores lower. Authenticated and
 * trusted clients are not checked. Log: spf. Counters: spf.<result>, dkim.<result>, dmarc.<result>.
 */
import type { ARCResult, DKIMVerifyResult, DMARCResult, SPFResult } from 'mailauth';
import type { Settings } from '../config/settings.ts';
import { cidrMatcher } from '../core/cidr.ts';
import type { PipelineMessage, ScoreItem, Stage, StageContext, Verdict } from '../pipeline/stage.ts';
import type { DnsLookup } from './dns-lookup.ts';
import { matchesSender } from './sender-list.ts';

/** What sender authentication concluded, for scoring and later stages. */
export interface SenderAuthResult {
  spf?: { result: string; domain: string };
  dkim?: Array<{ result: string; domain: string; aligned: boolean }>;
  arc?: string;
  dmarc?: { result: string; domain: string; policy: string };
  /** The sender is on the approved list and SPF or aligned DKIM proved it. */
  approved?: boolean;
}

/** mailauth loads on first use: CLI commands, which never check mail, do not pay its start-up. */
let mailauth: Promise<typeof import('mailauth')> | undefined;
const lib = () => (mailauth ??= import('mailauth'));

/** A header field that needs the body to verify: a DKIM signature or an ARC set. */
const SIGNED = /^(dkim-signature|arc-seal|arc-message-signature|arc-authentication-results)[ \t]*:/im;

/** Where MAIL FROM leaves the SPF result for the end of DATA. */
const SPF_KEY = 'sender-auth:spf';

interface Transaction {
  spf?: SPFResult;
}

export class SenderAuthStage implements Stage {
  readonly name = 'sender-auth';
  readonly log = 'spf' as const;
  readonly exempt = { authenticated: true, trusted: true };
  #whitelist: { list: readonly string[]; match: (ip: string) => boolean } | undefined;

  constructor(private readonly deps: { hostname: string; lookup: DnsLookup }) {}

  isEnabled(s: Readonly<Settings>): boolean {
    return s.senderAuth.spfEnabled || s.senderAuth.dkimEnabled || s.senderAuth.dmarcEnabled;
  }

  async mail(ctx: StageContext): Promise<Verdict> {
    const s = ctx.settings.senderAuth;
    const tx: Transaction = {};
    ctx.results.set(SPF_KEY, tx);
    if (!s.spfEnabled) return { kind: 'continue' };
    if (this.#whitelisted(s.spfWhitelist, ctx.client.ip)) {
      ctx.log(`SPF not checked: ${ctx.client.ip} is on senderAuth.spfWhitelist`);
      return { kind: 'continue' };
    }
    const sender = ctx.sender ?? '';
    const helo = ctx.client.helo || ctx.client.ip;
    ctx.log(`Performing SPF lookup (${sender.slice(sender.lastIndexOf('@') + 1) || helo} / ${ctx.client.ip})`);
    const { spf } = await lib();
    const result = await spf({ sender, ip: ctx.client.ip, helo, mta: this.deps.hostname, resolver: this.deps.lookup });
    tx.spf = result;
    const r = result.status.result;
    ctx.log(`Result: ${r}${result.status.comment ? `; ${result.status.comment}` : ''}`);
    ctx.log('---- End SPF results');
    ctx.count(`spf.${r}`);
    ctx.results.set(this.name, { spf: { result: r, domain: result.domain } } satisfies SenderAuthResult);
    if (r === 'fail' && s.spfRejectFail) {
      return {
        kind: 'reject', close: s.spfCloseOnFail,
        reply: { code: 550, enhanced: '5.7.23', text: `SPF check failed: ${ctx.client.ip} is not allowed to send mail for ${result.domain}` },
      };
    }
    return { kind: 'continue' };
  }

  async data(ctx: StageContext, msg: PipelineMessage): Promise<Verdict> {
    const s = ctx.settings.senderAuth;
    const tx = (ctx.results.get(SPF_KEY) as Transaction | undefined) ?? {};
    const resolver = this.deps.lookup;
    const { arc, dkimVerify, dmarc } = await lib();
    const rows: string[] = [];
    const out: SenderAuthResult = {};
    const score: ScoreItem[] = [];

    let dkim: DKIMVerifyResult | undefined;
    let arcResult: ARCResult | undefined;
    if (s.dkimEnabled || s.dmarcEnabled) {
      ctx.log('Performing DKIM lookup');
      // An unsigned message's verdict comes from its header alone (mailauth reads the body only to
      // check a signature's body hash), so it skips streaming the whole message through the verifier.
      dkim = await dkimVerify(SIGNED.test(msg.header) ? msg.raw : Buffer.from(`${msg.header}\r\n`, 'latin1'), { resolver, sender: ctx.sender || undefined });
      for (const r of dkim.results) {
        ctx.log(`DKIM ${r.signingDomain || '-'}: ${r.status.result}${r.status.comment ? ` (${r.status.comment})` : ''}`);
        ctx.count(`dkim.${r.status.result}`);
        if (s.dkimEnabled) rows.push(r.info);
      }
      out.dkim = dkim.results.filter((r) => r.signingDomain).map((r) => ({ result: r.status.result, domain: r.signingDomain, aligned: Boolean(r.status.aligned) }));
      if (dkim.results.some((r) => r.signingDomain && r.status.result === 'fail')) score.push({ rule: 'DKIM_INVALID', score: 1, detail: 'a DKIM signature does not verify' });
    }
    if (tx.spf) {
      rows.push(tx.spf.info);
      out.spf = { result: tx.spf.status.result, domain: tx.spf.domain };
      if (tx.spf.status.result === 'fail') score.push({ rule: 'SPF_FAIL', score: 3, detail: tx.spf.domain });
      if (tx.spf.status.result === 'softfail') score.push({ rule: 'SPF_SOFTFAIL', score: 1, detail: tx.spf.domain });
    }
    if (dkim && s.dkimEnabled) {
      arcResult = await arc(dkim.arc as never, { resolver });
      if (arcResult.info) rows.push(arcResult.info);
      out.arc = arcResult.status.result;
      if (arcResult.status.result !== 'none') ctx.log(`ARC: ${arcResult.status.result}`);
    }
    let dmarcResult: DMARCResult | false = false;
    if (dkim && s.dmarcEnabled && dkim.headerFrom.length > 0) {
      dmarcResult = await dmarc({
        headerFrom: dkim.headerFrom,
        spfDomains: tx.spf?.status.result === 'pass' && tx.spf.domain ? [tx.spf.domain] : [],
        dkimDomains: dkim.results.filter((r) => r.status.result === 'pass')
          .map((r) => ({ id: r.id, domain: r.signingDomain, aligned: r.status.aligned, underSized: r.status.underSized })),
        arcResult, resolver,
      } as never);
      if (dmarcResult) {
        rows.push(dmarcResult.info);
        out.dmarc = { result: dmarcResult.status.result, domain: dmarcResult.domain, policy: dmarcResult.policy ?? 'none' };
        ctx.log(`DMARC ${dmarcResult.domain}: ${dmarcResult.status.result} (policy ${dmarcResult.policy ?? 'none'})`);
        ctx.count(`dmarc.${dmarcResult.status.result}`);
      }
    }
    out.approved = this.#approved(ctx, out);
    if (out.approved) score.push({ rule: 'APPROVED_SENDER', score: -5, detail: ctx.sender });
    ctx.results.set(this.name, out);

    if (dmarcResult && dmarcResult.status.result === 'fail') {
      const arcVouches = arcResult?.status.result === 'pass';
      if (dmarcResult.policy === 'reject' && s.dmarcHonourReject && !arcVouches) {
        ctx.log(`DMARC policy of ${dmarcResult.domain} is reject: refusing`);
        return { kind: 'reject', reply: { code: 550, enhanced: '5.7.1', text: `Message refused: the DMARC policy of ${dmarcResult.domain} rejects mail that fails authentication` } };
      }
      score.push({ rule: dmarcResult.policy === 'none' ? 'DMARC_FAIL_NONE' : 'DMARC_FAIL', score: dmarcResult.policy === 'none' ? 1 : 3, detail: dmarcResult.domain });
    }
    const headers = rows.length > 0 ? [`Authentication-Results: ${this.deps.hostname};\r\n ${rows.join(';\r\n ')}`] : [`Authentication-Results: ${this.deps.hostname}; none`];
    // RFC 8601 §5: an Authentication-Results field from outside that claims our authserv-id is a forgery.
    return { kind: 'continue', headers, score, strip: [{ name: 'Authentication-Results', valuePrefix: this.deps.hostname }] };
  }

  /** On the approved list, and proven: SPF passed for the envelope domain or an aligned DKIM signature verified. */
  #approved(ctx: StageContext, r: SenderAuthResult): boolean {
    const list = ctx.settings.senderAuth.approvedList;
    if (list.length === 0 || !ctx.sender) return false;
    const proven = r.spf?.result === 'pass' || (r.dkim ?? []).some((d) => d.result === 'pass' && d.aligned);
    return proven && matchesSender(ctx.sender, list);
  }

  #whitelisted(list: readonly string[], ip: string): boolean {
    if (list.length === 0) return false;
    if (this.#whitelist?.list !== list) this.#whitelist = { list, match: cidrMatcher(list) };
    return this.#whitelist.match(ip);
  }
}
