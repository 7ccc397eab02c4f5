/**
 * Literal markers and the literal size policy (RFC 3501 §4.3, RFC 7888, RFC 3516, RFC 7889).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkLiteral, findLiteralMarker, LITERAL_MINUS_MAX_BYTES } from './literal.ts';

const MARKERS: Array<[line: string, expected: ReturnType<typeof findLiteralMarker>]> = [
  ['A001 LOGIN {11}', { size: 11, sync: true, binary: false, start: 11 }], // RFC 3501 §7.5
  ['A001 LOGIN {11+}', { size: 11, sync: false, binary: false, start: 11 }], // RFC 7888 §3
  ['A003 APPEND Drafts ~{5}', { size: 5, sync: true, binary: true, start: 19 }], // RFC 3516 §4.2
  ['A003 APPEND Drafts ~{5+}', { size: 5, sync: false, binary: true, start: 19 }],
  ['x {0}', { size: 0, sync: true, binary: false, start: 2 }],
  ['x {0004294967295+}', { size: 4294967295, sync: false, binary: false, start: 2 }],
  ['x {4294967296}', { invalid: true, sync: true, start: 2 }],
  ['x {99999999999+}', { invalid: true, sync: false, start: 2 }],
  ['{3}', { size: 3, sync: true, binary: false, start: 0 }],
  ['A001 NOOP', null],
  ['x {}', null],
  ['x {+}', null],
  ['x {1a}', null],
  ['x 12}', null],
  ['x {-1}', null],
  ['x {3}  ', null],
  ['', null],
];

describe('literal markers (RFC 3501 §4.3, RFC 7888, RFC 3516)', () => {
  for (const [line, expected] of MARKERS) {
    it(JSON.stringify(line), () => assert.deepEqual(findLiteralMarker(Buffer.from(line)), expected));
  }
});

describe('literal size policy', () => {
  const limits = { maxLiteralBytes: 10_000, maxNonSyncLiteralBytes: LITERAL_MINUS_MAX_BYTES, maxCommandBytes: 20_000 };
  const table: Array<[name: string, size: number, sync: boolean, used: number, verdict: string]> = [
    ['small synchronising', 100, true, 0, 'ok'],
    ['synchronising up to APPENDLIMIT', 10_000, true, 0, 'ok'],
    ['synchronising over APPENDLIMIT', 10_001, true, 0, 'NO TOOBIG'],
    ['non-synchronising at 4096 (LITERAL-)', 4096, false, 0, 'ok'],
    ['non-synchronising at 4097 (LITERAL-)', 4097, false, 0, 'BAD TOOBIG'],
    ['the command as a whole is bounded', 9_000, true, 11_001, 'BAD undefined'],
  ];
  for (const [name, size, sync, used, verdict] of table) {
    it(name, () => {
      const error = checkLiteral({ size, sync, binary: false, start: 0 }, limits, used, 'a1');
      assert.equal(error ? `${error.status} ${String(error.code)}` : 'ok', verdict);
      if (error) assert.equal(error.tag, 'a1');
    });
  }

  it('LITERAL+ lifts the 4096 limit up to APPENDLIMIT', () => {
    const plus = { ...limits, maxNonSyncLiteralBytes: Infinity };
    assert.equal(checkLiteral({ size: 9_000, sync: false, binary: false, start: 0 }, plus, 0, 'a'), undefined);
    assert.equal(checkLiteral({ size: 10_001, sync: false, binary: false, start: 0 }, plus, 0, 'a')?.status, 'NO');
  });
});
