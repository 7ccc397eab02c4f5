/**
 * The customer address book (客户通讯录; FEATURES A8, W10; manual part 3 §1.8.4, part 2 §1.12):
 * one book per domain, kept by the domain's administrators in the console (entries with name,
 * email, company, phone, mobile, address, notes; categories, i.e. groups; batch import from CSV
 * with a per-line report; export) and read by every user of the domain in the webmail (list with
 * category filter and search, "write mail to", compose autocomplete via enterprise.ts).
 * Admin methods check the actor's reach on entry (directory/admin-reach.ts, domainLevel: domain
 * admins of the domain and the super admin; a department admin is FORBIDDEN) and audit each change
 * with the domain as target. User methods read the book of the user's own domain only: the book is
 * not shared between domains (directory sharing shares the enterprise directory, not this).
 */
import { MailError } from '../core/errors.ts';
import type { CustomerCategoryId, CustomerId, DomainId, UserId } from '../core/ids.ts';
import { type Actor, recordAudit } from '../directory/actor.ts';
import { reachDomain } from '../directory/admin-reach.ts';
import type { Customer, CustomerCategory, Store, StoreTx } from '../store/store.ts';

export type { Customer, CustomerCategory };
import { checkGroupName } from './contact-input.ts';
import { requireOwner } from './contacts.ts';
import { CsvSyntaxError, formatCsv, parseCsv, unformulaField } from '../core/csv.ts';
import { checkCustomer, CUSTOMER_CSV_COLUMNS, type CustomerInput } from './customer-input.ts';

/** At most this many entries in one domain's book (an import stops short of it). */
export const MAX_CUSTOMERS = 50_000;
/** Lines one import may hold. */
export const MAX_CUSTOMER_LINES = 10_000;
export const MAX_CUSTOMER_IDS = 1000;
const MAX_PAGE_SIZE = 200;

export interface CustomerListQuery {
  search?: string;
  /** 0: the uncategorised entries. */
  categoryId?: number;
  /** From 1. */
  page?: number;
  pageSize?: number;
}
export interface CustomerPage {
  total: number;
  page: number;
  pageSize: number;
  customers: Customer[];
}
export interface CustomerImportError {
  line: number;
  field: string;
  message: string;
}

const bad = (field: string, message: string) => new MailError('INVALID_INPUT', `${field}: ${message}`, { details: { field } });

async function requireCategory(tx: StoreTx, domainId: DomainId, id: number): Promise<CustomerCategory> {
  const c = await tx.customers.getCategory(domainId, id as CustomerCategoryId);
  if (!c) throw new MailError('NOT_FOUND', `customer category #${id} does not exist`, { details: { field: 'categoryId' } });
  return c;
}

async function page(tx: StoreTx, domainId: DomainId, q: CustomerListQuery): Promise<CustomerPage> {
  const pageSize = Math.min(Math.max(q.pageSize ?? 30, 1), MAX_PAGE_SIZE);
  const pageNo = Math.max(q.page ?? 1, 1);
  if (q.categoryId) await requireCategory(tx, domainId, q.categoryId);
  const filter = {
    search: q.search?.trim() || undefined,
    ...(q.categoryId === undefined ? {} : { categoryId: q.categoryId === 0 ? null : q.categoryId as CustomerCategoryId }),
  };
  const total = await tx.customers.count(domainId, filter);
  const customers = await tx.customers.list(domainId, { ...filter, offset: (pageNo - 1) * pageSize, limit: pageSize });
  return { total, page: pageNo, pageSize, customers };
}

async function requireRoom(tx: StoreTx, domainId: DomainId, adding: number): Promise<void> {
  if ((await tx.customers.count(domainId)) + adding > MAX_CUSTOMERS) {
    throw new MailError('LIMIT_REACHED', `a customer book holds at most ${MAX_CUSTOMERS} entries`, { details: { field: 'customers' } });
  }
}

export class CustomerBook {
  constructor(private readonly store: Store) {}

  // ── The console (domain admins, super admin) ──────────────────────────────────────────────

  /** A page of the domain's book, by name, searched and/or of one category (0: uncategorised). */
  async list(actor: Actor, domainName: string, q: CustomerListQuery = {}): Promise<CustomerPage> {
    return this.store.read(async (tx) => page(tx, (await reach(tx, actor, domainName)).id, q));
  }

  async categories(actor: Actor, domainName: string): Promise<CustomerCategory[]> {
    return this.store.read(async (tx) => tx.customers.categories((await reach(tx, actor, domainName)).id));
  }

