// The internal date a POP3 message gets: when the old server received it (the newest Received:
// header, folded or not), else its Date:, else nothing.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { arrivalDate } from './pop3-import.ts';

describe('POP3 arrival date', () => {
  it('prefers the newest Received: date, then Date:', () => {
    const raw = 'Received: from a.test by b.test;\r\n\tTue, 3 Mar 2020 10:00:00 +0800 (CST)\r\nReceived: from c by d; Mon, 2 Mar 2020 09:00:00 +0000\r\n' +
      'Date: Sun, 1 Mar 2020 08:00:00 +0000\r\nSubject: x\r\n\r\nReceived: not a header; Fri, 1 Jan 1999 00:00:00 +0000\r\n';
    assert.equal(arrivalDate(Buffer.from(raw)), Date.UTC(2020, 2, 3, 2, 0, 0));
    assert.equal(arrivalDate(Buffer.from('Date: Sun, 1 Mar 2020 08:00:00 +0000\r\n\r\nbody')), Date.UTC(2020, 2, 1, 8));
    assert.equal(arrivalDate(Buffer.from('Received: garbage; not a date\r\nSubject: x\r\n\r\n')), undefined);
    assert.equal(arrivalDate(Buffer.from('Subject: none\r\n\r\n')), undefined);
  });
});
