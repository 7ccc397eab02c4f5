/**
 * IMAP dates (RFC 3501 §9): `date` for SEARCH BEFORE/ON/SINCE ("1-Feb-1994", optionally quoted), read as
 * a calendar day "YYYY-MM-DD" with no time zone (the search compares days, §6.4.4); `date-time` for
 * APPEND and INTERNALDATE ("17-Jul-1996 02:44:25 -0700"), read as an instant (a Date). Month names are
 * case-insensitive; impossible days (30-Feb) are refused. formatDateTime writes the INTERNALDATE form.
 */
import { DIGIT, type Cursor } from './cursor.ts';

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DQUOTE = 0x22;

const ALPHA = new Uint8Array(256).map((_, i) => ((i >= 0x41 && i <= 0x5a) || (i >= 0x61 && i <= 0x7a) ? 1 : 0));
const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** Date.UTC without its two-digit-year quirk (years 0-99 would become 1900-1999). */
function utc(year: number, monthIndex: number, day: number, h = 0, m = 0, s = 0): number {
  const d = new Date(0);
  d.setUTCFullYear(year, monthIndex, day);
  d.setUTCHours(h, m, s, 0);
  return d.getTime();
}

function daysIn(year: number, month: number): number {
  return new Date(utc(year, month, 0)).getUTCDate();
}

function digits(c: Cursor, min: number, max: number, what: string): number {
  const s = c.readRun(DIGIT);
  if (s.length < min || s.length > max) c.fail(`Invalid ${what} at ${c.near()}`);
  return Number(s);
}

/** date-day "-" date-month "-" date-year → [year, month 1-12, day]. */
function dateText(c: Cursor): [number, number, number] {
  const day = digits(c, 1, 2, 'day');
  c.expect(0x2d, '"-" in date');
  const name = c.readRun(ALPHA).toUpperCase();
  const month = MONTHS.indexOf(name) + 1;
  if (month === 0) c.fail(`Invalid month "${name.slice(0, 12)}"`);
  c.expect(0x2d, '"-" in date');
  const year = digits(c, 4, 4, 'year');
  if (day < 1 || day > daysIn(year, month)) c.fail('Invalid day of month');
  return [year, month, day];
}

/** date = date-text / DQUOTE date-text DQUOTE → "YYYY-MM-DD". */
export function parseDate(c: Cursor): string {
  const quoted = c.accept(DQUOTE);
  const [year, month, day] = dateText(c);
  if (quoted) c.expect(DQUOTE, 'closing quote of date');
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
}

/** date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE → Date. */
export function parseDateTime(c: Cursor): Date {
  c.expect(DQUOTE, 'a quoted date-time');
  c.accept(0x20); // date-day-fixed = (SP DIGIT) / 2DIGIT
  const [year, month, day] = dateText(c);
  c.sp();
  const hh = digits(c, 2, 2, 'hour');
  c.expect(0x3a, '":" in time');
  const mm = digits(c, 2, 2, 'minute');
  c.expect(0x3a, '":" in time');
  const ss = digits(c, 2, 2, 'second');
  if (hh > 23 || mm > 59 || ss > 60) c.fail('Invalid time of day');
  c.sp();
  const sign = c.accept(0x2b) ? 1 : c.accept(0x2d) ? -1 : c.fail('Expected a zone (+hhmm / -hhmm)');
  const zone = digits(c, 4, 4, 'zone');
  const zoneMinutes = Math.floor(zone / 100) * 60 + (zone % 100);
  if (zone % 100 > 59) c.fail('Invalid zone');
  c.expect(DQUOTE, 'closing quote of date-time');
  return new Date(utc(year, month - 1, day, hh, mm, Math.min(ss, 59)) - sign * zoneMinutes * 60_000);
}

/** INTERNALDATE form: "17-Jul-1996 02:44:25 -0700" (quotes included), in the given zone offset. */
export function formatDateTime(date: Date, offsetMinutes = 0): string {
  const local = new Date(date.getTime() + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return (
    `"${pad(local.getUTCDate())}-${MONTH_NAMES[local.getUTCMonth()]}-${pad(local.getUTCFullYear(), 4)} ` +
    `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())} ${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}"`
  );
}
