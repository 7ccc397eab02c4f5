/**
 * SEARCH dates and APPEND / INTERNALDATE date-times (RFC 3501 §9), parsing and formatting.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Cursor } from './cursor.ts';
import { formatDateTime, parseDate, parseDateTime } from './date-time.ts';
import { ParseError } from './parse-error.ts';
import { frameCommand } from './tokenizer.ts';

const cursor = (text: string): Cursor => new Cursor(frameCommand(text));

describe('date (RFC 3501 §9, SEARCH)', () => {
  const table: Array<[wire: string, day: string]> = [
    ['1-Feb-1994', '1994-02-01'], // §6.4.4 example
    ['01-feb-1994', '1994-02-01'],
    ['"17-JUL-1996"', '1996-07-17'],
    ['29-Feb-2000', '2000-02-29'],
    ['31-Dec-0099', '0099-12-31'], // no two-digit-year surprise
  ];
  for (const [wire, day] of table) it(wire, () => assert.equal(parseDate(cursor(wire)), day));
  for (const wire of ['29-Feb-1900', '0-Jan-2000', '1-Jan-99', '1-Janu-2000', '111-Jan-2000', '1 Jan 2000', '"1-Jan-2000']) {
    it(`rejects ${wire}`, () => assert.throws(() => parseDate(cursor(wire)), ParseError));
  }
});

describe('date-time (RFC 3501 §9, APPEND / INTERNALDATE)', () => {
  const table: Array<[wire: string, iso: string]> = [
    ['"17-Jul-1996 02:44:25 -0700"', '1996-07-17T09:44:25.000Z'], // §7.4.2 example
    ['" 7-Feb-1994 21:52:25 -0800"', '1994-02-08T05:52:25.000Z'], // §6.3.11 example (date-day-fixed)
    ['"07-Feb-1994 21:52:25 +0800"', '1994-02-07T13:52:25.000Z'],
    ['"01-Jan-2024 00:00:00 +0000"', '2024-01-01T00:00:00.000Z'],
    ['"31-Dec-2023 23:59:60 +0000"', '2023-12-31T23:59:59.000Z'], // a leap second is clamped
  ];
  for (const [wire, iso] of table) it(wire, () => assert.equal(parseDateTime(cursor(wire)).toISOString(), iso));
  for (const wire of ['17-Jul-1996 02:44:25 -0700', '"17-Jul-1996 24:00:00 -0700"', '"17-Jul-1996 02:44 -0700"', '"17-Jul-1996 02:44:25 0700"', '"17-Jul-1996 02:44:25 -0760"', '"17-Jul-1996 02:44:25 -0700']) {
    it(`rejects ${wire}`, () => assert.throws(() => parseDateTime(cursor(wire)), ParseError));
  }

  it('formats INTERNALDATE and reads it back', () => {
    const d = new Date('1996-07-17T09:44:25Z');
    assert.equal(formatDateTime(d, -420), '"17-Jul-1996 02:44:25 -0700"');
    assert.equal(formatDateTime(d), '"17-Jul-1996 09:44:25 +0000"');
    assert.equal(formatDateTime(new Date('2024-02-01T16:00:00Z'), 480), '"02-Feb-2024 00:00:00 +0800"');
    assert.equal(parseDateTime(cursor(formatDateTime(d, 330))).getTime(), d.getTime());
  });
});
