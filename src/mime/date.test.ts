import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writtenDay } from './date.ts';

describe('writtenDay (the day a Date header names, RFC 3501 §6.4.4)', () => {
  const table: Array<[string, string | undefined]> = [
    ['Tue, 1 Dec 2026 23:30:00 -0800', '2026-12-01'], // 2 Dec in UTC: the written day counts
    ['Wed, 2 Dec 2026 00:30:00 +0800', '2026-12-02'], // 1 Dec in UTC
    ['2 Dec 2026 10:00 GMT', '2026-12-02'],
    ['Mon, 07 Jun 99 12:00:00 EST', '1999-06-07'],
    ['Thu, 3 Jan 05 01:00:00 +0000', '2005-01-03'],
    ['Sat, 28 November 2026 03:19:32 +0000', '2026-11-28'],
    ['not a date', undefined],
    ['', undefined],
  ];
  for (const [input, day] of table) it(JSON.stringify(input), () => assert.equal(writtenDay(input), day));
});
