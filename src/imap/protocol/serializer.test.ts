/**
 * Response building: string forms, values, status lines, response codes, compact sequence sets.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ParseError } from './parse-error.ts';
import {
  atom, continuation, fetchResponse, formatAString, formatMailboxName, formatNString, formatParseError, formatResponseCode,
  formatSequenceSet, formatString, formatValue, Literal, MAX_QUOTED_BYTES, taggedStatus, untaggedData, untaggedStatus,
  type ImapValue, type ResponseCode,
} from './serializer.ts';

const s = (b: Buffer): string => b.toString('utf8');

describe('strings: quoted when safe, literal otherwise (RFC 3501 §4.3, §9)', () => {
  const table: Array<[value: string | Buffer, wire: string, utf8?: boolean]> = [
    ['', '""'],
    ['fat man', '"fat man"'],
    ['say "hi" \\o/', '"say \\"hi\\" \\\\o/"'],
    ['two\r\nlines', '{10}\r\ntwo\r\nlines'],
    ['tab\there', '"tab\there"'],
    ['客户', '{6}\r\n客户'], // 8-bit without UTF8=ACCEPT
    ['客户', '"客户"', true], // RFC 6855 §3
    [Buffer.from([0xff, 0x41]), '{2}\r\n\xff\x41', true], // not UTF-8: literal even under UTF8=ACCEPT
    [Buffer.from('a\0b'), '{3}\r\na\0b'],
    ['x'.repeat(MAX_QUOTED_BYTES), `"${'x'.repeat(MAX_QUOTED_BYTES)}"`],
    ['x'.repeat(MAX_QUOTED_BYTES + 1), `{${MAX_QUOTED_BYTES + 1}}\r\n${'x'.repeat(MAX_QUOTED_BYTES + 1)}`],
  ];
  for (const [value, wire, utf8] of table) {
    it(`${JSON.stringify(value.toString()).slice(0, 30)}${utf8 ? ' (UTF8=ACCEPT)' : ''}`, () => {
      assert.equal(formatString(value, { utf8: utf8 ?? false }).toString('latin1'), Buffer.from(wire, typeof value !== 'string' ? 'latin1' : 'utf8').toString('latin1'));
    });
  }

  it('nstring, astring and mailbox names', () => {
    assert.equal(s(formatNString(null)), 'NIL');
    assert.equal(s(formatNString('NIL')), '"NIL"');
    assert.equal(s(formatAString('INBOX')), 'INBOX');
    assert.equal(s(formatAString('a]b')), 'a]b');
    assert.equal(s(formatAString('nil')), '"nil"');
    assert.equal(s(formatAString('has space')), '"has space"');
    assert.equal(s(formatAString('*')), '"*"');
    assert.equal(s(formatAString('')), '""');
    assert.equal(s(formatMailboxName('客户/重要')), '&W6JiNw-/&kc2JgQ-');
    assert.equal(s(formatMailboxName('~peter/mail/台北/日本語')), '~peter/mail/&U,BTFw-/&ZeVnLIqe-');
    assert.equal(s(formatMailboxName('Tom & Jerry')), '"Tom &- Jerry"');
    assert.equal(s(formatMailboxName('客户/重要', { utf8: true })), '"客户/重要"');
  });
});

describe('values and lines (RFC 3501 §7)', () => {
  const values: Array<[value: ImapValue, wire: string]> = [
    [null, 'NIL'],
    [42, '42'],
    [20050715194045000n, '20050715194045000'],
    [[], '()'],
    [[atom('\\Seen'), atom('$Forwarded')], '(\\Seen $Forwarded)'],
    [['text', 'plain', [atom('CHARSET'), 'US-ASCII'], null, null, '7BIT', 3028, 92], '("text" "plain" (CHARSET "US-ASCII") NIL NIL "7BIT" 3028 92)'], // §7.4.2 BODY
    [new Literal(Buffer.from('ab')), '{2}\r\nab'],
    [new Literal(Buffer.from('a\0'), true), '~{2}\r\na\0'], // RFC 3516 literal8
  ];
  for (const [value, wire] of values) it(wire.slice(0, 40), () => assert.equal(s(formatValue(value)), wire));

  it('status lines with response codes', () => {
    assert.equal(s(taggedStatus('A142', 'OK', 'SELECT completed', 'READ-WRITE')), 'A142 OK [READ-WRITE] SELECT completed\r\n'); // §6.3.1
    assert.equal(s(untaggedStatus('OK', 'Predicted next UID', { code: 'UIDNEXT', value: 4392 })), '* OK [UIDNEXT 4392] Predicted next UID\r\n');
    assert.equal(s(untaggedStatus('BYE', 'IMAP4rev1 Server logging out')), '* BYE IMAP4rev1 Server logging out\r\n'); // §7.1.5
    assert.equal(s(taggedStatus('a', 'NO', 'bad\r\ninjection')), 'a NO bad injection\r\n');
    assert.equal(s(taggedStatus('a', 'OK', '')), 'a OK Done\r\n');
    assert.equal(s(continuation()), '+ Ready for literal data\r\n');
    assert.equal(s(continuation('')), '+ \r\n');
  });

  it('untagged data and FETCH responses', () => {
    assert.equal(s(untaggedData([172, atom('EXISTS')])), '* 172 EXISTS\r\n'); // §7.3.1
    assert.equal(s(untaggedData([atom('FLAGS'), [atom('\\Answered'), atom('\\Flagged'), atom('\\Deleted'), atom('\\Seen'), atom('\\Draft')]])), '* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n');
    assert.equal(
      s(fetchResponse(12, [['FLAGS', [atom('\\Seen')]], ['INTERNALDATE', atom('"17-Jul-1996 02:44:25 -0700"')], ['RFC822.SIZE', 4286], ['BODY[]', new Literal(Buffer.from('hi'))]])),
      '* 12 FETCH (FLAGS (\\Seen) INTERNALDATE "17-Jul-1996 02:44:25 -0700" RFC822.SIZE 4286 BODY[] {2}\r\nhi)\r\n',
    );
  });
});

describe('response codes (RFC 3501 §7.1, RFC 4315, RFC 7162, RFC 5530)', () => {
  const table: Array<[code: ResponseCode, text: string]> = [
    ['ALERT', 'ALERT'],
    ['CLOSED', 'CLOSED'], // RFC 7162 §3.2.11
    ['TOOBIG', 'TOOBIG'],
    [{ code: 'UIDVALIDITY', value: 3857529045 }, 'UIDVALIDITY 3857529045'],
    [{ code: 'UNSEEN', value: 12 }, 'UNSEEN 12'],
    [{ code: 'HIGHESTMODSEQ', value: 715194045007n }, 'HIGHESTMODSEQ 715194045007'],
    [{ code: 'PERMANENTFLAGS', flags: ['\\Deleted', '\\Seen', '\\*'] }, 'PERMANENTFLAGS (\\Deleted \\Seen \\*)'],
    [{ code: 'PERMANENTFLAGS', flags: [] }, 'PERMANENTFLAGS ()'],
    [{ code: 'CAPABILITY', capabilities: ['IMAP4rev1', 'LITERAL+'] }, 'CAPABILITY IMAP4rev1 LITERAL+'],
    [{ code: 'BADCHARSET', charsets: ['UTF-8', 'US-ASCII'] }, 'BADCHARSET (UTF-8 US-ASCII)'],
    [{ code: 'BADCHARSET' }, 'BADCHARSET'],
    [{ code: 'APPENDUID', uidvalidity: 38505, uids: 3955 }, 'APPENDUID 38505 3955'], // RFC 4315 §3
    [{ code: 'APPENDUID', uidvalidity: 38505, uids: [3955, 3956, 3957] }, 'APPENDUID 38505 3955:3957'],
    [{ code: 'COPYUID', uidvalidity: 38505, source: [304, 319, 320], destination: [3956, 3957, 3958] }, 'COPYUID 38505 304,319:320 3956:3958'], // RFC 4315 §3
    [{ code: 'MODIFIED', uids: [7, 9] }, 'MODIFIED 7,9'], // RFC 7162 §3.1.3
  ];
  for (const [code, text] of table) it(text, () => assert.equal(formatResponseCode(code), text));
});

describe('compact sequence sets', () => {
  const table: Array<[numbers: number[], text: string, preserveOrder?: boolean]> = [
    [[1, 2, 3, 5], '1:3,5'],
    [[], ''],
    [[7], '7'],
    [[5, 3, 4, 4, 1], '1,3:5'],
    [[1, 3, 5], '1,3,5'],
    [[4294967294, 4294967295], '4294967294:4294967295'],
    [[304, 319, 320, 10], '304,319:320,10', true], // COPYUID pairs keep their order
  ];
  for (const [numbers, text, preserveOrder] of table) it(`[${numbers.join(',')}] → ${text}`, () => assert.equal(formatSequenceSet(numbers, preserveOrder), text));
});

describe('replies to ParseError', () => {
  it('tagged, untagged and fatal', () => {
    assert.equal(s(formatParseError(new ParseError('Unknown command FOO', { tag: 'a1' }))), 'a1 BAD Unknown command FOO\r\n');
    assert.equal(s(formatParseError(new ParseError('Line too long'))), '* BAD Line too long\r\n');
    assert.equal(s(formatParseError(new ParseError('Literal too big', { tag: 'a9', status: 'NO', code: 'TOOBIG' }))), 'a9 NO [TOOBIG] Literal too big\r\n');
    assert.equal(s(formatParseError(new ParseError('Unreadable literal size', { tag: 'f1', fatal: true }))), '* BYE Unreadable literal size\r\n');
  });
});
