/**
 * Import and export of personal contacts (manual part 2 §1.10.5): CSV (contact-csv.ts) and vCard
 * (vcard.ts) in, CSV and vCard 3.0 / 4.0 out, all contacts, one group, or chosen ones.
 *
 * Import: every record is checked in full before anything of it is written, so a bad record is
 * reported (its line and the field at fault) and writes nothing, while the good ones are imported.
 * A record whose address (any of its addresses) is already in the book is a duplicate: with
 * 'ignore' it is skipped, with 'overwrite' the existing contact's fields are replaced by the
 * record's (its groups are added to). Group names in a record are created when missing. The whole
 * import is one transaction: it is in the book completely or, on a store failure, not at all.
 */
import { MailError } from '../core/errors.ts';
import type { ContactGroupId, ContactId, UserId } from '../core/ids.ts';
import type { Actor } from '../directory/actor.ts';
import type { Contact, ContactFields, Store, StoreTx } from '../store/store.ts';
import { checkContact, checkGroupName, type ContactInput } from './contact-input.ts';
import { readContactsCsv, writeContactsCsv } from './contact-csv.ts';
import { MAX_CONTACTS, MAX_IDS, requireGroup, requireOwner } from './contacts.ts';
import { formatVcard, readVcards, type VcardVersion } from './vcard.ts';

/** 1 M characters (a JSON body of up to ~4 MB: see the import route) and 5,000 records per import: a large personal book in one go, a request that ends in seconds. */
export const MAX_IMPORT_CHARS = 1024 * 1024;
export const MAX_IMPORT_RECORDS = 5000;

export type ImportFormat = 'csv' | 'vcard';
export type DuplicatePolicy = 'ignore' | 'overwrite';

export interface ImportRequest {
  format: ImportFormat;
  text: string;
  duplicates: DuplicatePolicy;
  /** Every imported contact also joins this group ("导入联系人到此组"). */
  groupId?: ContactGroupId;
}

export interface ImportProblem {
  /** 1-based line of the file where the record starts. */
  line: number;
  /** The field at fault ('emails.0', 'birthday', 'groups' …). */
  field: string;
  message: string;
}

export interface ImportReport {
  created: number;
  updated: number;
  /** Duplicates left alone ('ignore'). */
  skipped: number;
  errors: ImportProblem[];
  /** CSV header names that were not recognised. */
  ignoredColumns: string[];
}

export type ExportFormat = 'csv' | 'vcard3' | 'vcard4';
export interface ExportRequest {
  format: ExportFormat;
  groupId?: ContactGroupId;
  ids?: ContactId[];
}
export interface ExportFile {
  fileName: string;
  contentType: string;
  body: string;
}

interface Record {
  line: number;
  fields: ContactFields;
  groups: string[];
}

export class ContactTransfer {
  constructor(private readonly store: Store) {}