  /** Adds an entry. Throws INVALID_INPUT naming the field, NOT_FOUND (categoryId), LIMIT_REACHED. */
  async add(actor: Actor, domainName: string, input: CustomerInput): Promise<Customer> {
    const fields = checkCustomer(input);
    return this.store.tx(async (tx) => {
      const domain = await reach(tx, actor, domainName);
      if (input.categoryId) await requireCategory(tx, domain.id, input.categoryId);
      await requireRoom(tx, domain.id, 1);
      const c = await tx.customers.create(domain.id, { ...fields, categoryId: (input.categoryId || null) as CustomerCategoryId | null });
      await recordAudit(tx, actor, 'customer.create', domain.name, { id: c.id, name: c.name, email: c.email });
      return c;
    });
  }

  /** Changes an entry (every field is sent, as the form has them). */
  async update(actor: Actor, domainName: string, id: number, input: CustomerInput): Promise<Customer> {
    const fields = checkCustomer(input);
    return this.store.tx(async (tx) => {
      const domain = await reach(tx, actor, domainName);
      if (input.categoryId) await requireCategory(tx, domain.id, input.categoryId);
      const patch = { ...fields, ...(input.categoryId !== undefined ? { categoryId: (input.categoryId || null) as CustomerCategoryId | null } : {}) };
      const c = await tx.customers.update(domain.id, id as CustomerId, patch);
      if (!c) throw new MailError('NOT_FOUND', `customer #${id} does not exist`);
      await recordAudit(tx, actor, 'customer.update', domain.name, { id: c.id, name: c.name, email: c.email });
      return c;
    });
  }

  /** Deletes entries (批量删除): all of ids or, when one is not the domain's, none (NOT_FOUND). */
  async remove(actor: Actor, domainName: string, ids: readonly number[]): Promise<number> {
    if (ids.length === 0 || ids.length > MAX_CUSTOMER_IDS) throw bad('ids', `1 to ${MAX_CUSTOMER_IDS} entries`);
    return this.store.tx(async (tx) => {
      const domain = await reach(tx, actor, domainName);
      for (const id of new Set(ids)) {
        if (!(await tx.customers.get(domain.id, id as CustomerId))) throw new MailError('NOT_FOUND', `customer #${id} does not exist`);
      }
      const n = await tx.customers.delete(domain.id, ids as CustomerId[]);
      await recordAudit(tx, actor, 'customer.delete', domain.name, { ids: [...new Set(ids)].slice(0, 100), deleted: n });
      return n;
    });
  }

  async createCategory(actor: Actor, domainName: string, name: string): Promise<CustomerCategory> {
    const clean = checkGroupName(name);
    return this.store.tx(async (tx) => {
      const domain = await reach(tx, actor, domainName);
      const c = await tx.customers.createCategory(domain.id, clean).catch((err: unknown) => { throw nameTaken(err); });
      await recordAudit(tx, actor, 'customer.category.create', domain.name, { id: c.id, name: c.name });
      return c;
    });
  }

  async renameCategory(actor: Actor, domainName: string, id: number, name: string): Promise<CustomerCategory> {
    const clean = checkGroupName(name);
    return this.store.tx(async (tx) => {
      const domain = await reach(tx, actor, domainName);
      const old = await requireCategory(tx, domain.id, id);
      const c = await tx.customers.renameCategory(domain.id, old.id, clean).catch((err: unknown) => { throw nameTaken(err); });
      await recordAudit(tx, actor, 'customer.category.rename', domain.name, { id, from: old.name, to: clean });
      return c!;
    });
  }

  /** Deletes a category; its entries stay, uncategorised. */
  async deleteCategory(actor: Actor, domainName: string, id: number): Promise<void> {
    await this.store.tx(async (tx) => {
      const domain = await reach(tx, actor, domainName);
      const old = await requireCategory(tx, domain.id, id);
      await tx.customers.deleteCategory(domain.id, old.id);
      await recordAudit(tx, actor, 'customer.category.delete', domain.name, { id, name: old.name, entries: old.members });
    });
  }

