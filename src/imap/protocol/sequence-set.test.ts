/**
 * Sequence-set syntax and normalisation (RFC 3501 §9, RFC 5182).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeSequenceSet, readSequenceSet, sequenceSetIncludes, sequenceSetToString, type SequenceSet } from './sequence-set.ts';

const VALID: Array<[text: string, set: SequenceSet]> = [
  ['1', { ranges: [{ from: 1, to: 1 }], saved: false }],
  ['1:*', { ranges: [{ from: 1, to: '*' }], saved: false }],
  ['2,4:7,9,12:*', { ranges: [{ from: 2, to: 2 }, { from: 4, to: 7 }, { from: 9, to: 9 }, { from: 12, to: '*' }], saved: false }], // RFC 3501 §9
  ['*:4', { ranges: [{ from: '*', to: 4 }], saved: false }], // RFC 3501 §9: "*:4" = "4:*"
  ['*', { ranges: [{ from: '*', to: '*' }], saved: false }],
  ['$', { ranges: [], saved: true }], // RFC 5182 §2.1
  ['1:3,$', { ranges: [{ from: 1, to: 3 }], saved: true }],
  ['4294967295', { ranges: [{ from: 4294967295, to: 4294967295 }], saved: false }],
];

const INVALID = ['0', '1:0', '', ',', '1,', ':1', '1::2', '1:2:3', '4294967296', '01', '1:$', '$$', '-1', '1 2'];

describe('sequence-set syntax (RFC 3501 §9, RFC 5182)', () => {
  for (const [text, set] of VALID) {
    it(`parses ${text}`, () => {
      assert.deepEqual(readSequenceSet(text), set);
      assert.equal(sequenceSetToString(set), text);
    });
  }
  for (const text of INVALID) {
    it(`rejects ${JSON.stringify(text)}`, () => assert.equal(typeof readSequenceSet(text), 'string'));
  }
  it('refuses "*" in known-uids and "$" where not allowed', () => {
    assert.equal(typeof readSequenceSet('1:*', false), 'string');
    assert.equal(typeof readSequenceSet('$', true, false), 'string');
  });
});

describe('normalizing against a mailbox', () => {
  const table: Array<[text: string, max: number, ranges: Array<[number, number]>]> = [
    ['1:*', 10, [[1, 10]]],
    ['*:4', 10, [[4, 10]]],
    ['12:*', 10, [[10, 12]]], // RFC 3501 §6.4.8: UID n:* with n > max still includes max
    ['5,1:3,4', 10, [[1, 5]]],
    ['1:*', 0, []],
    ['1:4294967295', 3, [[1, 4294967295]]],
    ['9,2,7:8', 100, [[2, 2], [7, 9]]],
  ];
  for (const [text, max, ranges] of table) {
    it(`${text} with max ${max}`, () => assert.deepEqual(normalizeSequenceSet(readSequenceSet(text) as SequenceSet, max), ranges));
  }
  it('"$" stands for the saved result', () => {
    const set = readSequenceSet('1,$') as SequenceSet;
    assert.deepEqual(normalizeSequenceSet(set, 50, [[7, 9]]), [[1, 1], [7, 9]]);
    assert.equal(sequenceSetIncludes(set, 8, 50, [[7, 9]]), true);
    assert.equal(sequenceSetIncludes(set, 2, 50, [[7, 9]]), false);
  });
});
