/**
 * What the columns of a contacts CSV mean (manual part 2 §1.10.5 "导入/导出联系人"). The first
 * record is the header; columns are recognised by name in English or Chinese, case and spaces
 * aside (our own export's headers, and the common ones of Outlook, Foxmail and U-Mail exports):
 * name, email (several email columns, or one holding addresses separated by ; ), mobile / work /
 * home phone / fax, company, department, title, address, birthday, notes and groups (names
 * separated by ; ). Unknown columns are ignored and named in the result; a file without any
 * email column is refused as a whole. Parsing only: contacts.ts checks and writes.
 */
import { MailError } from '../core/errors.ts';
import type { Contact, ContactPhoneKind } from '../store/store.ts';
import type { ContactInput } from './contact-input.ts';
import { CsvSyntaxError, formatCsv, parseCsv, unformulaField } from '../core/csv.ts';

type Column = 'name' | 'email' | `phone:${ContactPhoneKind}` | 'company' | 'department' | 'title' | 'address' | 'birthday' | 'notes' | 'groups';

const NAMES: Record<Column, string[]> = {
  name: ['name', 'full name', 'display name', '姓名', '名称', '名字', '显示名', '顯示名', '联系人', '聯絡人'],
  email: ['email', 'e-mail', 'emails', 'email address', 'e-mail address', 'primary email', 'e-mail 2 address', 'e-mail 3 address',
    '邮箱', '邮箱地址', '电子邮件', '電子郵件', '電子郵件地址', '郵箱', '郵箱地址', '邮件地址'],
  'phone:mobile': ['mobile', 'mobile phone', 'cell', '手机', '手機', '移动电话', '行動電話'],
  'phone:work': ['phone', 'work phone', 'business phone', 'telephone', '电话', '電話', '办公电话', '辦公電話', '工作电话'],
  'phone:home': ['home phone', '家庭电话', '家庭電話', '住宅电话', '住宅電話'],
  'phone:fax': ['fax', 'business fax', '传真', '傳真'],
  'phone:other': ['other phone', '其他电话', '其他電話'],
  company: ['company', 'organization', 'organisation', '公司', '单位', '單位'],
  department: ['department', '部门', '部門'],
  title: ['title', 'job title', '职位', '職位', '职务', '職務'],
  address: ['address', 'business address', 'home address', '地址', '联系地址', '聯絡地址'],
  birthday: ['birthday', '生日'],
  notes: ['notes', 'note', 'remarks', '备注', '備註'],
  groups: ['groups', 'group', 'categories', '组', '组别', '分组', '联系组', '組', '分組', '聯絡組'],
};
const BY_NAME = new Map<string, Column>(Object.entries(NAMES).flatMap(([col, names]) => names.map((n) => [n, col as Column])));
/** Case, runs of spaces or underscores, and a trailing number ("E-mail 2", "email3") aside. */
const key = (header: string): string => header.trim().toLowerCase().replace(/[\s_]+/g, ' ').replace(/ ?\d+$/, '');

/** One data record as a contact to check, with its line and the group names it asks for. */
export interface CsvContact {
  line: number;
  input: ContactInput;
  groups: string[];
}

export interface CsvContacts {
  rows: CsvContact[];
  /** Header names not recognised (their columns were not read). */
  ignoredColumns: string[];
}

const splitList = (s: string): string[] => s.split(/[;；]/).map((x) => x.trim()).filter((x) => x !== '');

/** Reads a contacts CSV. Throws INVALID_INPUT (field 'csv') for a broken file or one with no email column. */
export function readContactsCsv(text: string): CsvContacts {
  let records;
  try {
    records = parseCsv(text);
  } catch (err) {
    if (err instanceof CsvSyntaxError) throw new MailError('INVALID_INPUT', `csv: ${err.message}`, { details: { field: 'csv', line: err.line } });
    throw err;
  }
  const [header, ...data] = records;
  if (!header) throw new MailError('INVALID_INPUT', 'csv: the file is empty', { details: { field: 'csv' } });
  const columns = header.fields.map((h) => BY_NAME.get(key(h)));
  if (!columns.includes('email')) {
    throw new MailError('INVALID_INPUT', 'csv: the first line must name the columns, one of them the email address (email or 邮箱地址)', { details: { field: 'csv' } });
  }
  const ignoredColumns = header.fields.filter((h, i) => columns[i] === undefined && h.trim() !== '');
  const rows = data.map((r): CsvContact => {
    const input: ContactInput = { emails: [], phones: [] };
    const groups: string[] = [];
    columns.forEach((col, i) => {
      const value = unformulaField((r.fields[i] ?? '').trim());
      if (!col || value === '') return;
      if (col === 'email') input.emails!.push(...splitList(value));
      else if (col === 'groups') groups.push(...splitList(value));
      else if (col.startsWith('phone:')) input.phones!.push(...splitList(value).map((number) => ({ kind: col.slice(6), number })));
      else input[col as Exclude<Column, 'email' | 'groups' | `phone:${string}`>] = value;
    });
    return { line: r.line, input, groups };
  });
  return { rows, ignoredColumns };
}

const HEADER = ['name', 'email', 'mobile', 'work phone', 'home phone', 'fax', 'other phone', 'company', 'department', 'title', 'address', 'birthday', 'notes', 'groups'];
const PHONE_COLUMNS: ContactPhoneKind[] = ['mobile', 'work', 'home', 'fax', 'other'];

/** Contacts as CSV that readContactsCsv reads back to the same contacts. groupName names a contact's group ids. */
export function writeContactsCsv(contacts: readonly Contact[], groupName: (id: number) => string | undefined): string {
  const rows = contacts.map((c) => [
    c.name, c.emails.join('; '),
    ...PHONE_COLUMNS.map((k) => c.phones.filter((p) => p.kind === k).map((p) => p.number).join('; ')),
    c.company, c.department, c.title, c.address, c.birthday, c.notes,
    c.groupIds.map(groupName).filter((n): n is string => n !== undefined).join('; '),
  ]);
  return formatCsv([HEADER, ...rows]);
}
