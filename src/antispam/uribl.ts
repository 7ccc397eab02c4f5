/**
 * URI block lists (issue #13 item 3, SURBL-style): the host names of links in a message's text are
 * reduced to their registered domain and looked up, all in parallel, in every zone of
 * dnsbl.uriLists (a query for `example.com.multi.surbl.org`; an A record in 127.0.0.0/8 lists it,
 * 127.255.255.x is the list refusing). At most dnsbl.uriMaxDomains domains per message; a list that
 * has not answered within dnsbl.timeoutMs counts as not listing. A listed link refuses the message
 * at the end of DATA (554 5.7.1, the list's message with $DOMAIN$ filled in) or, with
 * dnsbl.uriAction "score", adds a score item. Links to bare IPs are the DNS-BL's and heuristics'.
 * Off while dnsbl.uriLists is empty. Authenticated and trusted clients are not checked. Log: dnsbl.
 */
import type { Settings } from '../config/settings.ts';
import type { PipelineMessage, Stage, StageContext, Verdict } from '../pipeline/stage.ts';
import type { DnsLookup } from './dns-lookup.ts';
import { ListQuery } from './list-query.ts';

/** Second-level labels under which names are registered one level deeper (no public suffix list ships here). */
const TWO_LABEL_SUFFIXES = new Set([
  'com.cn', 'net.cn', 'org.cn', 'gov.cn', 'edu.cn', 'ac.cn', 'com.hk', 'net.hk', 'org.hk', 'com.tw', 'net.tw', 'org.tw', 'idv.tw',
  'co.uk', 'org.uk', 'ac.uk', 'co.jp', 'ne.jp', 'or.jp', 'co.kr', 'com.au', 'net.au', 'com.sg', 'com.my', 'com.br', 'co.in', 'co.nz',
]);

/** The registered domain of a host name: mail.shop.example.com.cn → example.com.cn. */
export function registeredDomain(host: string): string | undefined {
  const labels = host.toLowerCase().replace(/\.$/, '').split('.').filter(Boolean);
  if (labels.length < 2 || /^\d+$/.test(labels[labels.length - 1]!)) return undefined;
  const lastTwo = labels.slice(-2).join('.');
  if (TWO_LABEL_SUFFIXES.has(lastTwo)) return labels.length >= 3 ? labels.slice(-3).join('.') : undefined;
  return lastTwo;
}

/** Registered domains of the http(s) and www. links in `text`, in order of appearance, each once. */
export function linkDomains(text: string, max: number): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(/\b(?:https?:\/\/|www\.)([a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+)/gi)) {
    const host = m[0].toLowerCase().startsWith('www.') ? `www.${m[1]}` : m[1]!;
    const d = registeredDomain(host);
    if (d) out.add(d);
    if (out.size >= max) break;
  }
  return [...out];
}

export class UriblStage implements Stage {
  readonly name = 'uribl';
  readonly log = 'dnsbl' as const;
  readonly exempt = { authenticated: true, trusted: true };
  readonly #lists: ListQuery;

  constructor(lookup: DnsLookup) {
    this.#lists = new ListQuery(lookup);
  }

  isEnabled(s: Readonly<Settings>): boolean {
    return s.dnsbl.uriLists.length > 0;
  }

  async data(ctx: StageContext, msg: PipelineMessage): Promise<Verdict> {
    const s = ctx.settings.dnsbl;
    const text = msg.text();
    // HTML reduced to text loses href targets: the raw bytes are read too (QP soft breaks joined).
    const raw = msg.raw.toString('latin1', 0, Math.min(msg.raw.length, ctx.settings.antispam.maxScanBytes)).replace(/=\r\n/g, '');
    const domains = linkDomains(`${text.body}\n${raw}`, s.uriMaxDomains);
    if (domains.length === 0) return { kind: 'continue' };
    ctx.log(`Performing URI block list lookup (${domains.join(', ')})`);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), s.timeoutMs); });
    const asks = domains.flatMap((domain) => s.uriLists.map(async (list) => ({
      domain, list, answer: await Promise.race([this.#lists.answer(`${domain}.${list.host}`, ctx.now(), s.cacheSec * 1000), deadline]),
    })));
    const answers = await Promise.all(asks);
    clearTimeout(timer);
    const listed = answers.filter((a) => a.answer !== null && a.answer !== 'timeout');
    for (const a of answers) if (a.answer !== null) ctx.log(`*  ${a.domain} at ${a.list.host}: ${a.answer === 'timeout' ? `no answer within ${s.timeoutMs} ms` : `listed (${a.answer})`}`);
    ctx.log(`---- End URI block list results: ${listed.length === 0 ? 'nothing listed' : `${listed.length} listing(s)`}`);
    ctx.count(listed.length > 0 ? 'listed' : 'clean');
    if (listed.length === 0) return { kind: 'continue' };
    const first = listed[0]!;
    if (s.uriAction === 'reject') {
      return { kind: 'reject', reply: { code: 554, enhanced: '5.7.1', text: first.list.message.replaceAll('$DOMAIN$', first.domain) } };
    }
    return { kind: 'continue', score: listed.slice(0, 3).map((a) => ({ rule: 'URIBL_LISTED', score: 3, detail: `${a.domain} listed in ${a.list.host}` })) };
  }

  async housekeep(_s: Readonly<Settings>, now: number): Promise<void> {
    this.#lists.prune(now);
  }
}
