/**
 * SEARCH keys: every RFC 3501 §6.4.4 key, the extensions, charsets and the nesting cap.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SearchCommand } from './command.ts';
import { ParseError } from './parse-error.ts';
import { MAX_SEARCH_DEPTH, type SearchKey } from './parse-search.ts';
import { parseCommand } from './parser.ts';
import { readSequenceSet, type SequenceSet } from './sequence-set.ts';

const set = (text: string): SequenceSet => readSequenceSet(text) as SequenceSet;
const criteria = (keys: string): SearchKey => (parseCommand(`a SEARCH ${keys}`) as SearchCommand).criteria;
const flag = (f: string, isSet: boolean): SearchKey => ({ type: 'flag', flag: f, set: isSet });

// Every RFC 3501 §6.4.4 key, then the extensions.
const KEYS: Array<[keys: string, expected: SearchKey]> = [
  ['ALL', { type: 'all' }],
  ['ANSWERED', flag('\\Answered', true)],
  ['UNANSWERED', flag('\\Answered', false)],
  ['DELETED', flag('\\Deleted', true)],
  ['UNDELETED', flag('\\Deleted', false)],
  ['DRAFT', flag('\\Draft', true)],
  ['UNDRAFT', flag('\\Draft', false)],
  ['FLAGGED', flag('\\Flagged', true)],
  ['UNFLAGGED', flag('\\Flagged', false)],
  ['SEEN', flag('\\Seen', true)],
  ['unseen', flag('\\Seen', false)],
  ['RECENT', flag('\\Recent', true)],
  ['OLD', flag('\\Recent', false)],
  ['NEW', { type: 'and', keys: [flag('\\Recent', true), flag('\\Seen', false)] }],
  ['KEYWORD $Forwarded', flag('$Forwarded', true)],
  ['UNKEYWORD $Junk', flag('$Junk', false)],
  ['BCC "boss@example.com"', { type: 'header', field: 'Bcc', value: 'boss@example.com' }],
  ['CC bob', { type: 'header', field: 'Cc', value: 'bob' }],
  ['FROM "Smith"', { type: 'header', field: 'From', value: 'Smith' }],
  ['TO alice', { type: 'header', field: 'To', value: 'alice' }],
  ['SUBJECT "会议 纪要"', { type: 'header', field: 'Subject', value: '会议 纪要' }],
  ['HEADER Message-ID "<a@b>"', { type: 'header', field: 'Message-ID', value: '<a@b>' }],
  ['HEADER X-Priority ""', { type: 'header', field: 'X-Priority', value: '' }],
  ['BODY {6}\r\n合同', { type: 'body', value: '合同' }],
  ['TEXT "string not in mailbox"', { type: 'text', value: 'string not in mailbox' }],
  ['BEFORE 1-Feb-1994', { type: 'internaldate', op: 'before', date: '1994-02-01' }],
  ['ON "29-Feb-2024"', { type: 'internaldate', op: 'on', date: '2024-02-29' }],
  ['SINCE 01-JAN-2000', { type: 'internaldate', op: 'since', date: '2000-01-01' }],
  ['SENTBEFORE 31-Dec-1999', { type: 'sentdate', op: 'before', date: '1999-12-31' }],
  ['SENTON 5-mar-2000', { type: 'sentdate', op: 'on', date: '2000-03-05' }],
  ['SENTSINCE 15-Jul-2021', { type: 'sentdate', op: 'since', date: '2021-07-15' }],
  ['LARGER 10240', { type: 'size', op: 'larger', size: 10240 }],
  ['SMALLER 5000000000', { type: 'size', op: 'smaller', size: 5000000000 }],
  ['UID 1:20,30', { type: 'uid', set: set('1:20,30') }],
  ['2:4', { type: 'seq', set: set('2:4') }],
  ['*', { type: 'seq', set: set('*') }],
  ['$', { type: 'seq', set: set('$') }], // RFC 5182
  ['UID $', { type: 'uid', set: set('$') }],
  ['NOT FROM "Smith"', { type: 'not', key: { type: 'header', field: 'From', value: 'Smith' } }],
  ['OR SEEN FLAGGED', { type: 'or', left: flag('\\Seen', true), right: flag('\\Flagged', true) }],
  ['OR (SEEN DRAFT) NOT DELETED', { type: 'or', left: { type: 'and', keys: [flag('\\Seen', true), flag('\\Draft', true)] }, right: { type: 'not', key: flag('\\Deleted', true) } }],
  ['(((SEEN)))', flag('\\Seen', true)],
  ['OR OR SEEN DRAFT DELETED', { type: 'or', left: { type: 'or', left: flag('\\Seen', true), right: flag('\\Draft', true) }, right: flag('\\Deleted', true) }],
  ['MODSEQ 620162338', { type: 'modseq', modseq: 620162338n }], // RFC 7162 §3.1.5
  ['MODSEQ "/flags/\\\\draft" all 620162338', { type: 'modseq', modseq: 620162338n, entry: { flag: '\\Draft', scope: 'all' } }], // RFC 7162 §3.1.5
  ['MODSEQ "/flags/$Junk" PRIV 0', { type: 'modseq', modseq: 0n, entry: { flag: '$Junk', scope: 'priv' } }],
  ['OLDER 3600', { type: 'age', op: 'older', seconds: 3600 }], // RFC 5032
  ['YOUNGER 60', { type: 'age', op: 'younger', seconds: 60 }],
  [
    'FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"', // RFC 3501 §6.4.4 example
    { type: 'and', keys: [flag('\\Flagged', true), { type: 'internaldate', op: 'since', date: '1994-02-01' }, { type: 'not', key: { type: 'header', field: 'From', value: 'Smith' } }] },
  ],
];

const BAD: Array<[keys: string, message: RegExp]> = [
  ['', /search key/],
  ['BOGUS', /Unknown search key/],
  ['FROM', /Expected a space/],
  ['OR SEEN', /Expected a space/],
  ['()', /search key/],
  ['(SEEN', /Expected a space/],
  ['SEEN)', /Expected a space/],
  ['SINCE 1-Foo-2000', /Invalid month/],
  ['SINCE 32-Jan-2000', /day of month/],
  ['SINCE 29-Feb-2023', /day of month/],
  ['SINCE 1-Jan-20', /year/],
  ['SINCE "1-Jan-2000', /closing quote/],
  ['LARGER x', /size/],
  ['UID 0', /sequence set/],
  ['KEYWORD )', /flag keyword/],
  ['HEADER "Bad:Name" x', /header field name/],
  ['MODSEQ "/flags/\\\\Bogus" all 1', /Unknown system flag/],
  ['MODSEQ "/other" all 1', /entry name/],
  ['MODSEQ "/flags/\\\\Seen" mine 1', /priv, shared or all/],
  ['MODSEQ 9223372036854775808', /out of range/],
  ['LARGER 99999999999999999999', /out of range/],
  ['OLDER 0', /interval/],
  ['CHARSET UTF-8', /Expected a space/],
  ['RETURN (BOGUS) ALL', /Unknown RETURN option/],
  ['SUBJECT {2}\r\n\xff\xfe', /not valid US-ASCII/],
];

describe('SEARCH keys (RFC 3501 §6.4.4, RFC 7162, RFC 5032, RFC 5182)', () => {
  for (const [keys, expected] of KEYS) {
    it(keys.split('\r\n')[0] as string, () => assert.deepEqual(criteria(keys), expected));
  }
  for (const [keys, message] of BAD) {
    it(`rejects ${JSON.stringify(keys)}`, () => {
      const input = Buffer.from(`a SEARCH ${keys}`, /[^\x00-\xff]/.test(keys) ? 'utf8' : 'latin1');
      assert.throws(() => parseCommand(input), (e: unknown) => e instanceof ParseError && e.tag === 'a' && message.test(e.message));
    });
  }

  it(`caps nesting at ${MAX_SEARCH_DEPTH} levels (stack safety)`, () => {
    const ok = `${'('.repeat(MAX_SEARCH_DEPTH - 1)}SEEN${')'.repeat(MAX_SEARCH_DEPTH - 1)}`;
    assert.deepEqual(criteria(ok), flag('\\Seen', true));
    for (const deep of [`${'('.repeat(5000)}SEEN${')'.repeat(5000)}`, `${'NOT '.repeat(20000)}SEEN`, `${'OR SEEN '.repeat(20000)}SEEN`]) {
      assert.throws(() => parseCommand(`a SEARCH ${deep}`), (e: unknown) => e instanceof ParseError && /nested too deeply/.test(e.message));
    }
  });

  it('RETURN and CHARSET come before the keys (RFC 4731 §3.1)', () => {
    const cmd = parseCommand('A282 SEARCH RETURN (MIN COUNT) CHARSET us-ascii FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"') as SearchCommand;
    assert.deepEqual(cmd.returnOptions, ['MIN', 'COUNT']);
    assert.equal(cmd.charset, 'US-ASCII');
    assert.equal(cmd.criteria.type, 'and');
  });
});