  /**
   * 批量导入 (manual §1.8.4): CSV pasted or uploaded, header row optional (English keys or the
   * Chinese labels), columns as CUSTOMER_CSV_SAMPLE. Every good line is added, every bad one
   * reported with its line and field; a `category` column names a category, made when missing.
   * An address already in the book is reported (field email), not added twice.
   */
  async importCsv(actor: Actor, domainName: string, text: string, categoryId?: number): Promise<{ added: number; errors: CustomerImportError[] }> {
    let records;
    try {
      records = parseCsv(text);
    } catch (err) {
      if (err instanceof CsvSyntaxError) return { added: 0, errors: [{ line: err.line, field: 'csv', message: err.message }] };
      throw err;
    }
    let order: string[] = CUSTOMER_CSV_COLUMNS.map((c) => c.key);
    const errors: CustomerImportError[] = [];
    const first = records[0];
    const keyOf = (cell: string) => CUSTOMER_CSV_COLUMNS.find((c) => c.key === cell.trim().toLowerCase() || c.label === cell.trim())?.key;
    if (first && keyOf(first.fields[0] ?? '')) {
      records.shift();
      order = [];
      for (const [i, cell] of first.fields.entries()) {
        const k = keyOf(cell);
        if (!k) errors.push({ line: first.line, field: cell.trim() || `#${i + 1}`, message: 'unknown column' });
        order.push(k ?? '');
      }
      if (errors.length > 0) return { added: 0, errors };
    }
    if (records.length > MAX_CUSTOMER_LINES) return { added: 0, errors: [{ line: records[MAX_CUSTOMER_LINES]!.line, field: 'csv', message: `at most ${MAX_CUSTOMER_LINES} lines in one import` }] };
    return this.store.tx(async (tx) => {
      const domain = await reach(tx, actor, domainName);
      if (categoryId) await requireCategory(tx, domain.id, categoryId);
      const categories = new Map((await tx.customers.categories(domain.id)).map((c) => [c.name, c.id]));
      const room = MAX_CUSTOMERS - (await tx.customers.count(domain.id));
      const seen = new Set<string>();
      let added = 0;
      for (const r of records) {
        const get = (k: string) => unformulaField((r.fields[order.indexOf(k)] ?? '').trim());
        try {
          if (r.fields.length > order.length) throw bad(`#${order.length + 1}`, `more than ${order.length} columns`);
          const f = checkCustomer(Object.fromEntries(['name', 'email', 'company', 'phone', 'mobile', 'address', 'notes'].map((k) => [k, get(k)])));
          const key = f.email.toLowerCase();
          if (seen.has(key) || (await tx.customers.byEmail(domain.id, f.email)).length > 0) throw new MailError('ALREADY_EXISTS', `email: ${f.email} is already in the book`, { details: { field: 'email' } });
          if (added >= room) throw new MailError('LIMIT_REACHED', `a customer book holds at most ${MAX_CUSTOMERS} entries`, { details: { field: 'customers' } });
          let cat: CustomerCategoryId | null = (categoryId || null) as CustomerCategoryId | null;
          const named = get('category');
          if (named) {
            const clean = checkGroupName(named, 'category');
            cat = categories.get(clean) ?? (await tx.customers.createCategory(domain.id, clean)).id;
            categories.set(clean, cat);
          }
          await tx.customers.create(domain.id, { ...f, categoryId: cat });
          seen.add(key);
          added++;
        } catch (err) {
          if (!(err instanceof MailError)) throw err;
          errors.push({ line: r.line, field: typeof err.details?.field === 'string' ? err.details.field : 'csv', message: err.message });
        }
      }
      await recordAudit(tx, actor, 'customer.import', domain.name, { added, failed: errors.length, lines: errors.map((e) => e.line).slice(0, 100) });
      return { added, errors };
    });
  }

  /** The whole book as CSV (the import's columns, so it reads back in); audited. */
  async exportCsv(actor: Actor, domainName: string): Promise<string> {
    return this.store.tx(async (tx) => {
      const domain = await reach(tx, actor, domainName);
      const names = new Map((await tx.customers.categories(domain.id)).map((c) => [c.id, c.name]));
      const all = await tx.customers.list(domain.id);
      await recordAudit(tx, actor, 'customer.export', domain.name, { entries: all.length });
      return formatCsv([CUSTOMER_CSV_COLUMNS.map((c) => c.key),
        ...all.map((c) => [c.name, c.email, c.company, c.phone, c.mobile, c.address, c.notes, c.categoryId === null ? '' : names.get(c.categoryId) ?? ''])]);
    });
  }

  // ── The webmail (users of the domain, read-only) ─────────────────────────────────────────

  /** A page of the book of the user's own domain. */
  async listForUser(actor: Actor, userId: UserId, q: CustomerListQuery = {}): Promise<CustomerPage> {
    requireOwner(actor, userId);
    return this.store.read(async (tx) => page(tx, await domainOf(tx, userId), q));
  }

  async categoriesForUser(actor: Actor, userId: UserId): Promise<CustomerCategory[]> {
    requireOwner(actor, userId);
    return this.store.read(async (tx) => tx.customers.categories(await domainOf(tx, userId)));
  }
}

async function reach(tx: StoreTx, actor: Actor, domainName: string) {
  return (await reachDomain(tx, actor, domainName, { domainLevel: true })).domain;
}

async function domainOf(tx: StoreTx, userId: UserId): Promise<DomainId> {
  const user = await tx.users.get(userId);
  if (!user) throw new MailError('NOT_FOUND', `user #${userId} does not exist`);
  return user.domainId;
}

function nameTaken(err: unknown): unknown {
  if (err instanceof MailError && err.code === 'ALREADY_EXISTS') return new MailError('ALREADY_EXISTS', err.message, { details: { field: 'name' }, cause: err });
  return err;
}
