/**
 * FETCH attributes, sections, partials, macros and modifiers, and response item names.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FetchCommand } from './command.ts';
import { ParseError } from './parse-error.ts';
import { fetchItemName, type FetchAttribute } from './parse-fetch.ts';
import { parseCommand } from './parser.ts';

const attrs = (items: string, uid = false): FetchAttribute[] => (parseCommand(`a ${uid ? 'UID ' : ''}FETCH 1:* ${items}`) as FetchCommand).attributes;
const body = (section: Partial<{ part: number[]; text: string; fields: string[] }>, peek = false, partial?: { offset: number; length: number }): FetchAttribute =>
  ({ name: 'BODY[]', peek, section: { part: [], ...section }, ...(partial ? { partial } : {}) }) as FetchAttribute;

const ATTRIBUTES: Array<[items: string, expected: FetchAttribute[]]> = [
  ['ALL', [{ name: 'FLAGS' }, { name: 'INTERNALDATE' }, { name: 'RFC822.SIZE' }, { name: 'ENVELOPE' }]], // RFC 3501 §6.4.5 macros
  ['fast', [{ name: 'FLAGS' }, { name: 'INTERNALDATE' }, { name: 'RFC822.SIZE' }]],
  ['FULL', [{ name: 'FLAGS' }, { name: 'INTERNALDATE' }, { name: 'RFC822.SIZE' }, { name: 'ENVELOPE' }, { name: 'BODY' }]],
  ['(ENVELOPE FLAGS INTERNALDATE UID MODSEQ)', [{ name: 'ENVELOPE' }, { name: 'FLAGS' }, { name: 'INTERNALDATE' }, { name: 'UID' }, { name: 'MODSEQ' }]],
  ['(RFC822 RFC822.HEADER RFC822.SIZE RFC822.TEXT)', [{ name: 'RFC822' }, { name: 'RFC822.HEADER' }, { name: 'RFC822.SIZE' }, { name: 'RFC822.TEXT' }]],
  ['(BODY BODYSTRUCTURE)', [{ name: 'BODY' }, { name: 'BODYSTRUCTURE' }]],
  ['BODY[]', [body({})]],
  ['BODY.PEEK[]<0.2048>', [body({}, true, { offset: 0, length: 2048 })]],
  ['BODY[HEADER]', [body({ text: 'HEADER' })]],
  ['BODY[TEXT]', [body({ text: 'TEXT' })]],
  ['BODY[1]', [body({ part: [1] })]],
  ['BODY[4.2.2.1]', [body({ part: [4, 2, 2, 1] })]], // RFC 3501 §6.4.5 part-numbering example
  ['BODY[3.HEADER]', [body({ part: [3], text: 'HEADER' })]],
  ['BODY[4.1.MIME]', [body({ part: [4, 1], text: 'MIME' })]],
  ['BODY[4.2.TEXT]', [body({ part: [4, 2], text: 'TEXT' })]],
  ['(FLAGS BODY[HEADER.FIELDS (DATE FROM)])', [{ name: 'FLAGS' }, body({ text: 'HEADER.FIELDS', fields: ['DATE', 'FROM'] })]], // RFC 3501 §6.4.5
  ['BODY.PEEK[HEADER.FIELDS.NOT (Received "X-Spam-Status")]', [body({ text: 'HEADER.FIELDS.NOT', fields: ['Received', 'X-Spam-Status'] }, true)]],
  ['body.peek[1.2.header.fields (subject)]<100.50>', [body({ part: [1, 2], text: 'HEADER.FIELDS', fields: ['subject'] }, true, { offset: 100, length: 50 })]],
  ['BINARY[]', [{ name: 'BINARY', peek: false, part: [] }]], // RFC 3516 §4.1
  ['BINARY.PEEK[1.3]<0.1024>', [{ name: 'BINARY', peek: true, part: [1, 3], partial: { offset: 0, length: 1024 } }]],
  ['BINARY.SIZE[2]', [{ name: 'BINARY.SIZE', part: [2] }]],
];

const BAD: Array<[items: string, message: RegExp]> = [
  ['', /fetch attribute/],
  ['()', /fetch attribute/],
  ['(FLAGS', /"\)" to close/],
  ['BOGUS', /Unknown fetch attribute/],
  ['FLAGSX', /Unknown fetch attribute/],
  ['BODY.PEEK', /needs a section/],
  ['BINARY', /needs a section/],
  ['BODY[0]', /part number/],
  ['BODY[1.]', /Unknown section/],
  ['BODY[MIME]', /MIME needs a part/],
  ['BODY[HEADER.FIELDS ()]', /header field name/],
  ['BODY[HEADER.FIELDS (Bad:Name)]', /header field name/],
  ['BODY[HEADER.FIELDS]', /Expected a space/],
  ['BODY[HEADER', /"\]" to close/],
  ['BODY[]<0>', /"\." in partial/],
  ['BODY[]<0.0>', /partial length/],
  ['BINARY.SIZE[1]<0.10>', /after the arguments/],
  ['BINARY[TEXT]', /part number/],
  ['FLAGS (BOGUS 1)', /Unknown fetch modifier/],
  [`BODY[${Array.from({ length: 70 }, () => '1').join('.')}]`, /nested too deeply/],
];

describe('FETCH attributes (RFC 3501 §6.4.5, RFC 3516, RFC 7162)', () => {
  for (const [items, expected] of ATTRIBUTES) {
    it(items, () => assert.deepEqual(attrs(items), expected));
  }
  for (const [items, message] of BAD) {
    it(`rejects ${JSON.stringify(items.slice(0, 40))}`, () => {
      assert.throws(() => parseCommand(`a FETCH 1 ${items}`), (e: unknown) => e instanceof ParseError && e.tag === 'a' && message.test(e.message));
    });
  }

  it('reads the CONDSTORE / QRESYNC modifiers', () => {
    const cmd = parseCommand('s100 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345)') as FetchCommand; // RFC 7162 §3.1.4.1
    assert.equal(cmd.changedSince, 12345n);
    assert.equal(cmd.vanished, false);
    assert.equal((parseCommand('a UID FETCH 1:* FLAGS (VANISHED CHANGEDSINCE 1)') as FetchCommand).vanished, true);
  });
});

describe('response item names', () => {
  const table: Array<[items: string, names: string[]]> = [
    ['BODY.PEEK[]<0.2048>', ['BODY[]<0>']], // RFC 3501 §7.4.2: only the origin octet
    ['BODY[HEADER.FIELDS (DATE FROM)]', ['BODY[HEADER.FIELDS (DATE FROM)]']],
    ['BODY.PEEK[1.2.MIME]', ['BODY[1.2.MIME]']],
    ['BODY[HEADER.FIELDS.NOT ("X(1)")]', ['BODY[HEADER.FIELDS.NOT ("X(1)")]']],
    ['(BINARY.PEEK[1]<5.10> BINARY.SIZE[1] RFC822.SIZE)', ['BINARY[1]<5>', 'BINARY.SIZE[1]', 'RFC822.SIZE']],
  ];
  for (const [items, names] of table) {
    it(items, () => assert.deepEqual(attrs(items).map(fetchItemName), names));
  }
});
