/**
 * The contacts module's client for /api/contacts, /api/contact-groups, /api/directory and
 * /api/customers (src/web/api/routes/contacts.ts, directory.ts, customers.ts): types mirror the routes' zod schemas. Exports
 * are plain links (a GET the browser downloads with the session cookie).
 */
import { call } from '../api.ts';

export type PhoneKind = 'mobile' | 'work' | 'home' | 'fax' | 'other';
export const PHONE_KINDS: PhoneKind[] = ['mobile', 'work', 'home', 'fax', 'other'];
export interface Phone { kind: PhoneKind; number: string }
export interface ContactFields {
  name: string; emails: string[]; phones: Phone[]; company: string; department: string; title: string;
  address: string; birthday: string; notes: string;
}
export interface Contact extends ContactFields { id: number; groupIds: number[]; createdAt: number; updatedAt: number }
export interface ContactPage { total: number; page: number; pageSize: number; contacts: Contact[] }
export interface Group { id: number; name: string; members: number }
export interface ImportReport {
  created: number; updated: number; skipped: number;
  errors: Array<{ line: number; field: string; message: string }>;
  ignoredColumns: string[];
}
export interface Person { name: string; address: string }
export interface DirectoryUnit { id: number; name: string; users: Person[]; children: DirectoryUnit[] }
export interface DirectoryTree { domain: string; units: DirectoryUnit[]; unassigned: Person[]; lists: Array<{ address: string; description: string }> }
export type ExportFormat = 'csv' | 'vcard3' | 'vcard4';
export interface Customer { id: number; name: string; email: string; company: string; phone: string; mobile: string; address: string; notes: string; categoryId: number | null; updatedAt: number }
export interface CustomerCategory { id: number; name: string; members: number }
export interface CustomerPage { total: number; page: number; pageSize: number; customers: Customer[]; categories: CustomerCategory[] }
export interface DirectoryDomain { name: string; displayName: string; own: boolean }

const qs = (params: Record<string, string | number | undefined>): string => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
};

export const contactsApi = {
  list: (q: { search?: string; groupId?: number; page: number; pageSize: number }) => call<ContactPage>('GET', `/api/contacts${qs(q)}`),
  create: (c: Partial<ContactFields> & { groupIds?: number[] }) => call<Contact>('POST', '/api/contacts', c),
  update: (id: number, c: Partial<ContactFields> & { groupIds?: number[] }) => call<Contact>('PUT', `/api/contacts/${id}`, c),
  remove: (ids: number[]) => call<{ deleted: number }>('POST', '/api/contacts/delete', { ids }),
  addPeople: (people: Array<{ name?: string; email: string }>, groupId?: number) =>
    call<{ added: number; existing: number }>('POST', '/api/contacts/add', { people, ...(groupId ? { groupId } : {}) }),
  importText: (body: { format: 'csv' | 'vcard'; text: string; duplicates: 'ignore' | 'overwrite'; groupId?: number }) =>
    call<ImportReport>('POST', '/api/contacts/import', body),
  exportUrl: (format: ExportFormat, groupId?: number) => `/api/contacts/export${qs({ format, groupId })}`,
  groups: () => call<{ groups: Group[] }>('GET', '/api/contact-groups').then((r) => r.groups),
  createGroup: (name: string, contactIds?: number[]) => call<Group>('POST', '/api/contact-groups', { name, ...(contactIds ? { contactIds } : {}) }),
  renameGroup: (id: number, name: string) => call<Group>('PUT', `/api/contact-groups/${id}`, { name }),
  deleteGroup: (id: number) => call<{ ok: true }>('DELETE', `/api/contact-groups/${id}`),
  addMembers: (id: number, ids: number[]) => call<{ added: number }>('POST', `/api/contact-groups/${id}/members`, { ids }),
  recipients: (id: number) => call<{ recipients: Person[] }>('GET', `/api/contact-groups/${id}/recipients`).then((r) => r.recipients),
  directory: (domain?: string) => call<DirectoryTree>('GET', `/api/directory${qs({ domain })}`),
  directoryDomains: () => call<{ domains: DirectoryDomain[] }>('GET', '/api/directory/domains').then((r) => r.domains),
  customers: (q: { search?: string; category?: number; page: number; pageSize: number }) => call<CustomerPage>('GET', `/api/customers${qs(q)}`),
};

export const contactKeys = {
  all: ['contacts'] as const,
  list: (q: object) => ['contacts', 'list', q] as const,
  groups: ['contacts', 'groups'] as const,
  directory: ['directory'] as const,
  directoryOf: (domain: string | undefined) => ['directory', domain ?? ''] as const,
  directoryDomains: ['directory', 'domains'] as const,
  customers: (q: object) => ['customers', q] as const,
};

/** Opens compose addressed to these people (compose reads #compose?to=…; addresses separated by ;). */
export function writeMailTo(addresses: string[]): void {
  if (addresses.length === 0) return;
  window.location.hash = `#compose?to=${encodeURIComponent(addresses.join(';'))}`;
}

/** A file's text: UTF-8, or GBK when it is not valid UTF-8 (Excel on Chinese Windows saves CSV as GBK). */
export async function readFileText(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('gbk').decode(bytes);
  }
}
