/**
 * CSV as RFC 4180 writes it, read the way spreadsheets produce it: fields separated by commas,
 * quoted with "" when they hold a comma, quote or line break ("" inside quotes is one quote),
 * records ended by CRLF or LF. Each record carries the line it starts on, so an import can name
 * the line a person sees in their editor. A UTF-8 BOM (Excel writes one) is dropped on reading
 * and written on export so Excel opens Chinese text as UTF-8. The one CSV reader and writer:
 * contacts (contacts/contact-csv.ts, customers.ts) and users, lists and domains
 * (directory/user-csv.ts) say what the columns mean. Hand-written: ~60 lines, where a library would
 * add a dependency for as much.
 */

export interface CsvRecord {
  /** 1-based line of the file the record starts on. */
  line: number;
  fields: string[];
}

export class CsvSyntaxError extends Error {
  constructor(readonly line: number, message: string) {
    super(message);
  }
}

/** Splits text into records. Blank lines (and lines of spaces) are skipped. Throws CsvSyntaxError for a quote left open. */
export function parseCsv(text: string): CsvRecord[] {
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let start = 1;
  let quoted = false;
  let wasQuoted = false;
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0]!.trim() === '' && !wasQuoted)) records.push({ line: start, fields });
    fields = [];
    field = '';
    wasQuoted = false;
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quoted) {
      if (c === '"') {
        if (s[i + 1] === '"') { field += '"'; i++; } else quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field === '') {
      quoted = true;
      wasQuoted = true;
    } else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && s[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else {
      field += c; // a quote inside an unquoted field is kept as text, as spreadsheets do
    }
  }
  if (quoted) throw new CsvSyntaxError(start, `a quoted field starting on line ${start} is never closed`);
  if (field !== '' || fields.length > 0 || wasQuoted) endRecord();
  return records;
}

/**
 * A field that a spreadsheet would run as a formula (=, @, tab, or + and - not before a digit, so
 * phone numbers like +86 stay as they are) is written with a ' in front (OWASP "CSV injection");
 * unformulaField takes it off again on import.
 */
const FORMULA = /^(?:[=@\t\r]|[+-](?![\d\s(]))/;

export const unformulaField = (value: string): string => (value.startsWith("'") && FORMULA.test(value.slice(1)) ? value.slice(1) : value);

/** One field, quoted when it must be, formula-safe. */
export function csvField(value: string): string {
  const safe = FORMULA.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Records as CSV text with CRLF line ends and a BOM. */
export function formatCsv(rows: ReadonlyArray<readonly string[]>): string {
  return '\ufeff' + rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}
