import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DrainLoop } from './drain-loop.ts';

const settle = () => new Promise((r) => setTimeout(r, 20));

test('a pass that takes fewer than a batch ends the drain; a full batch is followed by another pass', async () => {
  const due = [5, 3]; // items due at each pass; batch of 5
  let passes = 0;
  const loop = new DrainLoop(async () => { passes += 1; return due.shift() ?? 0; }, () => 60_000, (err) => { throw err; }, () => 5);
  loop.start();
  await settle();
  assert.equal(passes, 2, 'the full pass (5) was followed by one more (3), and no empty third pass');
  loop.kick();
  await settle();
  assert.equal(passes, 3, 'a kick runs a pass');
  await loop.stop();
});

test('without a batch size the drain runs until a pass finds nothing', async () => {
  const due = [1, 1];
  let passes = 0;
  const loop = new DrainLoop(async () => { passes += 1; return due.shift() ?? 0; }, () => 60_000, (err) => { throw err; });
  loop.start();
  await settle();
  assert.equal(passes, 3);
  await loop.stop();
});

test('a kick during a pass schedules one more pass', async () => {
  let passes = 0;
  let release!: () => void;
  const loop = new DrainLoop(async () => {
    passes += 1;
    if (passes === 1) await new Promise<void>((r) => { release = r; });
    return 1;
  }, () => 60_000, (err) => { throw err; }, () => 5);
  loop.start();
  await settle();
  loop.kick();
  release();
  await settle();
  assert.equal(passes, 2);
  await loop.stop();
});
