/**
 * Contract for the Bayesian classifier's counts (migration 015): totals and token counts per
 * scope, learning and taking back (never below 0, empty rows gone), batches larger than one
 * statement, and the learned-message digests. Run by both backends.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { uniq, useStore, type OpenStore } from './fixtures.ts';

export function runBayesContract(name: string, open: OpenStore): void {
  describe(`${name}: Bayesian classifier counts`, () => {
    const ctx = useStore(open);

    it('counts messages and tokens per scope, and takes a message back', async () => {
      const scope = uniq('scope');
      assert.deepEqual(await ctx.read((tx) => tx.bayes.totals(scope)), { spam: 0, ham: 0 });
      await ctx.tx((tx) => tx.bayes.learn(scope, 'spam', ['a', 'b', 'b'], 1, 1000));
      await ctx.tx((tx) => tx.bayes.learn(scope, 'spam', ['a'], 1, 1001));
      await ctx.tx((tx) => tx.bayes.learn(scope, 'ham', ['a', 'c'], 1, 1002));
      await ctx.tx((tx) => tx.bayes.learn('', 'ham', ['a'], 1, 1003)); // another scope is separate
      assert.deepEqual(await ctx.read((tx) => tx.bayes.totals(scope)), { spam: 2, ham: 1 });
      const counts = await ctx.read((tx) => tx.bayes.tokens(scope, ['a', 'b', 'c', 'never']));
      assert.deepEqual(Object.fromEntries(counts), { a: { spam: 2, ham: 1 }, b: { spam: 1, ham: 0 }, c: { spam: 0, ham: 1 } });

      await ctx.tx((tx) => tx.bayes.learn(scope, 'spam', ['a', 'b'], -1, 1004));
      await ctx.tx((tx) => tx.bayes.learn(scope, 'spam', ['b', 'c'], -1, 1005)); // b and c have no spam left: stay at 0
      assert.deepEqual(await ctx.read((tx) => tx.bayes.totals(scope)), { spam: 0, ham: 1 });
      assert.deepEqual(Object.fromEntries(await ctx.read((tx) => tx.bayes.tokens(scope, ['a', 'b', 'c']))),
        { a: { spam: 1, ham: 1 }, c: { spam: 0, ham: 1 } }, 'b is gone: 0 for both classes');
      const listed = (await ctx.read((tx) => tx.bayes.scopes())).find((s) => s.scope === scope);
      assert.deepEqual(listed, { scope, spam: 0, ham: 1, tokens: 2, updatedAt: 1005 });
    });

    it('gives a scope\'s stamp and all its tokens, or none past the limit', async () => {
      const scope = uniq('stamp');
      assert.deepEqual(await ctx.read((tx) => tx.bayes.stamp(scope)), { spam: 0, ham: 0, updatedAt: 0 });
      await ctx.tx((tx) => tx.bayes.learn(scope, 'spam', ['a', 'b'], 1, 2000));
      await ctx.tx((tx) => tx.bayes.learn(scope, 'ham', ['b'], 1, 2001));
      assert.deepEqual(await ctx.read((tx) => tx.bayes.stamp(scope)), { spam: 1, ham: 1, updatedAt: 2001 });
      assert.deepEqual(Object.fromEntries((await ctx.read((tx) => tx.bayes.allTokens(scope, 2)))!), { a: { spam: 1, ham: 0 }, b: { spam: 1, ham: 1 } });
      assert.equal(await ctx.read((tx) => tx.bayes.allTokens(scope, 1)), undefined);
      await ctx.tx((tx) => tx.bayes.learn(scope, 'spam', ['a'], -1, 2002));
      assert.equal((await ctx.read((tx) => tx.bayes.stamp(scope))).updatedAt, 2002, 'unlearning moves the stamp too');
    });

    it('learns and reads more tokens than one statement carries', async () => {
      const scope = uniq('big');
      const tokens = Array.from({ length: 1234 }, (_, i) => `t${i}`);
      await ctx.tx((tx) => tx.bayes.learn(scope, 'ham', tokens, 1, 1));
      await ctx.tx((tx) => tx.bayes.learn(scope, 'ham', tokens.slice(0, 700), 1, 2));
      const counts = await ctx.read((tx) => tx.bayes.tokens(scope, tokens));
      assert.equal(counts.size, 1234);
      assert.deepEqual([counts.get('t0'), counts.get('t699'), counts.get('t700'), counts.get('t1233')],
        [{ spam: 0, ham: 2 }, { spam: 0, ham: 2 }, { spam: 0, ham: 1 }, { spam: 0, ham: 1 }]);
      await ctx.tx((tx) => tx.bayes.learn(scope, 'ham', tokens, -1, 3));
      assert.equal((await ctx.read((tx) => tx.bayes.tokens(scope, tokens))).size, 700);
    });

    it('remembers what a message was learned as, per scope', async () => {
      const scope = uniq('seen');
      assert.equal(await ctx.read((tx) => tx.bayes.seen(scope, 'd1')), undefined);
      await ctx.tx((tx) => tx.bayes.markSeen(scope, 'd1', 'spam', 1));
      await ctx.tx((tx) => tx.bayes.markSeen(scope, 'd1', 'ham', 2));
      assert.equal(await ctx.read((tx) => tx.bayes.seen(scope, 'd1')), 'ham');
      assert.equal(await ctx.read((tx) => tx.bayes.seen('', 'd1')), undefined);
      await ctx.tx((tx) => tx.bayes.markSeen(scope, 'd1', null, 3));
      assert.equal(await ctx.read((tx) => tx.bayes.seen(scope, 'd1')), undefined);
    });
  });
}
