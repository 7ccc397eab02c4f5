/**
 * Users as CSV for the domain console (manual part 3 §1.4.1 "导出用户", §1.4.4 "批量添加用户"):
 * the sample file an admin fills in with Excel, parsing what they paste or upload into one row per
 * line with field errors named by line and column, and the export. RFC 4180 quoting; a UTF-8 BOM
 * (Excel's) is ignored on input and written on output so Excel reads Chinese names right. The
 * header row may use the English keys or the Chinese labels; without one the columns are taken
 * in the sample's order. Reading and writing CSV itself is core/csv.ts (formula-safe cells on
 * export, the ' taken off again on import). Pure: no store, no rules beyond the shape of each field.
 */
import { CsvSyntaxError, formatCsv, parseCsv, unformulaField } from '../core/csv.ts';

/** The columns, in the sample's order, with the Chinese labels accepted in a header row. */
export const CSV_COLUMNS = [
  { key: 'name', label: '用户名' },
  { key: 'password', label: '密码' },
  { key: 'realName', label: '姓名' },
  { key: 'quotaMb', label: '邮箱容量(MB)' },
  { key: 'department', label: '部门' },
  { key: 'sendScope', label: '发信范围' },
  { key: 'receiveScope', label: '收信范围' },
  { key: 'hidden', label: '隐藏' },
  { key: 'loginName', label: '自定义字段' },
] as const;
export type CsvKey = (typeof CSV_COLUMNS)[number]['key'];

/** One good line: fields checked for shape; the service checks the rest (policy, limits, department). */
export interface CsvUser {
  line: number;
  name: string;
  password: string;
  realName: string;
  quotaMb?: number;
  /** Department path, '/'-separated ("销售部/华北"); '' for none. */
  department: string;
  sendScope?: 'any' | 'internal';
  receiveScope?: 'any' | 'internal';
  hidden?: boolean;
  /** The custom login field's value (自定义用户字段); '' for none. */
  loginName: string;
}
export interface CsvLineError {
  line: number;
  field: string;
  /** What is wrong, for translation: a CSV_REASONS entry, or the catalogue code of a service error (PASSWORD_WEAK …). */
  reason: string;
  /** The same in English, with the details. */
  message: string;
}

/** Why a line's shape is wrong. */
export const CSV_REASONS = ['UNKNOWN_COLUMN', 'TOO_MANY_LINES', 'TOO_MANY_COLUMNS', 'BAD_NAME', 'DUPLICATE_NAME', 'NO_PASSWORD', 'BAD_QUOTA', 'BAD_SCOPE', 'BAD_YES_NO', 'BAD_QUOTE'] as const;
type CsvReason = (typeof CSV_REASONS)[number];

/** At most this many data lines in one batch (the route's body limit allows about this much). */
export const MAX_CSV_LINES = 20_000;
const LOCAL_PART = /^[a-z0-9](?:[a-z0-9._+-]{0,62}[a-z0-9])?$|^[a-z0-9]$/;

export const CSV_SAMPLE = '\uFEFF' + [
  CSV_COLUMNS.map((c) => c.key).join(','),
  'zhangsan,Zs2026!mail,张三,1024,销售部,any,any,no',
  'lisi,Ls2026!mail,李四,2048,销售部/华北,internal,any,no',
  'wangwu,Ww2026!mail,王五,,,,,yes',
].join('\r\n') + '\r\n';

const SCOPES = ['any', 'internal'] as const;
const YES = new Set(['yes', 'y', 'true', '1', '是']);
const NO = new Set(['no', 'n', 'false', '0', '否', '']);

