/**
 * 邮件监控管理 of the domain console (manual part 3 §1.7, §2.7, 4.1.1; FEATURES A7) for an admin
 * Actor: list, add, change and delete the domain's monitoring rules — a name, whose mail is watched
 * (the whole domain, one user, or a department with those below it), the direction (mail sent, mail
 * received, both), conditions of the content filter's kind (several, all or any), the mailboxes of
 * this domain that get a copy, and an on/off switch. Rules live in the domain's settings scope
 * (MONITORING_SETTING_KEY) in the content filter's own rule format (DomainMonitorSchema), and the
 * content filter stage runs them through MonitorIndex on every message. Domain admins of the
 * domain and the super admin only (admin-reach.ts domainLevel); every change is audited.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { DomainMonitorSchema, type DomainMonitor } from '../config/schema/content-filter.ts';
import { domainSettingsScope, MONITORING_SETTING_KEY } from '../config/domain-scope.ts';
import { MailError } from '../core/errors.ts';
import type { OrgUnitId } from '../core/ids.ts';
import type { Domain, Store, StoreTx } from '../store/store.ts';
import { recordAudit, type Actor } from './actor.ts';
import { pathOf, reachDomain } from './admin-reach.ts';
import type { MonitorIndex } from './monitor-index.ts';

/** Rules one domain may have. */
export const MAX_MONITORS = 100;

export const MonitorInputSchema = DomainMonitorSchema.omit({ id: true });
export type MonitorInput = z.input<typeof MonitorInputSchema>;
/** A rule as the console shows it: the department's path for people. */
export type MonitorView = DomainMonitor & { departmentPath?: string };

/** The domain's stored rules ([] when none or unreadable). */
export async function readMonitors(tx: StoreTx, domain: Pick<Domain, 'id'>): Promise<DomainMonitor[]> {
  const raw = await tx.settings.get(domainSettingsScope(domain.id), MONITORING_SETTING_KEY);
  const parsed = z.array(DomainMonitorSchema).safeParse(raw ?? []);
  return parsed.success ? parsed.data : [];
}

export class MonitorConsole {
  constructor(private readonly store: Store, private readonly index?: MonitorIndex) {}

  async list(actor: Actor, domainName: string): Promise<MonitorView[]> {
    return this.store.read(async (tx) => {
      const { domain, units } = await reachDomain(tx, actor, domainName, { domainLevel: true });
      return (await readMonitors(tx, domain)).map((m) => (m.watch.kind === 'department' && units.some((u) => u.id === (m.watch as { orgUnitId: number }).orgUnitId)
        ? { ...m, departmentPath: pathOf(units, m.watch.orgUnitId as OrgUnitId) } : m));
    });
  }

  /** Adds a rule. Throws INVALID_INPUT naming the field, FORBIDDEN, NOT_FOUND, LIMIT_REACHED. */
  async add(actor: Actor, domainName: string, input: MonitorInput): Promise<MonitorView> {
    const id = randomBytes(6).toString('hex');
    return this.write(actor, domainName, 'monitor.add', id, (list, rule) => {
      if (list.length >= MAX_MONITORS) throw new MailError('LIMIT_REACHED', `at most ${MAX_MONITORS} monitoring rules in a domain`);
      return [...list, rule!];
    }, input);
  }

  /** Replaces a rule's fields. Throws NOT_FOUND when the domain has no such rule. */
  async update(actor: Actor, domainName: string, id: string, input: MonitorInput): Promise<MonitorView> {
    return this.write(actor, domainName, 'monitor.update', id, (list, rule) => {
      const i = list.findIndex((m) => m.id === id);
      if (i < 0) throw new MailError('NOT_FOUND', `no monitoring rule ${id} in ${domainName}`);
      return list.map((m, j) => (j === i ? rule! : m));
    }, input);
  }

  async remove(actor: Actor, domainName: string, id: string): Promise<void> {
    await this.write(actor, domainName, 'monitor.delete', id, (list) => {
      if (!list.some((m) => m.id === id)) throw new MailError('NOT_FOUND', `no monitoring rule ${id} in ${domainName}`);
      return list.filter((m) => m.id !== id);
    });
  }

  private async write(actor: Actor, domainName: string, action: string, id: string,
    change: (list: DomainMonitor[], rule?: DomainMonitor) => DomainMonitor[], input?: MonitorInput): Promise<MonitorView> {
    let rule: DomainMonitor | undefined;
    if (input !== undefined) {
      const parsed = DomainMonitorSchema.safeParse({ ...input, id });
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const field = issue.path.join('.') || 'rule';
        throw new MailError('INVALID_INPUT', `${field}: ${issue.message}`, { details: { field } });
      }
      rule = parsed.data;
    }
    const view = await this.store.tx(async (tx) => {
      const { domain, units } = await reachDomain(tx, actor, domainName, { domainLevel: true });
      if (rule) await checkPlaces(tx, domain, units.map((u) => u.id), rule);
      const list = change(await readMonitors(tx, domain), rule);
      await tx.settings.set(domainSettingsScope(domain.id), MONITORING_SETTING_KEY, list);
      await recordAudit(tx, actor, action, domain.name, rule
        ? { id, name: rule.name, enabled: rule.enabled, direction: rule.direction, watch: rule.watch, copyTo: rule.copyTo, conditions: rule.conditions.length }
        : { id });
      return rule && rule.watch.kind === 'department' ? { ...rule, departmentPath: pathOf(units, rule.watch.orgUnitId as OrgUnitId) } : rule;
    });
    await this.index?.reload();
    return view ?? ({ id } as MonitorView);
  }
}

/** The watched user or department and the copy mailboxes must be the domain's own. */
async function checkPlaces(tx: StoreTx, domain: Domain, unitIds: number[], rule: DomainMonitor): Promise<void> {
  const ownUser = async (address: string, field: string) => {
    const at = address.lastIndexOf('@');
    if (address.slice(at + 1) !== domain.name || !(await tx.users.byAddress(domain.id, address.slice(0, at)))) {
      throw new MailError('INVALID_INPUT', `${field}: ${address} is not a mailbox of ${domain.name}`, { details: { field } });
    }
  };
  if (rule.watch.kind === 'user') await ownUser(rule.watch.address, 'watch.address');
  if (rule.watch.kind === 'department' && !unitIds.includes(rule.watch.orgUnitId)) {
    throw new MailError('INVALID_INPUT', `watch.orgUnitId: no department ${rule.watch.orgUnitId} in ${domain.name}`, { details: { field: 'watch.orgUnitId' } });
  }
  for (const a of rule.copyTo) await ownUser(a, 'copyTo');
}
