/**
 * The content filter as a pipeline stage (FEATURES S6, A7, S3; manual 4.5.1, 4.4.3, 2.7): at the
 * end of DATA it gathers the facts of the message (headers, envelope, size, attachments, origin,
 * the antispam score), runs the engine (engine.ts) and answers with a verdict: refused or dropped
 * for a refused attachment, dropped by a delete rule, or passed with header changes and a routing
 * (redirect, copies, notifications, folder) that smtp/ queues with the message in one transaction,
 * so nothing it asks for is lost on a crash. It runs for every client, authenticated ones too:
 * monitoring and archiving cover outgoing mail; the domains' own monitoring rules (A7) run here too,
 * from the domain console. Session log 'content-filter'; daily counters
 * 'content-filter.<matched|deleted|copied|redirected|notified|attachment-refused|archived|monitored>'.
 */
import type { Settings } from '../config/settings.ts';
import { decodeHeaderText, partFilename, type MimePart } from '../mime/mime-tree.ts';
import { rfc5322Date } from '../mime/date.ts';
import type { PipelineMessage, Routing, Stage, StageContext, Verdict } from '../pipeline/stage.ts';
import {
  applyArchive, applyDomainMonitors, applyMonitors, applyRules, emptyPlan, refusedAttachment, type Attachment, type DomainMonitorScope, type MessageFacts, type Plan,
} from './engine.ts';

export interface ContentFilterDeps {
  /** This server's name: notifications come from postmaster@ it unless contentFilter.adminAddress says otherwise. */
  hostname: string;
  isLocalDomain(domain: string): Promise<boolean>;
  /** Whether an address is a local mailing list (archive.includeLists). */
  isList?(address: string): Promise<boolean>;
  /**
   * The domains' own monitoring rules (A7): whether any domain has an enabled one (cheap, cached),
   * and those that concern these addresses with who each local address is.
   */
  domainMonitors?: { any(): boolean; scope(addresses: readonly string[]): Promise<DomainMonitorScope> };
  /** Forgets Message-IDs delivered before `before` (duplicate removal, localDelivery.duplicateWindowMin), from housekeeping. */
  pruneDeliveredIds?(before: number): Promise<number>;
}

const domainOf = (a: string) => a.slice(a.lastIndexOf('@') + 1).toLowerCase();

/** Files of a MIME tree: leaves with a file name or an attachment disposition. */
export function attachmentsOf(tree: MimePart): Attachment[] {
  const out: Attachment[] = [];
  const walk = (p: MimePart) => {
    if (p.children.length > 0) { for (const c of p.children) walk(c); return; }
    const name = partFilename(p) ?? '';
    if (name || p.disposition?.type === 'attachment') out.push({ name, type: `${p.type}/${p.subtype}` });
  };
  walk(tree);
  return out;
}

export class ContentFilterStage implements Stage {
  readonly name = 'content-filter';
  readonly log = 'content-filter' as const;
  readonly exempt = { authenticated: false, trusted: false };

  constructor(private readonly deps: ContentFilterDeps) {}

  isEnabled(s: Readonly<Settings>): boolean {
    const c = s.contentFilter;
    return (c.enabled && c.rules.length > 0) || c.attachments.mode !== 'off' || c.monitoring.some((m) => m.enabled) || c.archive.enabled
      || this.deps.domainMonitors?.any() === true;
  }

  /** Hourly: the duplicate-removal memory keeps only the window (all of it goes when removal is off). */
  async housekeep(settings: Readonly<Settings>, now: number): Promise<void> {
    await this.deps.pruneDeliveredIds?.(now - settings.localDelivery.duplicateWindowMin * 60_000);
  }

  async data(ctx: StageContext, msg: PipelineMessage): Promise<Verdict> {
    const c = ctx.settings.contentFilter;
    const facts = await this.facts(ctx, msg);

    const refused = refusedAttachment(c.attachments, facts);
    if (refused !== undefined) {
      ctx.count('attachment-refused');
      ctx.log(`attachment "${refused}" refused (${c.attachments.mode} list): ${c.attachments.action}`);
      if (c.attachments.action === 'reject') {
        return { kind: 'reject', reply: { code: 554, enhanced: '5.7.1', text: `Message refused: attachment type not allowed (${refused.replace(/[^\x20-\x7e]/g, '?')})` } };
      }
      if (c.attachments.action === 'quarantine') return { kind: 'quarantine', reason: `attachment ${refused}` };
      return { kind: 'discard', reason: `attachment ${refused}` };
    }

    const admin = c.adminAddress.trim() || `postmaster@${this.deps.hostname}`;
    const plan = c.enabled ? applyRules(c.rules, facts, { admin, now: ctx.now() }) : emptyPlan();
    applyMonitors(c.monitoring, facts, plan);
    if (this.deps.domainMonitors?.any()) {
      const scope = await this.deps.domainMonitors.scope([...(facts.sender ? [facts.sender] : []), ...facts.recipients]);
      applyDomainMonitors(scope, facts, plan);
    }
    if (c.archive.enabled) {
      const toList = c.archive.includeLists || !this.deps.isList ? false
        : (await Promise.all(facts.recipients.map((r) => this.deps.isList!(r)))).some(Boolean);
      applyArchive(c.archive, facts, { toList, collected: false }, plan);
    }
    return this.verdict(ctx, plan, admin);
  }

