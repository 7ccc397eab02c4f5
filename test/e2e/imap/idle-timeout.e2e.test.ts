// IMAP autologout (FEATURES P9 part 6): a session that sends nothing for limits.imapIdleTimeoutSec
// (60 s here, the least allowed; 30 minutes by default) gets `* BYE` and is closed, while one that
// keeps talking stays. This file takes a minute of waiting, so it is a file of its own (files run in
// parallel).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { PASSWORD, startTestServer, type TestServer } from '../../helpers/server.ts';

/** Connects, logs in and records what arrives and when the server closes. */
async function session(port: number): Promise<{ socket: net.Socket; text: () => string; closedAt: Promise<number> }> {
  const socket = net.connect(port, '127.0.0.1');
  socket.setEncoding('latin1');
  let text = '';
  socket.on('data', (d: string) => { text += d; });
  socket.on('error', () => undefined);
  const closedAt = new Promise<number>((r) => socket.once('close', () => r(Date.now())));
  const waitFor = async (re: RegExp) => {
    const deadline = Date.now() + 10_000;
    while (!re.test(text)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${re}: ${text}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  await waitFor(/^\* OK/m);
  socket.write(`L LOGIN alice@example.cn "${PASSWORD}"\r\n`);
  await waitFor(/^L OK/m);
  return { socket, text: () => text, closedAt };
}

describe('IMAP idle timeout', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ imap: true, settings: { 'security.allowPlaintextAuth': true, 'limits.imapIdleTimeoutSec': 60 } });
    await t.addUser('alice@example.cn');
  });
  after(() => t.close());

  it('logs out a silent session after the timeout and keeps a talking one', async () => {
    const silent = await session(t.config.ports.imap);
    const talking = await session(t.config.ports.imap);
    const start = Date.now();
    const noop = setInterval(() => talking.socket.write('N NOOP\r\n'), 20_000);
    try {
      const closed = await Promise.race([silent.closedAt, new Promise<number>((r) => setTimeout(() => r(0), 75_000))]);
      assert.ok(closed > 0, 'the silent session was closed within 75 s');
      const after = (closed - start) / 1000;
      assert.ok(after >= 58, `closed after ${after.toFixed(1)} s, not before the 60 s timeout`);
      assert.match(silent.text(), /^\* BYE .*idle/m);
      assert.ok(!talking.socket.destroyed && !talking.socket.readableEnded, 'the session sending NOOPs is still open');
      talking.socket.write('Z LOGOUT\r\n');
      await talking.closedAt;
      assert.match(talking.text(), /^Z OK/m);
    } finally {
      clearInterval(noop);
      silent.socket.destroy();
      talking.socket.destroy();
    }
  });
});