/** Parses a batch: good rows and per-line errors (a bad line never stops the good ones). */
export function parseUsersCsv(text: string): { users: CsvUser[]; errors: CsvLineError[] } {
  const users: CsvUser[] = [];
  const errors: CsvLineError[] = [];
  let records: Array<{ line: number; cells: string[] }>;
  try {
    records = parseCsv(text).map((r) => ({ line: r.line, cells: r.fields }));
  } catch (err) {
    if (!(err instanceof CsvSyntaxError)) throw err;
    // A quote left open swallows the rest of the text; the lines before it are still read.
    errors.push({ line: err.line, field: 'csv', reason: 'BAD_QUOTE', message: err.message });
    const before = text.split(/\r\n|\r|\n/).slice(0, err.line - 1).join('\n');
    records = parseCsv(before).map((r) => ({ line: r.line, cells: r.fields }));
  }
  let order: CsvKey[] = CSV_COLUMNS.map((c) => c.key);
  const first = records[0];
  if (first && headerKey(first.cells[0] ?? '')) {
    records.shift();
    order = [];
    for (const [i, cell] of first.cells.entries()) {
      const key = headerKey(cell);
      if (!key) errors.push({ line: first.line, field: cell.trim() || `#${i + 1}`, reason: 'UNKNOWN_COLUMN', message: 'unknown column' });
      else order.push(key);
    }
    if (errors.some((e) => e.reason === 'UNKNOWN_COLUMN')) return { users, errors };
  }
  if (records.length > MAX_CSV_LINES) {
    return { users, errors: [{ line: records[MAX_CSV_LINES]!.line, field: 'name', reason: 'TOO_MANY_LINES', message: `at most ${MAX_CSV_LINES} users in one batch` }] };
  }
  const seen = new Map<string, number>();
  const seenLogin = new Map<string, number>();
  for (const r of records) {
    const get = (k: CsvKey): string => unformulaField((r.cells[order.indexOf(k)] ?? '').trim());
    const fail = (field: string, reason: CsvReason, message: string) => { errors.push({ line: r.line, field, reason, message }); };
    if (r.cells.length > order.length) { fail(`#${order.length + 1}`, 'TOO_MANY_COLUMNS', `more than ${order.length} columns`); continue; }
    const name = get('name').toLowerCase();
    if (!LOCAL_PART.test(name)) { fail('name', 'BAD_NAME', 'a user name is 1–64 letters, digits, ".", "_", "+" or "-"'); continue; }
    if (seen.has(name)) { fail('name', 'DUPLICATE_NAME', `${name} is also on line ${seen.get(name)}`); continue; }
    const password = r.cells[order.indexOf('password')] ?? '';
    if (password === '') { fail('password', 'NO_PASSWORD', 'a password is required'); continue; }
    const quota = get('quotaMb');
    if (quota !== '' && !/^\d{1,9}$/.test(quota)) { fail('quotaMb', 'BAD_QUOTA', 'the quota is a whole number of MB'); continue; }
    const send = get('sendScope').toLowerCase();
    const receive = get('receiveScope').toLowerCase();
    if (send !== '' && !SCOPES.includes(send as 'any')) { fail('sendScope', 'BAD_SCOPE', 'any or internal'); continue; }
    if (receive !== '' && !SCOPES.includes(receive as 'any')) { fail('receiveScope', 'BAD_SCOPE', 'any or internal'); continue; }
    const hidden = get('hidden').toLowerCase();
    if (!YES.has(hidden) && !NO.has(hidden)) { fail('hidden', 'BAD_YES_NO', 'yes or no'); continue; }
    const loginName = get('loginName');
    if (loginName !== '' && seenLogin.has(loginName)) { fail('loginName', 'DUPLICATE_NAME', `${loginName} is also on line ${seenLogin.get(loginName)}`); continue; }
    seen.set(name, r.line);
    if (loginName !== '') seenLogin.set(loginName, r.line);
    users.push({
      line: r.line, name, password, realName: get('realName'), department: get('department'), loginName,
      ...(quota !== '' ? { quotaMb: Number(quota) } : {}),
      ...(send !== '' ? { sendScope: send as 'any' } : {}),
      ...(receive !== '' ? { receiveScope: receive as 'any' } : {}),
      ...(hidden !== '' ? { hidden: YES.has(hidden) } : {}),
    });
  }
  return { users, errors };
}

function headerKey(cell: string): CsvKey | undefined {
  const c = cell.trim().replace(/^\uFEFF/, '');
  return CSV_COLUMNS.find((col) => col.key.toLowerCase() === c.toLowerCase() || col.label === c)?.key;
}

/** CSV text (with the BOM) of a header and rows; null is an empty cell. */
export function toCsv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | boolean | null>>): string {
  return formatCsv([header, ...rows.map((r) => r.map((v) => (v === null ? '' : String(v))))]);
}
