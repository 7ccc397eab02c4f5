import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { threadOrderedSubject, threadReferences, type ThreadInput, type ThreadNode } from './threading.ts';

const DAY = 86_400_000;
const m = (seq: number, messageId: string, references: string[], subject: string, day = seq): ThreadInput =>
  ({ seq, messageId, references, subject, date: day * DAY });

/** The RFC 5256 §4 response text for a forest. */
function show(roots: ThreadNode<ThreadInput>[]): string {
  const f = (n: ThreadNode<ThreadInput>): string => {
    if (!n.message) return n.children.map((c) => `(${f(c)})`).join('');
    if (n.children.length === 0) return String(n.message.seq);
    if (n.children.length === 1) return `${n.message.seq} ${f(n.children[0]!)}`;
    return `${n.message.seq} ${n.children.map((c) => `(${f(c)})`).join('')}`;
  };
  return roots.map((r) => `(${f(r)})`).join('');
}

describe('THREAD=REFERENCES (RFC 5256 §4)', () => {
  it('links replies through References and In-Reply-To', () => {
    assert.equal(show(threadReferences([
      m(1, 'a', [], 'Hello'), m(2, 'b', ['a'], 'Re: Hello'), m(3, 'c', ['a', 'b'], 'Re: Hello'), m(4, 'd', ['a'], 'Re: Hello'),
    ])), '(1 (2 3)(4))');
  });

  it('keeps a missing parent as a dummy that holds its replies together', () => {
    // x is referenced by both but is not in the mailbox: its two replies are siblings under a dummy.
    assert.equal(show(threadReferences([m(1, 'b', ['x'], 'Re: gone'), m(2, 'c', ['x'], 'Re: gone')])), '((1)(2))');
    // With one child only, the dummy at the root gives way to it.
    assert.equal(show(threadReferences([m(1, 'b', ['x'], 'Re: gone')])), '(1)');
    // In the middle of a thread, a dummy gives way to its children.
    assert.equal(show(threadReferences([m(1, 'a', [], 'Top'), m(2, 'c', ['a', 'x'], 'Re: Top'), m(3, 'd', ['a', 'x'], 'Re: Top')])), '(1 (2)(3))');
  });

  it('gathers roots of one base subject, a reply under the original', () => {
    assert.equal(show(threadReferences([m(1, 'a', [], 'Lunch'), m(2, 'b', [], 'Re: Lunch'), m(3, 'c', [], 'Other')])), '(1 2)(3)');
    // Two originals of one subject: a dummy holds both.
    assert.equal(show(threadReferences([m(1, 'a', [], 'Lunch'), m(2, 'b', [], 'Lunch')])), '((1)(2))');
  });

  it('survives loops, duplicate and missing Message-IDs', () => {
    assert.equal(show(threadReferences([m(1, 'a', ['b'], 'x'), m(2, 'b', ['a'], 'y')])).length > 0, true);
    assert.equal(show(threadReferences([m(1, 'a', [], 'One'), m(2, 'a', [], 'Two'), m(3, '', [], 'Three')])), '(1)(2)(3)');
  });

  it('orders siblings and roots by date, then sequence', () => {
    assert.equal(show(threadReferences([m(1, 'a', [], 'A', 5), m(2, 'b', [], 'B', 1), m(3, 'c', ['b'], 'Re: B', 9), m(4, 'd', ['b'], 'Re: B', 3)])), '(2 (4)(3))(1)');
  });
});

describe('THREAD=ORDEREDSUBJECT (RFC 5256 §3)', () => {
  it('groups by base subject under the earliest', () => {
    assert.equal(show(threadOrderedSubject([m(1, 'a', [], 'Re: x', 2), m(2, 'b', [], 'X', 1), m(3, 'c', [], 'y', 3)])), '(2 1)(3)');
  });
});
