import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ByteRate } from './byte-rate.ts';

describe('ByteRate', () => {
  it('lets a second\'s worth go at once, then asks to wait so the average stays at the rate', () => {
    let now = 0;
    const r = new ByteRate(1000, () => now);
    assert.equal(r.take(1000), 0);
    assert.equal(r.take(500), 500, '500 bytes over: half a second');
    now = 500;
    assert.equal(r.take(0), 0, 'paid off');
    now = 10_000;
    assert.equal(r.take(3000), 2000, 'idle time does not build up more than a second\'s worth');
  });
});
