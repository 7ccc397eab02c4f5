// IMAP URLs as CATENATE takes them (RFC 5092 §6–7, RFC 4469 §5), as a table.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseImapUrl } from './imap-url.ts';

const CASES: Array<[string, ReturnType<typeof parseImapUrl>]> = [
  ['/Drafts;UIDVALIDITY=385759045/;UID=20/;section=HEADER', { mailbox: 'Drafts', uidvalidity: 385759045, uid: 20, section: 'HEADER' }], // RFC 4469 §5 example
  ['/INBOX/;UID=3', { mailbox: 'INBOX', uid: 3, section: '' }],
  ['/Work/Reports;UIDVALIDITY=7/;UID=3/;SECTION=1.2.MIME', { mailbox: 'Work/Reports', uidvalidity: 7, uid: 3, section: '1.2.MIME' }],
  ['/%E6%8A%A5%E5%91%8A/;UID=1/;SECTION=HEADER.FIELDS%20(From%20To)', { mailbox: '报告', uid: 1, section: 'HEADER.FIELDS (From To)' }],
  ['imap://alice%40example.cn;AUTH=*@mail.example.cn/INBOX/;UID=9/;PARTIAL=0.1024', { user: 'alice@example.cn', mailbox: 'INBOX', uid: 9, section: '', partial: { origin: 0, octets: 1024 } }],
  [';UID=20/;SECTION=1', { uid: 20, section: '1' }], // relative to the selected mailbox
  ['/INBOX/;UID=0', undefined],
  ['/INBOX/;UID=1;URLAUTH=anonymous', undefined], // URLAUTH (RFC 4467) is not served
  ['/INBOX;UIDVALIDITY=x/;UID=1', undefined],
  ['/INBOX', undefined], // a mailbox, not a message
  ['http://example.cn/INBOX/;UID=1', undefined],
  ['/IN%ZZBOX/;UID=1', undefined],
];

describe('parseImapUrl (RFC 5092)', () => {
  for (const [url, want] of CASES) {
    it(url, () => assert.deepEqual(parseImapUrl(url), want));
  }
});
