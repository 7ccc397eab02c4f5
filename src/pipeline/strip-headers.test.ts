// Removing header fields stages ask for: by name, by value prefix, continuation lines included.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { stripHeaders } from './strip-headers.ts';

const MSG = Buffer.from([
  'Authentication-Results: mx.youju.test; dkim=pass',
  '\theader.d=forged.test',
  'Authentication-Results: relay.other.test; spf=pass',
  'X-Spam-Flag: NO',
  'Subject: hi',
  'x-spam-status: No, score=-5',
  '',
  'Authentication-Results: mx.youju.test; in the body stays',
  '',
].join('\r\n'));

describe('stripHeaders', () => {
  it('removes forged fields of our authserv-id and X-Spam-* in any case, keeps the rest and the body', () => {
    const out = stripHeaders(MSG, [{ name: 'Authentication-Results', valuePrefix: 'MX.youju.test' }, { name: 'X-Spam-Flag' }, { name: 'X-Spam-Status' }]).toString();
    assert.equal(out, [
      'Authentication-Results: relay.other.test; spf=pass',
      'Subject: hi',
      '',
      'Authentication-Results: mx.youju.test; in the body stays',
      '',
    ].join('\r\n'));
  });

  it('returns the same buffer when nothing matches', () => {
    assert.equal(stripHeaders(MSG, [{ name: 'X-Other' }]), MSG);
    assert.equal(stripHeaders(MSG, []), MSG);
  });
});
