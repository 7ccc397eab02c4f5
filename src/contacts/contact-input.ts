/**
 * The one check of a contact's fields, for every way in (web form, CSV and vCard import, "add to
 * contacts"): trims, applies the limits below, validates addresses (directory/address.ts syntax,
 * any domain), phone numbers and the birthday, and fills a blank name from the first address.
 * A bad field throws INVALID_INPUT whose details.field names it the way the API spells it
 * ('emails.1', 'phones.0.number', 'birthday'), so the web answer and the import report agree.
 */
import { MailError } from '../core/errors.ts';
import { parseAddress } from '../directory/address.ts';
import { CONTACT_PHONE_KINDS, type ContactFields, type ContactPhone, type ContactPhoneKind } from '../store/store.ts';

/** The phone kinds a contact may have (the API's enum: web routes do not import the store). */
export { CONTACT_PHONE_KINDS };

export const LIMITS = {
  name: 100, company: 100, department: 100, title: 100, address: 300, notes: 2000,
  emails: 10, phones: 10, phone: 40, email: 254,
} as const;

/** What a caller may send: every field optional (an update sends only what changes). */
export interface ContactInput {
  name?: string;
  emails?: string[];
  phones?: Array<{ kind?: string; number: string }>;
  company?: string;
  department?: string;
  title?: string;
  address?: string;
  birthday?: string;
  notes?: string;
}

const bad = (field: string, message: string): MailError => new MailError('INVALID_INPUT', `${field}: ${message}`, { details: { field } });

// C0/C1 controls other than the line breaks and tab a note or an address may hold.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const LINE_BREAK = /[\r\n]/;
const PHONE = /^[0-9+()\-.\s#*,/xX]+$/;
const TEXT_FIELDS = ['company', 'department', 'title', 'address', 'notes'] as const;

function text(field: string, value: string | undefined, max: number, multiline: boolean): string {
  const v = (value ?? '').trim();
  if (v.length > max) throw bad(field, `at most ${max} characters`);
  if (CONTROL.test(v) || (!multiline && LINE_BREAK.test(v))) throw bad(field, 'contains control characters');
  return v;
}

function email(field: string, value: string): string {
  const v = value.trim();
  if (v.length > LIMITS.email) throw bad(field, `at most ${LIMITS.email} characters`);
  try {
    parseAddress(v);
  } catch {
    throw bad(field, `"${v.slice(0, 80)}" is not an email address`);
  }
  return v;
}

function birthday(value: string | undefined): string {
  const v = (value ?? '').trim();
  if (v === '') return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  const d = m && new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (!m || !d || d.getUTCMonth() !== Number(m[2]) - 1 || d.getUTCDate() !== Number(m[3]) || Number(m[1]) < 1800) {
    throw bad('birthday', `"${v.slice(0, 40)}" is not a date written YYYY-MM-DD`);
  }
  return v;
}

function phones(list: ContactInput['phones']): ContactPhone[] {
  const out: ContactPhone[] = [];
  for (const [i, p] of (list ?? []).entries()) {
    const number = (p.number ?? '').trim();
    if (number === '') continue;
    if (number.length > LIMITS.phone) throw bad(`phones.${i}.number`, `at most ${LIMITS.phone} characters`);
    if (!PHONE.test(number)) throw bad(`phones.${i}.number`, `"${number}" is not a phone number`);
    const kind = (p.kind ?? 'other') as ContactPhoneKind;
    if (!CONTACT_PHONE_KINDS.includes(kind)) throw bad(`phones.${i}.kind`, `must be one of ${CONTACT_PHONE_KINDS.join(', ')}`);
    out.push({ kind, number });
  }
  if (out.length > LIMITS.phones) throw bad('phones', `at most ${LIMITS.phones} phone numbers`);
  return out;
}

function emails(list: string[] | undefined): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const [i, e] of (list ?? []).entries()) {
    if (e.trim() === '') continue;
    const v = email(`emails.${i}`, e);
    if (!seen.has(v.toLowerCase())) out.push(v);
    seen.add(v.toLowerCase());
  }
  if (out.length === 0) throw bad('emails', 'at least one email address is needed');
  if (out.length > LIMITS.emails) throw bad('emails', `at most ${LIMITS.emails} email addresses`);
  return out;
}

/** A whole contact (create, import): every field checked, a blank name taken from the first address. */
export function checkContact(input: ContactInput): ContactFields {
  const list = emails(input.emails);
  const name = text('name', input.name, LIMITS.name, false) || list[0]!.slice(0, list[0]!.lastIndexOf('@'));
  const f: ContactFields = {
    name, emails: list, phones: phones(input.phones), birthday: birthday(input.birthday),
    company: '', department: '', title: '', address: '', notes: '',
  };
  for (const k of TEXT_FIELDS) f[k] = text(k, input[k], LIMITS[k], k === 'address' || k === 'notes');
  return f;
}

/** The fields an update sends, each checked as checkContact would; absent fields stay absent. */
export function checkContactPatch(input: ContactInput): Partial<ContactFields> {
  const out: Partial<ContactFields> = {};
  if (input.emails !== undefined) out.emails = emails(input.emails);
  if (input.name !== undefined) {
    out.name = text('name', input.name, LIMITS.name, false);
    if (out.name === '') throw bad('name', 'must not be empty');
  }
  if (input.phones !== undefined) out.phones = phones(input.phones);
  if (input.birthday !== undefined) out.birthday = birthday(input.birthday);
  for (const k of TEXT_FIELDS) if (input[k] !== undefined) out[k] = text(k, input[k], LIMITS[k], k === 'address' || k === 'notes');
  return out;
}

/** A group's name: 1 to 50 printable characters on one line. */
export function checkGroupName(name: string, field = 'name'): string {
  const v = text(field, name, 50, false);
  if (v === '') throw bad(field, 'must not be empty');
  // ; separates group names in a CSV's groups column.
  if (/[;；]/.test(v)) throw bad(field, 'must not contain ;');
  return v;
}