  async importContacts(actor: Actor, userId: UserId, req: ImportRequest): Promise<ImportReport> {
    requireOwner(actor, userId);
    if (req.text.length > MAX_IMPORT_CHARS) throw new MailError('INVALID_INPUT', `text: at most ${MAX_IMPORT_CHARS} characters`, { details: { field: 'text' } });
    const parsed = req.format === 'csv' ? readContactsCsv(req.text) : { rows: readVcards(req.text), ignoredColumns: [] };
    if (parsed.rows.length > MAX_IMPORT_RECORDS) {
      throw new MailError('INVALID_INPUT', `text: at most ${MAX_IMPORT_RECORDS} contacts per import`, { details: { field: 'text' } });
    }
    if (req.format === 'vcard' && parsed.rows.length === 0) throw new MailError('INVALID_INPUT', 'text: no BEGIN:VCARD found', { details: { field: 'text' } });
    const report: ImportReport = { created: 0, updated: 0, skipped: 0, errors: [], ignoredColumns: parsed.ignoredColumns };
    const good: Record[] = [];
    for (const row of parsed.rows) {
      const checked = checkRecord(row.line, row.input, row.groups);
      if ('field' in checked) report.errors.push(checked); else good.push(checked);
    }
    await this.store.tx(async (tx) => {
      if (!(await tx.users.get(userId))) throw new MailError('NOT_FOUND', `user #${userId} does not exist`);
      if (req.groupId !== undefined) await requireGroup(tx, userId, req.groupId);
      const groupIds = new Map((await tx.contacts.groups(userId)).map((g) => [g.name, g.id]));
      let count = await tx.contacts.count(userId);
      for (const r of good) {
        const existing = await findDuplicate(tx, userId, r.fields.emails);
        if (existing && req.duplicates === 'ignore') { report.skipped++; continue; }
        if (!existing && count >= MAX_CONTACTS) {
          report.errors.push({ line: r.line, field: 'emails', message: `the address book is full (${MAX_CONTACTS} contacts)` });
          continue;
        }
        const groups: ContactGroupId[] = req.groupId === undefined ? [] : [req.groupId];
        for (const name of r.groups) {
          let id = groupIds.get(name);
          if (id === undefined) {
            id = (await tx.contacts.createGroup(userId, name)).id;
            groupIds.set(name, id);
          }
          groups.push(id);
        }
        if (existing) {
          await tx.contacts.update(userId, existing.id, r.fields, [...new Set([...existing.groupIds, ...groups])]);
          report.updated++;
        } else {
          await tx.contacts.create(userId, r.fields, [...new Set(groups)]);
          report.created++;
          count++;
        }
      }
    });
    return report;
  }

  /** The owner's contacts (all, one group's, or the ids given) as a file to download. */
  async exportContacts(actor: Actor, userId: UserId, req: ExportRequest): Promise<ExportFile> {
    requireOwner(actor, userId);
    if (req.ids && req.ids.length > MAX_IDS) throw new MailError('INVALID_INPUT', `ids: at most ${MAX_IDS}`, { details: { field: 'ids' } });
    return this.store.read(async (tx) => {
      const groups = await tx.contacts.groups(userId);
      const group = req.groupId === undefined ? undefined : await requireGroup(tx, userId, req.groupId);
      const contacts = req.ids ? await requireAll(tx, userId, req.ids) : await tx.contacts.list(userId, { groupId: group?.id });
      const names = new Map<number, string>(groups.map((g) => [g.id, g.name]));
      const base = group ? `contacts-${group.name}` : 'contacts';
      if (req.format === 'csv') {
        return { fileName: `${base}.csv`, contentType: 'text/csv; charset=utf-8', body: writeContactsCsv(contacts, (id) => names.get(id)) };
      }
      const version: VcardVersion = req.format === 'vcard3' ? '3.0' : '4.0';
      const body = contacts.map((c) => formatVcard(c, version, c.groupIds.map((id) => names.get(id)!).filter(Boolean))).join('');
      return { fileName: `${base}.vcf`, contentType: `text/vcard; charset=utf-8${version === '3.0' ? '; version=3.0' : ''}`, body };
    });
  }
}

/** The record checked, or the first problem with it. */
function checkRecord(line: number, input: ContactInput, groups: string[]): Record | ImportProblem {
  try {
    const fields = checkContact(input);
    const names = [...new Set(groups.map((g) => checkGroupName(g, 'groups')))];
    return { line, fields, groups: names };
  } catch (err) {
    if (err instanceof MailError && err.code === 'INVALID_INPUT') {
      const field = typeof err.details?.field === 'string' ? err.details.field : 'line';
      return { line, field, message: err.message };
    }
    throw err;
  }
}

async function findDuplicate(tx: StoreTx, userId: UserId, emails: readonly string[]): Promise<Contact | undefined> {
  for (const e of emails) {
    const [c] = await tx.contacts.byEmail(userId, e);
    if (c) return c;
  }
  return undefined;
}

async function requireAll(tx: StoreTx, userId: UserId, ids: readonly ContactId[]): Promise<Contact[]> {
  const found = await tx.contacts.getMany(userId, ids);
  const have = new Set(found.map((c) => c.id));
  const missing = ids.find((id) => !have.has(id));
  if (missing !== undefined) throw new MailError('NOT_FOUND', `contact #${missing} does not exist`);
  return found;
}
