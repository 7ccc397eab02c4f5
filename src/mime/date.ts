/** RFC 5322 §3.3 date-time, always in UTC (`Sat, 28 Nov 2026 03:19:32 +0000`). */
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export function rfc5322Date(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/**
 * The calendar day a Date header names, as written (`YYYY-MM-DD`), ignoring its time and zone: what
 * IMAP's SENTBEFORE/SENTON/SENTSINCE compare (RFC 3501 §6.4.4). Two-digit years follow RFC 5322
 * §4.3 (00–49 → 20xx, 50–99 → 19xx). Undefined when no day-month-year can be read.
 */
export function writtenDay(dateHeader: string): string | undefined {
  const m = /(?:^|[\s,])(\d{1,2})\s+([A-Za-z]{3})[a-z]*\.?\s+(\d{2,4})(?!\d)/.exec(dateHeader);
  if (!m) return undefined;
  const month = MONTHS.findIndex((x) => x.toLowerCase() === m[2]!.toLowerCase());
  const day = Number(m[1]);
  let year = Number(m[3]);
  if (m[3]!.length === 2) year += year < 50 ? 2000 : 1900;
  else if (m[3]!.length === 3) year += 1900;
  if (month < 0 || day < 1 || day > 31) return undefined;
  return `${String(year).padStart(4, '0')}-${String(month + 1).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
