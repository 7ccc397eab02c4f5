/**
 * Flag syntax and canonical case (RFC 3501 §2.3.2, §9).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Cursor } from './cursor.ts';
import { parseFlag, parseFlagList, parseFlagSequence, parseSearchKeyword } from './flags.ts';
import { ParseError } from './parse-error.ts';
import { frameCommand } from './tokenizer.ts';

const cursor = (text: string): Cursor => new Cursor(frameCommand(text));

describe('flags (RFC 3501 §2.3.2, §9)', () => {
  const table: Array<[wire: string, flag: string]> = [
    ['\\Seen', '\\Seen'],
    ['\\SEEN', '\\Seen'],
    ['\\answered', '\\Answered'],
    ['\\Flagged', '\\Flagged'],
    ['\\Deleted', '\\Deleted'],
    ['\\Draft', '\\Draft'],
    ['$Forwarded', '$Forwarded'], // keywords keep their case
    ['$MDNSent', '$MDNSent'],
    ['NonJunk', 'NonJunk'],
  ];
  for (const [wire, flag] of table) it(wire, () => assert.equal(parseFlag(cursor(wire)), flag));

  const bad: Array<[wire: string, message: RegExp]> = [
    ['\\Recent', /\\Recent cannot be set/],
    ['\\Bogus', /Unknown system flag/],
    ['\\*', /flag name/], // \* only appears in PERMANENTFLAGS
    ['\\', /flag name/],
    ['"quoted"', /flag keyword/],
    ['(x', /flag keyword/],
  ];
  for (const [wire, message] of bad) {
    it(`rejects ${wire}`, () => assert.throws(() => parseFlag(cursor(wire)), (e: unknown) => e instanceof ParseError && message.test(e.message)));
  }

  it('a keyword with %, * or ] is refused with NO [CANNOT], not BAD (as Dovecot; RFC 9051 §7.1)', () => {
    for (const wire of ['a*b', 'a%b', 'a]b', '$x]']) {
      assert.throws(() => parseFlag(cursor(wire)), (e: unknown) => e instanceof ParseError && e.status === 'NO' && e.code === 'CANNOT' && /Invalid characters in keyword/.test(e.message));
    }
  });

  it('SEARCH KEYWORD takes any astring or flag leniently', () => {
    assert.equal(parseSearchKeyword(cursor('"quoted word"')), 'quoted word');
    assert.equal(parseSearchKeyword(cursor('\\seen')), '\\Seen');
    assert.equal(parseSearchKeyword(cursor('a]b')), 'a]b');
    assert.throws(() => parseSearchKeyword(cursor(')')), ParseError);
  });

  it('\\Recent is fine where it is searched, not set', () => assert.equal(parseFlag(cursor('\\recent'), true), '\\Recent'));

  it('lists: empty, several, duplicates removed case-insensitively', () => {
    assert.deepEqual(parseFlagList(cursor('()')), []);
    assert.deepEqual(parseFlagList(cursor('(\\Seen $Junk \\seen $junk)')), ['\\Seen', '$Junk']);
    assert.deepEqual(parseFlagSequence(cursor('\\Deleted \\Seen')), ['\\Deleted', '\\Seen']);
    assert.throws(() => parseFlagList(cursor('(\\Seen ')), ParseError);
    assert.throws(() => parseFlagList(cursor('(\\Seen  \\Draft)')), ParseError);
  });
});
