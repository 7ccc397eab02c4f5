/**
 * The lexical terminals: astring, quoted, literal, nstring, list-mailbox, numbers.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Cursor, END, LITERAL } from './cursor.ts';
import { ParseError } from './parse-error.ts';
import { frameCommand } from './tokenizer.ts';

const cursor = (text: string | Buffer): Cursor => new Cursor(frameCommand(text));
const read = (text: string | Buffer, fn: (c: Cursor) => unknown): unknown => {
  const c = cursor(text);
  const value = fn(c);
  c.end();
  return value;
};

describe('Cursor terminals (RFC 3501 §9)', () => {
  const astrings: Array<[wire: string, value: string]> = [
    ['FRED', 'FRED'],
    ['a]b', 'a]b'], // resp-specials are ASTRING-CHARs
    ['""', ''],
    ['"fat man"', 'fat man'],
    ['"say \\"hi\\" \\\\o/"', 'say "hi" \\o/'],
    ['{7}\r\nfat man', 'fat man'],
    ['{0+}\r\n', ''],
    ['"客户"', '客户'], // 8-bit in quoted strings is accepted and decoded by the caller
  ];
  for (const [wire, value] of astrings) {
    it(`astring ${wire.split('\r\n')[0]}`, () => assert.equal(read(wire, (c) => c.utf8(c.astring(), 'test')), value));
  }

  const badAstrings: Array<[wire: string, message: RegExp]> = [
    [')', /Expected a string/],
    ['(x', /Expected a string/],
    ['"open', /Unterminated/],
    ['"a\\nb"', /Invalid escape/],
    ['%x', /Expected a string/],
    ['*', /Expected a string/],
  ];
  for (const [wire, message] of badAstrings) {
    it(`astring rejects ${JSON.stringify(wire)}`, () => assert.throws(() => read(wire, (c) => c.astring()), (e: unknown) => e instanceof ParseError && message.test(e.message)));
  }

  it('nstring: NIL or a string', () => {
    assert.equal(read('NIL', (c) => c.nstring()), null);
    assert.equal(read('nil', (c) => c.nstring()), null);
    assert.deepEqual(read('"NIL"', (c) => c.nstring()), Buffer.from('NIL'));
    assert.throws(() => read('NILS', (c) => c.nstring()), ParseError);
  });

  it('list-mailbox allows wildcards and "]"', () => {
    assert.equal(read('~/Mail/%*]', (c) => c.listMailbox().toString()), '~/Mail/%*]');
  });

  it('numbers: 32-bit, nz, 63-bit mod-sequences', () => {
    assert.equal(read('4294967295', (c) => c.number()), 4294967295);
    assert.equal(read('0007', (c) => c.number()), 7);
    assert.throws(() => read('4294967296', (c) => c.number()), /out of range/);
    assert.throws(() => read('0', (c) => c.nzNumber()), /got 0/);
    assert.equal(read('9223372036854775807', (c) => c.modseq(false)), 9223372036854775807n);
    assert.throws(() => read('9223372036854775808', (c) => c.modseq(false)), /out of range/);
    assert.throws(() => read('0', (c) => c.modseq(false)), /out of range/);
    assert.equal(read('0', (c) => c.modseq(true)), 0n);
  });

  it('peeks across literals and the end', () => {
    const c = cursor('A {3+}\r\nabc B');
    assert.equal(c.atom(), 'A');
    c.sp();
    assert.equal(c.peek(), LITERAL);
    assert.deepEqual(c.literal(), { bytes: Buffer.from('abc'), binary: false });
    c.sp();
    assert.equal(c.peekAtom(), 'B');
    assert.equal(c.acceptWord('B'), true);
    assert.equal(c.peek(), END);
  });

  it('literal8 only where allowed; errors carry the tag once it is known', () => {
    const c = cursor('~{3+}\r\na\0b');
    c.tag = 't9';
    assert.throws(() => c.literal(), (e: unknown) => e instanceof ParseError && e.tag === 't9' && /literal8/.test(e.message));
    assert.deepEqual(cursor('~{3+}\r\na\0b').literal(true), { bytes: Buffer.from('a\0b'), binary: true });
  });

  it('utf8() refuses NUL and malformed sequences', () => {
    const c = cursor('x');
    assert.throws(() => c.utf8(Buffer.from('a\0b'), 'name'), /NUL in name/);
    assert.throws(() => c.utf8(Buffer.from([0xe5, 0xae]), 'name'), /Invalid UTF-8/);
    assert.equal(c.utf8(Buffer.from('邮局'), 'name'), '邮局');
  });
});
