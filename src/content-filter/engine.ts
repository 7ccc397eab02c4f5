/**
 * The content filter engine (FEATURES S6, A7, S3): ordered rules of conditions and ordered actions
 * evaluated against what is known of one message, giving a plan of what should become of it. Pure:
 * it neither reads the store nor queues; the pipeline stage (stage.ts) gathers the facts and turns
 * the plan into a verdict and routing that smtp/ queues in one transaction. Monitoring rules and the
 * archive copy are evaluated by the same conditions.
 */
import type { Action, Condition, ContentFilterSettings, DomainMonitor, Monitor, Rule } from '../config/schema/content-filter.ts';

export interface Attachment {
  /** File name as the message gives it ('' when none). */
  name: string;
  /** Lower-case media type, 'application/pdf'. */
  type: string;
}

/** What conditions look at. Header values are decoded (RFC 2047) Unicode. */
export interface MessageFacts {
  sender: string;
  recipients: readonly string[];
  size: number;
  /** Every header field in order, name as written. */
  headers: readonly { name: string; value: string }[];
  attachments: readonly Attachment[];
  /** local: sent by one of ours (authenticated, trusted, or from a local domain); remote otherwise. */
  origin: 'local' | 'remote';
  /** The antispam score when that stage ran. */
  spamScore?: number;
  spam?: boolean;
  /** Decoded body text, computed on first use. */
  body(): string;
}

/** A message the plan asks to queue besides the message itself. */
export interface PlannedCopy {
  to: string[];
  /** Why: 'rule <name>', 'monitor <name>', 'archive'. */
  reason: string;
  /** Archive copies may tag the subject. */
  subjectTag?: string;
}

export interface PlannedNotice {
  to: string[];
  subject: string;
  body: string;
  rule: string;
}

export interface Plan {
  /** The message itself goes nowhere (copies and notices still go). */
  deleted: boolean;
  /** Redirected: these instead of the envelope recipients. */
  recipients?: string[];
  addHeaders: string[];
  removeHeaders: string[];
  copies: PlannedCopy[];
  notices: PlannedNotice[];
  /** Local recipients file it here. */
  folder?: string;
  /** Names of the rules whose conditions held, in order. */
  matched: string[];
}

export const emptyPlan = (): Plan => ({ deleted: false, addHeaders: [], removeHeaders: [], copies: [], notices: [], matched: [] });

/** A wildcard pattern (* and ?) as a case-insensitive anchored regular expression. */
export function wildcard(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'isu');
}

const regexCache = new Map<string, RegExp | null>();
function regex(source: string): RegExp | null {
  let r = regexCache.get(source);
  if (r === undefined) {
    try { r = new RegExp(source, 'iu'); } catch { r = null; }
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(source, r);
  }
  return r;
}

/** One value tested against one condition value under op (text ops). */
function textTest(op: Condition['op'], subject: string, value: string): boolean {
  const s = subject.toLowerCase();
  const v = value.toLowerCase();
  switch (op) {
    case 'contains':
    case 'notContains':
      return /[*?]/.test(v) ? wildcard(`*${v}*`).test(s) : s.includes(v);
    case 'matches': return regex(value)?.test(subject) ?? false;
    case 'is': return s.trim() === v.trim();
    default: return false;
  }
}

function numberTest(op: Condition['op'], n: number, values: readonly string[]): boolean {
  const limit = Number(values[0]);
  if (!Number.isFinite(limit)) return false;
  if (op === 'over') return n > limit;
  if (op === 'under') return n < limit;
  if (op === 'is') return n === limit;
  return false;
}

/** Whether any of `subjects` satisfies the condition's values (notContains: none of them contains any value). */
function textCondition(c: Condition, subjects: readonly string[]): boolean {
  if (c.op === 'notContains') return !subjects.some((s) => c.values.some((v) => textTest('contains', s, v)));
  if (c.op === 'exists') return subjects.length > 0;
  return subjects.some((s) => c.values.some((v) => textTest(c.op, s, v)));
}

