import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { checkStamp, leadingZeroBits, mintStamp } from './hashcash.ts';

const now = Date.UTC(2026, 11, 4, 12);

describe('hashcash', () => {
  it('counts leading zero bits', () => {
    assert.equal(leadingZeroBits(Buffer.from([0, 0x0f, 0xff])), 12);
    assert.equal(leadingZeroBits(Buffer.from([0x80])), 0);
    assert.equal(leadingZeroBits(Buffer.from([0, 0])), 16);
  });

  it('mints a stamp that verifies, for its recipient only', async () => {
    const stamp = await mintStamp('bob@remote.test', 14, now);
    assert.match(stamp, /^1:14:261204:bob@remote\.test::[^:]+:[0-9a-z]+$/);
    assert.ok(leadingZeroBits(createHash('sha1').update(stamp).digest()) >= 14);
    const o = { recipients: ['Bob@Remote.test'], minBits: 14, now, validDays: 2 };
    assert.equal(checkStamp(stamp, o), undefined);
    assert.match(checkStamp(stamp, { ...o, recipients: ['carol@remote.test'] })!, /not a recipient/);
    assert.match(checkStamp(stamp, { ...o, minBits: 20 })!, /14 bits, 20 needed/);
    assert.match(checkStamp(stamp, { ...o, now: now + 5 * 86_400_000 })!, /expired/);
  });

  it('refuses a stamp that claims more bits than its hash has, and malformed ones', () => {
    assert.match(checkStamp('1:20:261204:bob@remote.test::abc:0', { recipients: ['bob@remote.test'], minBits: 8, now, validDays: 2 })!, /too few zero bits/);
    assert.match(checkStamp('0:20:261204:bob@remote.test', { recipients: ['bob@remote.test'], minBits: 8, now, validDays: 2 })!, /version 1/);
    assert.match(checkStamp('1:20:26xx04:bob@remote.test::abc:0', { recipients: ['bob@remote.test'], minBits: 8, now, validDays: 2 })!, /bad date/);
  });
});
