// Connection reuse (delivery.connectionIdleSec): two messages to one MX share one connection (RSET
// between them); an idle connection is closed after its idle time; one the server dropped while idle
// is replaced by a new connection without failing the message; close() quits what is idle.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { DeliverySettingsSchema } from '../../config/schema/delivery.ts';
import type { BlobId, QueueId } from '../../core/ids.ts';
import { startDnsServer, type TestDnsServer } from '../../../test/helpers/dns-server.ts';
import { DnsResolver } from './dns-resolver.ts';
import { SmtpTransport } from './smtp-transport.ts';

interface Peer { port: number; connections: number; received: number; close(): Promise<void> }

async function startPeer(socketTimeoutMs?: number): Promise<Peer> {
  const peer: Peer = { port: 0, connections: 0, received: 0, close: async () => {} };
  const server = new SMTPServer({
    logger: false, authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'], ...(socketTimeoutMs ? { socketTimeout: socketTimeoutMs } : {}),
    onConnect: (_s, cb) => { peer.connections++; cb(); },
    onData: (s, _session, cb) => { s.resume(); s.on('end', () => { peer.received++; cb(); }); },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  peer.port = (server.server.address() as { port: number }).port;
  peer.close = () => new Promise<void>((r) => server.close(() => r()));
  return peer;
}

let dns: TestDnsServer;
before(async () => {
  dns = await startDnsServer({ records: { 'example.net': { MX: [{ exchange: 'mx1.example.net', priority: 10 }] }, 'mx1.example.net': { A: ['127.0.0.1'] } } });
});
after(() => dns.close());

const transport = (port: number, connectionIdleSec: number, lines: string[] = []) => new SmtpTransport({
  hostname: 'mail.youju.test', port,
  resolver: new DnsResolver({ servers: [dns.server], hosts: {}, timeoutMs: 500, tries: 1, cacheMax: 100, cacheTtlMs: 60_000 }),
  readMessage: async () => Buffer.from('Subject: hi\r\n\r\nHello.\r\n'),
  settings: () => DeliverySettingsSchema.parse({ connectTimeoutSec: 5, greetingTimeoutSec: 10, dataTimeoutSec: 10, connectionIdleSec }),
  log: (l) => lines.push(l),
});
let n = 1;
const job = (to: string) => ({ queueId: n++ as QueueId, sender: 'a@youju.test', recipients: [to], blobId: 'b'.repeat(64) as BlobId, size: 20, meta: {}, record: async () => undefined });
const send = async (t: SmtpTransport, to: string) => (await t.deliver(job(to), new AbortController().signal))[0]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SmtpTransport reuses connections', () => {
  it('sends two messages over one connection with RSET between, then closes it when idle', async (t) => {
    const peer = await startPeer();
    t.after(() => peer.close());
    const lines: string[] = [];
    const tr = transport(peer.port, 1, lines);
    assert.equal((await send(tr, 'b@example.net')).outcome, 'delivered');
    assert.equal(tr.idleConnections, 1);
    assert.equal((await send(tr, 'c@example.net')).outcome, 'delivered');
    assert.deepEqual([peer.connections, peer.received], [1, 2], 'one connection, two messages');
    assert.ok(lines.includes('--> RSET'), 'RSET before the second message');
    assert.ok(lines.some((l) => /^Reusing the connection to mx1\.example\.net\[127\.0\.0\.1\]/.test(l)));
    await sleep(1300);
    assert.equal(tr.idleConnections, 0, 'closed after connectionIdleSec');
    assert.equal((await send(tr, 'd@example.net')).outcome, 'delivered');
    assert.equal(peer.connections, 2);
    tr.close();
    assert.equal(tr.idleConnections, 0);
  });

  it('a connection the server dropped while idle is replaced, and the message still goes', async (t) => {
    const peer = await startPeer(200);
    t.after(() => peer.close());
    const tr = transport(peer.port, 30);
    t.after(() => tr.close());
    assert.equal((await send(tr, 'b@example.net')).outcome, 'delivered');
    await sleep(500); // the peer's socket timeout closes the idle connection
    assert.equal((await send(tr, 'c@example.net')).outcome, 'delivered');
    assert.deepEqual([peer.connections, peer.received], [2, 2]);
  });

  it('connectionIdleSec 0: a new connection per message', async (t) => {
    const peer = await startPeer();
    t.after(() => peer.close());
    const tr = transport(peer.port, 0);
    await send(tr, 'b@example.net');
    await send(tr, 'c@example.net');
    assert.equal(peer.connections, 2);
    assert.equal(tr.idleConnections, 0);
  });
});
