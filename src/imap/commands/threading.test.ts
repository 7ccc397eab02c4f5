import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatForest } from './sort-thread.ts';
import { ReferenceThreads, threadOrderedSubject, threadReferences, type ThreadInput, type ThreadNode } from './threading.ts';

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

describe('THREAD=REFERENCES kept across appends (ReferenceThreads)', () => {
  /** A small deterministic generator (mulberry32), so a failure can be replayed by its seed. */
  const random = (seed: number) => () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };

  it('gives what a full run gives, after every append and expunge of randomized mailboxes', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const rnd = random(seed);
      const pick = <X>(list: readonly X[]): X => list[Math.floor(rnd() * list.length)]!;
      // Few ids and subjects, so duplicates, missing parents, loops and subject merges are common.
      const ids = Array.from({ length: 12 + Math.floor(rnd() * 30) }, (_, i) => `id${i}`);
      const subjects = ['Lunch', 'Re: Lunch', 'Fwd: Lunch', 'Plan', 'Re: Plan', 'RE: re: plan', '', 'Other [x]', 'Other'];
      let seq = 0;
      const next = (): ThreadInput => {
        seq += 1 + Math.floor(rnd() * 3); // uids with gaps
        const refs = Array.from({ length: Math.floor(rnd() * 4) }, () => pick(ids));
        return { seq, messageId: rnd() < 0.1 ? '' : pick(ids), references: refs, subject: pick(subjects), date: Math.floor(rnd() * 6) * DAY };
      };
      let mailbox: ThreadInput[] = [];
      let kept = new ReferenceThreads<ThreadInput>();
      for (let step = 0; step < 25; step++) {
        if (rnd() < 0.2 && mailbox.length > 0) {
          // An expunge: the kept threads start again from what stays.
          mailbox = mailbox.filter(() => rnd() < 0.7);
          kept = new ReferenceThreads<ThreadInput>();
          kept.add(mailbox);
        } else {
          const batch = Array.from({ length: 1 + Math.floor(rnd() * 5) }, next);
          mailbox.push(...batch);
          kept.add(batch);
        }
        const expected = show(threadReferences(mailbox));
        const forest = kept.forest();
        assert.equal(show(forest), expected, `seed ${seed}, step ${step}`);
        // The response text keeps threads' text by identity: it must still read as the forest does.
        assert.equal(`${formatForest(forest as ThreadNode<never>[], undefined)}`, expected, `seed ${seed}, step ${step} (text by uid)`);
        // forest() leaves the kept containers as they were: asking again gives the same.
        assert.equal(show(kept.forest()), expected, `seed ${seed}, step ${step} (again)`);
      }
    }
  });

  it('refuses a message that is not above every one added', () => {
    const kept = new ReferenceThreads<ThreadInput>();
    kept.add([m(5, 'a', [], 'A')]);
    assert.throws(() => kept.add([m(5, 'b', [], 'B')]), /seq 5 after 5/);
  });
});
