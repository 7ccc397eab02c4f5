// Archive limits read from ZIP central directories (what ClamAV would skip and call clean).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { messageWithAttachment, zipArchive } from '../../test/helpers/clamd.ts';
import { messageOverArchiveLimits, zipOverLimits } from './archive-limits.ts';

const LIMITS = { maxMemberBytes: 1024 * 1024, maxTotalBytes: 3 * 1024 * 1024 };
const small = (name: string, declaredSize?: number) => ({ name, content: Buffer.from('hello'), declaredSize });

describe('archive limits', () => {
  it('passes small archives and anything that is not a ZIP', () => {
    assert.equal(zipOverLimits(zipArchive([small('a.txt'), small('b.txt')]), LIMITS), undefined);
    assert.equal(zipOverLimits(Buffer.from('%PDF-1.7 not a zip'), LIMITS), undefined);
    assert.equal(zipOverLimits(Buffer.from('PK\x03\x04 truncated'), LIMITS), undefined);
  });

  it('finds a member over the member limit, members over the total, and ZIP64 sizes', () => {
    assert.match(zipOverLimits(zipArchive([small('a.txt'), small('big.iso', 2 * 1024 * 1024)]), LIMITS)!, /member big\.iso unpacks to 2097152 bytes/);
    assert.match(zipOverLimits(zipArchive([1, 2, 3, 4].map((i) => small(`${i}.bin`, 900 * 1024))), LIMITS)!, /more than antivirus\.maxArchiveTotalBytes/);
    assert.match(zipOverLimits(zipArchive([small('huge', 0xffffffff)]), LIMITS)!, /ZIP64/);
  });

  it('looks into a message\'s base64 attachments, nested messages included', () => {
    const bomb = messageWithAttachment({ from: 'a@x.test', to: 'u@y.test', subject: 's', filename: 'b.zip', type: 'application/zip', content: zipArchive([small('x', 50 * 1024 * 1024)]) });
    assert.match(messageOverArchiveLimits(Buffer.from(bomb), LIMITS)!, /member x unpacks/);
    const forwarded = `From: b@x.test\r\nSubject: fwd\r\nMIME-Version: 1.0\r\nContent-Type: message/rfc822\r\n\r\n${bomb}`;
    assert.match(messageOverArchiveLimits(Buffer.from(forwarded), LIMITS)!, /member x unpacks/);
    const fine = messageWithAttachment({ from: 'a@x.test', to: 'u@y.test', subject: 's', filename: 'ok.zip', type: 'application/zip', content: zipArchive([small('x')]) });
    assert.equal(messageOverArchiveLimits(Buffer.from(fine), LIMITS), undefined);
  });
});
