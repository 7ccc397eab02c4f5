/**
 * ParseError fields and the excerpt helper.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ParseError, excerpt } from './parse-error.ts';

describe('ParseError', () => {
  const table: Array<[error: ParseError, tag: string | undefined, status: string, fatal: boolean]> = [
    [new ParseError('Unknown command'), undefined, 'BAD', false],
    [new ParseError('Literal too big', { tag: 'a1', status: 'NO', code: 'TOOBIG' }), 'a1', 'NO', false],
    [new ParseError('Lost sync', { fatal: true }), undefined, 'BAD', true],
  ];
  for (const [error, tag, status, fatal] of table) {
    it(error.message, () => {
      assert.ok(error instanceof Error);
      assert.equal(error.name, 'ParseError');
      assert.equal(error.tag, tag);
      assert.equal(error.status, status);
      assert.equal(error.fatal, fatal);
      assert.equal(error.cause, undefined);
    });
  }

  it('keeps the cause of an internal failure', () => {
    const cause = new RangeError('boom');
    assert.equal(new ParseError('Internal', { cause }).cause, cause);
  });

  it('excerpts client input: short, printable', () => {
    assert.equal(excerpt('abc'), 'abc');
    assert.equal(excerpt('x'.repeat(40)), `${'x'.repeat(24)}…`);
    assert.equal(excerpt('a\r\nb\u0000'), 'a??b?');
  });
});
