/**
 * The client of the monitoring, traffic, label and import screens (src/web/api/routes/admin-monitors.ts,
 * admin-ops.ts). Same session and CSRF handling as api.ts; types mirror the zod schemas.
 */
import { call } from './api.ts';

export type Watch = { kind: 'domain' } | { kind: 'user'; address: string } | { kind: 'department'; orgUnitId: number };
export interface Condition { field: string; header?: string; op: string; values: string[] }
export interface MonitorFields {
  name: string; enabled: boolean; direction: 'in' | 'out' | 'both'; match: 'all' | 'any'; conditions: Condition[]; copyTo: string[]; watch: Watch;
}
export interface MonitorRule extends MonitorFields { id: string; departmentPath?: string }
export interface TrafficCounts { inMessages: number; inBytes: number; outMessages: number; outBytes: number }
export interface TrafficReport {
  domain: string; from: string; to: string; days: Array<TrafficCounts & { day: string }>; totals: TrafficCounts;
  topUsers: Array<TrafficCounts & { address: string; realName: string }>;
}
export type Labels = Record<string, Record<string, string>>;
export interface ImportCounts { foldersDone: number; foldersTotal: number; messagesDone: number; messagesTotal: number; imported: number; bytes: number }
export interface ImportJob {
  id: number; state: 'queued' | 'running' | 'done' | 'failed' | 'cancelled'; createdAt: number; createdBy: string; startedAt: number | null; finishedAt: number | null;
  totals: ImportCounts & { accounts: number; done: number; failed: number };
  accounts: Array<ImportCounts & { line: number; address: string; source: string; state: string; error: string }>;
}
export interface ImportFields { protocol: 'imap' | 'pop3'; host: string; port: number; tls: 'tls' | 'starttls'; verifyTls: boolean; accounts: string }

const enc = encodeURIComponent;
const d = (domain: string) => `/api/admin/domains/${enc(domain)}`;
const S = '/api/admin/super';

export const opsKeys = {
  monitors: (domain: string) => ['admin', 'monitors', domain] as const,
  traffic: (domain: string, from: string, to: string) => ['admin', 'traffic', domain, from, to] as const,
  labels: ['admin', 'labels'] as const,
  imports: ['admin', 'imports'] as const,
};

export const opsApi = {
  monitors: (domain: string) => call<MonitorRule[]>('GET', `${d(domain)}/monitors`),
  addMonitor: (domain: string, f: MonitorFields) => call<MonitorRule>('POST', `${d(domain)}/monitors`, f),
  updateMonitor: (domain: string, id: string, f: MonitorFields) => call<MonitorRule>('POST', `${d(domain)}/monitors/${enc(id)}`, f),
  deleteMonitor: (domain: string, id: string) => call('POST', `${d(domain)}/monitors/${enc(id)}/delete`, {}),
  traffic: (domain: string, from: string, to: string) => call<TrafficReport>('GET', `${d(domain)}/traffic?${new URLSearchParams({ ...(from ? { from } : {}), ...(to ? { to } : {}) })}`),
  labels: () => call<{ overrides: Labels; keys: Array<{ key: string; text: string }> }>('GET', `${S}/labels`),
  setLabel: (language: string, key: string, value: string) => call<Labels>('POST', `${S}/labels`, { language, key, value }),
  resetLabel: (language: string, key?: string) => call<Labels>('POST', `${S}/labels/reset`, { language, ...(key ? { key } : {}) }),
  imports: () => call<ImportJob[]>('GET', `${S}/imports`),
  startImport: (f: ImportFields) => call<ImportJob>('POST', `${S}/imports`, f),
  cancelImport: (id: number) => call<ImportJob>('POST', `${S}/imports/${id}/cancel`, {}),
};
