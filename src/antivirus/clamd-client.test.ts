// The clamd client against a real clamd (test/helpers/clamd.ts: our own config and signature
// database, a unix socket in a temp dir): clean, EICAR, our own signature, an encrypted archive and
// a stream over StreamMaxLength (both unscannable, never clean), and clamd gone (ClamdUnavailable).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { EICAR, OWN_SIGNATURE_TEXT, encryptedZip, messageWithAttachment, startClamd, type TestClamd } from '../../test/helpers/clamd.ts';
import { ClamdUnavailable, classifyReply, parseClamdAddress, scanBuffer } from './clamd-client.ts';

const mail = (body: string) => Buffer.from(`From: a@x.test\r\nTo: u@y.test\r\nSubject: t\r\n\r\n${body}\r\n`);

describe('clamd client (real clamd)', () => {
  let clamd: TestClamd;
  before(async () => { clamd = await startClamd(); });
  after(async () => { await clamd?.close(); });

  it('finds a message clean, EICAR and our own signature infected', async () => {
    assert.deepEqual(await scanBuffer(clamd.address, mail('Hello, 你好'), 10_000), { kind: 'clean' });
    const eicar = await scanBuffer(clamd.address, mail(EICAR), 10_000);
    assert.equal(eicar.kind, 'infected');
    assert.match((eicar as { signature: string }).signature, /^Eicar-Test-Signature/);
    const own = await scanBuffer(clamd.address, Buffer.from(messageWithAttachment({
      from: 'a@x.test', to: 'u@y.test', subject: 'own', filename: 'x.bin', content: Buffer.from(`prefix ${OWN_SIGNATURE_TEXT} suffix`),
    })), 10_000);
    assert.match((own as { signature: string }).signature, /^Youju-Test-Sig/);
  });

  it('reads a message of several chunks sent in one write to its end', async () => {
    // 64 KiB chunks: the signature sits in the fourth, after 200 KiB of text.
    const late = await scanBuffer(clamd.address, mail(`${'x'.repeat(200 * 1024)}\r\n${OWN_SIGNATURE_TEXT}`), 10_000);
    assert.match((late as { signature: string }).signature, /^Youju-Test-Sig/);
    assert.deepEqual(await scanBuffer(clamd.address, mail('y'.repeat(200 * 1024)), 10_000), { kind: 'clean' });
  });

  it('an encrypted archive and a stream over StreamMaxLength are unscannable', async () => {
    const zip = await scanBuffer(clamd.address, Buffer.from(messageWithAttachment({
      from: 'a@x.test', to: 'u@y.test', subject: 'zip', filename: 'a.zip', type: 'application/zip', content: encryptedZip(),
    })), 10_000);
    assert.deepEqual(zip, { kind: 'unscannable', reason: 'Heuristics.Encrypted.Zip' });
    const big = await scanBuffer(clamd.address, mail('x'.repeat(1536 * 1024)), 10_000);
    assert.equal(big.kind, 'unscannable');
  });

  it('clamd not listening, or silent past the timeout, is ClamdUnavailable', async () => {
    await assert.rejects(scanBuffer(`unix:${clamd.dir}/nothing.sock`, mail('x'), 2000), ClamdUnavailable);
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as { port: number }).port;
    try {
      await assert.rejects(scanBuffer(`127.0.0.1:${port}`, mail('x'), 300), /no answer within 300 ms/);
    } finally {
      silent.close();
    }
  });

  it('parses addresses and replies', () => {
    assert.deepEqual(parseClamdAddress('unix:/run/clamav/clamd.ctl'), { path: '/run/clamav/clamd.ctl' });
    assert.deepEqual(parseClamdAddress('127.0.0.1:3310'), { host: '127.0.0.1', port: 3310 });
    assert.deepEqual(parseClamdAddress('[::1]:3310'), { host: '::1', port: 3310 });
    assert.deepEqual(classifyReply('stream: Heuristics.Limits.Exceeded.MaxFileSize FOUND'), { kind: 'unscannable', reason: 'Heuristics.Limits.Exceeded.MaxFileSize' });
    assert.throws(() => classifyReply('Can\'t allocate memory ERROR'), ClamdUnavailable);
  });
});
