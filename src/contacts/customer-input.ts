/**
 * The check of a customer book entry's fields (manual part 3 §1.8.4; part 2 §1.12): name, email,
 * company, phone, mobile, address, notes. It reuses the personal contact check (contact-input.ts:
 * limits, address syntax, phone characters) and renames its fields the way the customer API spells
 * them ('emails.0' → 'email', 'phones.1.number' → 'mobile'), and the CSV columns of batch import.
 */
import { MailError } from '../core/errors.ts';
import type { CustomerCategoryId } from '../core/ids.ts';
import type { CustomerFields } from '../store/store.ts';
import { checkContact } from './contact-input.ts';

export interface CustomerInput {
  name?: string;
  email?: string;
  company?: string;
  phone?: string;
  mobile?: string;
  address?: string;
  notes?: string;
  categoryId?: number | null;
}

export const CUSTOMER_FIELDS = ['name', 'email', 'company', 'phone', 'mobile', 'address', 'notes'] as const;
/** The CSV columns (the sample's order) with the Chinese labels accepted in a header row. */
export const CUSTOMER_CSV_COLUMNS = [
  { key: 'name', label: '姓名' }, { key: 'email', label: '邮箱' }, { key: 'company', label: '公司' }, { key: 'phone', label: '电话' },
  { key: 'mobile', label: '手机' }, { key: 'address', label: '地址' }, { key: 'notes', label: '备注' }, { key: 'category', label: '分类' },
] as const;
export const CUSTOMER_CSV_SAMPLE = '\ufeff' + [
  CUSTOMER_CSV_COLUMNS.map((c) => c.key).join(','),
  '王经理,wang@client.example.com,华南贸易有限公司,020-12345678,13800000001,广州市天河区,重要客户,华南客户',
  'Alice Chen,alice@partner.example.net,Partner Ltd,,13900000002,,,',
].join('\r\n') + '\r\n';

const RENAME: Record<string, string> = { emails: 'email', 'emails.0': 'email', 'phones.0.number': 'phone', 'phones.1.number': 'mobile' };

/** Checks a whole entry (add, import). Throws INVALID_INPUT naming the field. */
export function checkCustomer(input: CustomerInput): Omit<CustomerFields, 'categoryId'> {
  try {
    const c = checkContact({
      name: input.name, emails: [input.email ?? ''], company: input.company, address: input.address, notes: input.notes,
      phones: [{ kind: 'work', number: input.phone ?? '' }, { kind: 'mobile', number: input.mobile ?? '' }],
    });
    return {
      name: c.name, email: c.emails[0]!, company: c.company, address: c.address, notes: c.notes,
      phone: c.phones.find((p) => p.kind === 'work')?.number ?? '', mobile: c.phones.find((p) => p.kind === 'mobile')?.number ?? '',
    };
  } catch (err) {
    if (err instanceof MailError && typeof err.details?.field === 'string') {
      const field = RENAME[err.details.field] ?? err.details.field;
      throw new MailError('INVALID_INPUT', `${field}: ${err.message.replace(/^[^:]*: /, '')}`, { details: { field } });
    }
    throw err;
  }
}

/** The category id as the store wants it (the caller checks it is the domain's). */
export const categoryOf = (v: number | null | undefined): CustomerCategoryId | null | undefined => (v === undefined ? undefined : v as CustomerCategoryId | null);
