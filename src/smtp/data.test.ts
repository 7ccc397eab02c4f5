import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normaliseLineEndings } from './data.ts';

test('line endings: clean CRLF text comes back as the same buffer; lone LF and lone CR become CRLF', () => {
  const clean = Buffer.from('Subject: a\r\n\r\nbody\r\n.. dots\r\n');
  assert.equal(normaliseLineEndings(clean), clean);
  assert.equal(normaliseLineEndings(Buffer.from('')).length, 0);
  const cases: Array<[string, string]> = [
    ['a\nb\r\n', 'a\r\nb\r\n'],
    ['\nstarts with LF', '\r\nstarts with LF'],
    ['a\rb', 'a\r\nb'],
    ['ends with CR\r', 'ends with CR\r\n'],
    ['a\r\r\nb', 'a\r\n\r\nb'],
    ['a\n\rb', 'a\r\n\r\nb'],
    ['mixed\r\n\n\r\r\n', 'mixed\r\n\r\n\r\n\r\n'],
  ];
  for (const [input, want] of cases) assert.equal(normaliseLineEndings(Buffer.from(input, 'latin1')).toString('latin1'), want, JSON.stringify(input));
});
