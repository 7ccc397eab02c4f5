/**
 * The options module's client for /api/options/* (src/web/api/routes/options.ts and
 * options-security.ts): types mirror the routes' zod schemas. Filters, auto-reply and forward are
 * the delivery engine's rules (src/delivery/local/user-rules.ts) and are sent whole.
 */
import { ApiError, call } from '../api.ts';

export interface Profile {
  address: string; realName: string; department: string; quotaBytes: number; createdAt: number; lastLoginAt: number | null;
  mobile: string; phone: string; title: string; postalAddress: string;
}
export type ProfilePatch = Partial<Pick<Profile, 'realName' | 'mobile' | 'phone' | 'title' | 'postalAddress'>>;

export interface Preferences {
  format: 'html' | 'text'; charset: 'utf-8' | 'gb2312'; refreshMinutes: number; pageSize: number; saveSent: boolean; autoSaveRecipients: boolean; readingPane: 'right' | 'below' | 'off'; conversationView: boolean;
}

export interface Signature { id: string; name: string; format: 'html' | 'text'; content: string }
export interface SignatureList { signatures: Signature[]; defaultId: string | null }
export interface SignatureInput { name: string; format: 'html' | 'text'; content: string; isDefault?: boolean }

export interface ReplyTemplate { id: number; name: string; format: 'html' | 'text'; body: string; updatedAt: number }
export interface TemplateInput { name: string; format: 'html' | 'text'; body: string }

export const CONDITION_FIELDS = ['from', 'to', 'cc', 'subject', 'size', 'header', 'tag'] as const;
export const TEXT_OPS = ['contains', 'not-contains', 'equals', 'starts-with', 'ends-with', 'matches'] as const;
export const SIZE_OPS = ['greater-than', 'less-than'] as const;
export const ACTION_KINDS = ['move', 'mark-read', 'flag', 'delete', 'forward', 'stop'] as const;
export type ConditionField = (typeof CONDITION_FIELDS)[number];
export type ConditionOp = (typeof TEXT_OPS)[number] | (typeof SIZE_OPS)[number];
export interface Condition { field: ConditionField; header?: string; op: ConditionOp; value: string | number }
export type Action =
  | { kind: 'move'; folder: string } | { kind: 'mark-read' } | { kind: 'flag' } | { kind: 'delete' }
  | { kind: 'forward'; to: string[] } | { kind: 'stop' };
export interface Filter { name: string; enabled: boolean; match: 'all' | 'any'; conditions: Condition[]; actions: Action[] }

export interface Autoreply {
  enabled: boolean; subject: string; body: string; html?: string; startsAt?: number; endsAt?: number; intervalDays: number; onlyToContacts: boolean;
}
export interface Forward { enabled: boolean; to: string[]; keepCopy: boolean }

export type TlsMode = 'none' | 'starttls' | 'tls';
export interface PopAccount {
  id: number; host: string; port: number; tls: TlsMode; username: string; useApop: boolean; enabled: boolean;
  leaveOnServer: boolean; leaveDays: number; lastRunAt: number | null; lastSuccessAt: number | null; lastError: string;
  lastFetched: number; totalFetched: number; createdAt: number;
}
export interface PopInput { host: string; port?: number; tls?: TlsMode; username: string; password?: string; enabled?: boolean; leaveOnServer?: boolean }
export interface PopTest { ok: boolean; messages?: number; bytes?: number; error?: string }

export const optionsApi = {
  profile: () => call<Profile>('GET', '/api/options/profile'),
  setProfile: (p: ProfilePatch) => call<Profile>('PUT', '/api/options/profile', p),
  preferences: () => call<Preferences>('GET', '/api/options/preferences'),
  setPreferences: (p: Partial<Preferences>) => call<Preferences>('PUT', '/api/options/preferences', p),
  signatures: () => call<SignatureList>('GET', '/api/options/signatures'),
  addSignature: (s: SignatureInput) => call<SignatureList>('POST', '/api/options/signatures', s),
  updateSignature: (id: string, s: Partial<SignatureInput>) => call<SignatureList>('PUT', `/api/options/signatures/${encodeURIComponent(id)}`, s),
  removeSignature: (id: string) => call<SignatureList>('DELETE', `/api/options/signatures/${encodeURIComponent(id)}`),
  templates: () => call<{ templates: ReplyTemplate[] }>('GET', '/api/options/templates').then((r) => r.templates),
  addTemplate: (x: TemplateInput) => call<ReplyTemplate>('POST', '/api/options/templates', x),
  updateTemplate: (id: number, x: Partial<TemplateInput>) => call<ReplyTemplate>('PUT', `/api/options/templates/${id}`, x),
  removeTemplate: (id: number) => call<{ ok: true }>('DELETE', `/api/options/templates/${id}`),
  filters: () => call<{ filters: Filter[] }>('GET', '/api/options/filters').then((r) => r.filters),
  setFilters: (filters: Filter[]) => call<{ filters: Filter[] }>('PUT', '/api/options/filters', { filters }).then((r) => r.filters),
  autoreply: () => call<Autoreply>('GET', '/api/options/autoreply'),
  setAutoreply: (a: Autoreply) => call<Autoreply>('PUT', '/api/options/autoreply', a),
  forward: () => call<Forward>('GET', '/api/options/forward'),
  setForward: (f: Forward) => call<Forward>('PUT', '/api/options/forward', f),
  changePassword: (oldPassword: string, newPassword: string) => call<{ ok: true }>('PUT', '/api/options/password', { oldPassword, newPassword }),
  question: () => call<{ question: string | null }>('GET', '/api/options/security-question'),
  setQuestion: (b: { password: string; question: string; answer: string }) => call<{ question: string }>('PUT', '/api/options/security-question', b),
  clearQuestion: () => call<{ ok: true }>('DELETE', '/api/options/security-question'),
  popAccounts: () => call<{ accounts: PopAccount[] }>('GET', '/api/options/pop-accounts').then((r) => r.accounts),
  addPop: (p: PopInput) => call<PopAccount>('POST', '/api/options/pop-accounts', p),
  updatePop: (id: number, p: Partial<PopInput>) => call<PopAccount>('PUT', `/api/options/pop-accounts/${id}`, p),
  removePop: (id: number) => call<{ ok: true }>('DELETE', `/api/options/pop-accounts/${id}`),
  testPop: (id: number) => call<PopTest>('POST', `/api/options/pop-accounts/${id}/test`, {}),
};

export const optionKeys = {
  profile: ['options', 'profile'] as const,
  preferences: ['options', 'preferences'] as const,
  signatures: ['options', 'signatures'] as const,
  templates: ['options', 'templates'] as const,
  filters: ['options', 'filters'] as const,
  autoreply: ['options', 'autoreply'] as const,
  forward: ['options', 'forward'] as const,
  question: ['options', 'question'] as const,
  pop: ['options', 'pop'] as const,
};

/**
 * Marks the field the server named (400 INVALID_INPUT, `field` like 'to.0' or
 * 'filters.0.conditions.1.value') on the form, less its first `drop` segments, and says whether it
 * did; the caller shows other errors as a message.
 */
export function markField(form: { setFields(f: never): void }, err: unknown, drop = 0, keep = Infinity): boolean {
  if (!(err instanceof ApiError) || !err.field) return false;
  // keep: a list in one control (addresses in a tags select) takes its items' errors itself.
  const path = err.field.split('.').slice(drop, drop + keep).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  if (path.length === 0) return false;
  form.setFields([{ name: path, errors: [err.message] }] as never);
  return true;
}
