import { it } from 'node:test';
import assert from 'node:assert/strict';
import { IpSlots } from './ip-slots.ts';

it('IpSlots: at most max per address, slots come back on release, exempt addresses always get one', () => {
  const slots = new IpSlots((ip) => ip === '10.0.0.1');
  assert.equal(slots.take('192.0.2.1', 2), true);
  assert.equal(slots.take('192.0.2.1', 2), true);
  assert.equal(slots.take('192.0.2.1', 2), false);
  assert.equal(slots.take('192.0.2.2', 2), true, 'another address has its own');
  slots.release('192.0.2.1');
  assert.equal(slots.take('192.0.2.1', 2), true);
  for (let i = 0; i < 5; i++) assert.equal(slots.take('10.0.0.1', 2), true);
  assert.equal(slots.take('192.0.2.3', 0), true, '0 = no limit');
});