export function conditionHolds(c: Condition, f: MessageFacts): boolean {
  switch (c.field) {
    case 'header': {
      const name = (c.header ?? '*').toLowerCase();
      const fields = name === '*' ? f.headers : f.headers.filter((h) => h.name.toLowerCase() === name);
      // Any header: the whole "Name: value" line, so a rule can match "X-Mailer: foo".
      return textCondition(c, fields.map((h) => (name === '*' ? `${h.name}: ${h.value}` : h.value)));
    }
    case 'sender': return textCondition(c, [f.sender]);
    case 'recipient': return textCondition(c, f.recipients);
    case 'body': return textCondition(c, [f.body()]);
    case 'size': return numberTest(c.op, f.size, c.values);
    case 'attachmentCount': return numberTest(c.op, f.attachments.length, c.values);
    case 'attachmentName': return textCondition(c, f.attachments.map((a) => a.name).filter((n) => n !== ''));
    case 'attachmentType': return textCondition(c, f.attachments.map((a) => a.type));
    case 'origin': return c.values.some((v) => v.toLowerCase() === f.origin) !== (c.op === 'notContains');
    case 'spamScore': return f.spamScore !== undefined && numberTest(c.op, f.spamScore, c.values);
  }
}

export function matches(rule: { match: 'all' | 'any'; conditions: readonly Condition[] }, f: MessageFacts): boolean {
  if (rule.conditions.length === 0) return true;
  return rule.match === 'all' ? rule.conditions.every((c) => conditionHolds(c, f)) : rule.conditions.some((c) => conditionHolds(c, f));
}

/** Template variables of notify actions: $SENDER$, $RECIPIENTS$, $SUBJECT$, $RULE$, $ATTACHMENTS$, $SIZE$, $DATE$. */
export function fillTemplate(template: string, f: MessageFacts, rule: string, now: number): string {
  const subject = f.headers.find((h) => h.name.toLowerCase() === 'subject')?.value ?? '';
  const vars: Record<string, string> = {
    SENDER: f.sender || '<>',
    RECIPIENTS: f.recipients.join(', '),
    SUBJECT: subject,
    RULE: rule,
    ATTACHMENTS: f.attachments.map((a) => a.name || a.type).join(', '),
    SIZE: String(f.size),
    DATE: new Date(now).toISOString(),
  };
  return template.replace(/\$([A-Z]+)\$/g, (all, name: string) => vars[name] ?? all);
}

export interface EvalOptions {
  /** Where 'admin' notifications go. */
  admin: string;
  now: number;
}

/** Runs the content filter rules in order (those enabled), adding to `plan`. */
export function applyRules(rules: readonly Rule[], f: MessageFacts, o: EvalOptions, plan: Plan = emptyPlan()): Plan {
  for (const rule of rules) {
    if (!rule.enabled || !matches(rule, f)) continue;
    plan.matched.push(rule.name);
    const stop = applyActions(rule, rule.actions, f, o, plan);
    if (stop || plan.deleted) break;
  }
  return plan;
}

/** A rule's actions in order; true when a stop action ends the rules. Delete and moveToFolder end the rule's actions. */
function applyActions(rule: Rule, actions: readonly Action[], f: MessageFacts, o: EvalOptions, plan: Plan): boolean {
  const resolve = (to: readonly string[]) =>
    [...new Set(to.flatMap((t) => (t === 'admin' ? [o.admin] : t === 'sender' ? (f.sender ? [f.sender] : []) : [t])))];
  for (const a of actions) {
    switch (a.type) {
      case 'delete':
        plan.deleted = true;
        return false;
      case 'copy':
        plan.copies.push({ to: resolve(a.to), reason: `rule ${rule.name}` });
        break;
      case 'redirect':
        plan.recipients = resolve(a.to);
        break;
      case 'addHeader':
        plan.addHeaders.push(`${a.header}: ${fillTemplate(a.value ?? '', f, rule.name, o.now)}`);
        break;
      case 'removeHeader':
        plan.removeHeaders.push(a.header!);
        break;
      case 'notify': {
        const to = resolve(a.to);
        if (to.length === 0) break; // notify the sender of a bounce: there is nobody
        plan.notices.push({
          to, rule: rule.name,
          subject: fillTemplate(a.subject ?? 'Content filter: $RULE$', f, rule.name, o.now),
          body: fillTemplate(a.body ?? 'A message from $SENDER$ to $RECIPIENTS$ (subject "$SUBJECT$") matched the rule "$RULE$".', f, rule.name, o.now),
        });
        break;
      }
      case 'moveToFolder':
        plan.folder = a.folder;
        return false;
      case 'stop':
        return true;
    }
  }
  return false;
}