  private verdict(ctx: StageContext, plan: Plan, admin: string): Verdict {
    for (const m of plan.matched) { ctx.log(`rule "${m}" matched`); ctx.count('matched'); }
    const routing: Routing = { copies: [], messages: [] };
    for (const copy of plan.copies) {
      ctx.log(`${copy.reason}: copy to ${copy.to.join(', ')}`);
      ctx.count(copy.reason === 'archive' ? 'archived' : copy.reason.startsWith('monitor') ? 'monitored' : 'copied');
      routing.copies.push(copy);
    }
    for (const n of plan.notices) {
      ctx.log(`rule "${n.rule}": notify ${n.to.join(', ')}`);
      ctx.count('notified');
      routing.messages.push({ to: n.to, reason: `notify ${n.rule}`, raw: noticeMessage({ from: admin, to: n.to, subject: n.subject, body: n.body, now: ctx.now(), hostname: this.deps.hostname }) });
    }
    if (plan.folder !== undefined) { routing.folder = plan.folder; ctx.log(`file in folder "${plan.folder}"`); }
    if (plan.deleted) {
      ctx.count('deleted');
      ctx.log('deleted');
      if (routing.copies.length === 0 && routing.messages.length === 0) return { kind: 'discard', reason: `content filter rule ${plan.matched.at(-1) ?? ''}` };
      routing.recipients = [];
    } else if (plan.recipients) {
      ctx.count('redirected');
      ctx.log(`redirected to ${plan.recipients.join(', ')}`);
      routing.recipients = plan.recipients;
    }
    const changed = routing.copies.length > 0 || routing.messages.length > 0 || routing.folder !== undefined || routing.recipients !== undefined;
    return {
      kind: 'continue',
      headers: plan.addHeaders,
      strip: plan.removeHeaders.map((name) => ({ name })),
      ...(changed ? { routing } : {}),
    };
  }

  private async facts(ctx: StageContext, msg: PipelineMessage): Promise<MessageFacts> {
    const sender = ctx.sender ?? '';
    const local = ctx.client.authUser !== undefined || ctx.client.trusted || (sender !== '' && await this.deps.isLocalDomain(domainOf(sender)));
    const spam = ctx.results.get('antispam') as { score: number; spam: boolean } | undefined;
    const headers = headerFields(msg.header);
    let attachments: Attachment[] | undefined;
    return {
      sender, recipients: ctx.recipients, size: msg.raw.length, headers,
      get attachments() { return (attachments ??= attachmentsOf(msg.tree())); },
      origin: local ? 'local' : 'remote',
      ...(spam ? { spamScore: spam.score, spam: spam.spam } : {}),
      body: () => msg.text().body,
    };
  }
}

/** The fields of a latin1 header block, unfolded, values decoded to Unicode. */
export function headerFields(block: string): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  for (const line of block.replace(/\r?\n(?=[ \t])/g, '').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    out.push({ name: line.slice(0, colon).trim(), value: decodeHeaderText(line.slice(colon + 1).trim()) });
  }
  return out;
}

const encodeWord = (s: string) => (/^[\x20-\x7e]*$/.test(s) ? s : `=?UTF-8?B?${Buffer.from(s, 'utf8').toString('base64')}?=`);

/** A plain text notification (notify action), UTF-8, base64. */
export function noticeMessage(n: { from: string; to: string[]; subject: string; body: string; now: number; hostname: string }): Buffer {
  const id = `${n.now.toString(36)}.${Math.random().toString(36).slice(2, 10)}@${n.hostname}`;
  const head = [
    `From: ${n.from}`, `To: ${n.to.join(', ')}`, `Subject: ${encodeWord(n.subject)}`, `Date: ${rfc5322Date(n.now)}`,
    `Message-ID: <${id}>`, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=UTF-8', 'Content-Transfer-Encoding: base64',
    'Auto-Submitted: auto-generated',
  ];
  const body = Buffer.from(n.body.replace(/\r?\n/g, '\r\n'), 'utf8').toString('base64').replace(/.{76}/g, '$&\r\n');
  return Buffer.from(`${head.join('\r\n')}\r\n\r\n${body}\r\n`, 'utf8');
}
