import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uniqueNames, zip } from './zip.ts';

describe('zip', () => {
  it('writes an archive Python\'s zipfile reads back byte for byte, Chinese names included', () => {
    const big = Buffer.from('报价 quote\n'.repeat(2000));
    const random = randomBytes(5000); // does not deflate smaller
    const file = join(mkdtempSync(join(tmpdir(), 'youju-zip-')), 'a.zip');
    writeFileSync(file, zip([{ name: '报价单.txt', content: big }, { name: 'data.bin', content: random }, { name: 'empty', content: Buffer.alloc(0) }]));
    const py = spawnSync('python3', ['-c', `
import zipfile, sys, hashlib
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
for i in z.infolist(): print(i.filename, i.compress_type, i.file_size, hashlib.sha256(z.read(i)).hexdigest())
`, file], { encoding: 'utf8' });
    assert.equal(py.status, 0, py.stderr);
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    assert.deepEqual(py.stdout.trim().split('\n'), [
      `报价单.txt 8 ${big.length} ${sha(big)}`, `data.bin 0 ${random.length} ${sha(random)}`, `empty 0 0 ${sha(Buffer.alloc(0))}`,
    ], 'deflated when smaller, stored otherwise');
  });

  it('makes names unique without losing the extension', () => {
    assert.deepEqual(uniqueNames(['a.txt', 'A.txt', 'a.txt', 'b', 'b', '']), ['a.txt', 'A (2).txt', 'a (3).txt', 'b', 'b (2)', 'attachment']);
  });
});