/** Mail monitoring (A7): a copy to each matching monitor's mailboxes. */
export function applyMonitors(monitors: readonly Monitor[], f: MessageFacts, plan: Plan): Plan {
  const direction = f.origin === 'local' ? 'out' : 'in';
  for (const m of monitors) {
    if (!m.enabled || (m.direction !== 'both' && m.direction !== direction) || !matches(m, f)) continue;
    plan.copies.push({ to: [...m.copyTo], reason: `monitor ${m.name}` });
  }
  return plan;
}

/** A local address of a message as the domain monitors see it: its domain, its user, the user's department chain. */
export interface Party {
  domainId: number;
  /** The user's canonical address ('' when the address is not a user: an alias, a list). */
  user: string;
  /** The user's department and those above it. */
  units: readonly number[];
}

/** The domains' own monitoring rules that may concern a message, and who its local addresses are. */
export interface DomainMonitorScope {
  sets: ReadonlyArray<{ domainId: number; monitors: readonly DomainMonitor[] }>;
  /** By lower-case address as the envelope gives it. */
  parties: ReadonlyMap<string, Party>;
}

/**
 * A domain's monitoring rules (A7, manual part 3 §1.7): each watches its whole domain, one user or
 * a department (and those below it). out: the watched party sent it (a local sender); in: one of
 * its recipients is watched; both: either. Matching mail is copied to the rule's mailboxes.
 */
export function applyDomainMonitors(scope: DomainMonitorScope, f: MessageFacts, plan: Plan): Plan {
  for (const { domainId, monitors } of scope.sets) {
    for (const m of monitors) {
      if (!m.enabled) continue;
      const watched = (address: string): boolean => {
        const p = scope.parties.get(address.toLowerCase());
        if (!p || p.domainId !== domainId) return false;
        if (m.watch.kind === 'domain') return true;
        if (m.watch.kind === 'user') return p.user === m.watch.address;
        return p.units.includes(m.watch.orgUnitId);
      };
      const out = f.origin === 'local' && f.sender !== '' && watched(f.sender);
      const into = f.recipients.some(watched);
      const hit = m.direction === 'out' ? out : m.direction === 'in' ? into : out || into;
      if (hit && matches(m, f)) plan.copies.push({ to: [...m.copyTo], reason: `monitor ${m.name}` });
    }
  }
  return plan;
}

/** The archive copy (S3), when its options let this message in. `toList`: a recipient is a local mailing list. */
export function applyArchive(a: ContentFilterSettings['archive'], f: MessageFacts, o: { toList: boolean; collected: boolean }, plan: Plan): Plan {
  if (!a.enabled || a.addresses.length === 0) return plan;
  const direction = f.origin === 'local' ? 'out' : 'in';
  if (a.direction !== 'both' && a.direction !== direction) return plan;
  if ((!a.includeLists && o.toList) || (!a.includeMultiPop && o.collected) || (!a.includeSpam && f.spam === true)) return plan;
  plan.copies.push({ to: [...a.addresses], reason: 'archive', ...(a.tagSubject && a.subjectTag ? { subjectTag: a.subjectTag } : {}) });
  return plan;
}

/** Attachment allow / deny lists (受限的附件): the first refused file name, or undefined. */
export function refusedAttachment(s: ContentFilterSettings['attachments'], f: MessageFacts): string | undefined {
  if (s.mode === 'off') return undefined;
  const exempt = (address: string) => s.exempt.some((e) => {
    const x = e.trim().toLowerCase();
    if (!x) return false;
    if (x.includes('@')) return wildcard(x).test(address);
    return address.toLowerCase().endsWith(`@${x}`);
  });
  if (exempt(f.sender) || (f.recipients.length > 0 && f.recipients.every(exempt))) return undefined;
  const deny = s.deny.map(wildcard);
  const allow = s.allow.map(wildcard);
  for (const a of f.attachments) {
    if (!a.name) continue;
    if (s.mode === 'deny' && deny.some((r) => r.test(a.name))) return a.name;
    if (s.mode === 'allow' && !allow.some((r) => r.test(a.name))) return a.name;
  }
  return undefined;
}
