// Passing DSN requests on (RFC 3461 §6.2.1): to a next hop that offers DSN, RET/ENVID go on MAIL and
// each recipient's own NOTIFY/ORCPT on its RCPT, and the 2xx replies say nextHopDsn; to a next hop
// without DSN nothing is added (and no nextHopDsn, so the queue sends a "relayed" notice itself).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { DeliverySettingsSchema } from '../../config/schema/delivery.ts';
import type { BlobId, QueueId } from '../../core/ids.ts';
import { startDnsServer, type TestDnsServer } from '../../../test/helpers/dns-server.ts';
import { DnsResolver } from './dns-resolver.ts';
import { SmtpTransport } from './smtp-transport.ts';

interface Seen { ret: unknown; envid: unknown; rcpts: Array<{ address: string; dsn: unknown }> }

async function startPeer(hideDSN: boolean): Promise<{ port: number; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server = new SMTPServer({
    logger: false, authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'], hideDSN,
    onData: (stream, session, cb) => {
      stream.resume();
      stream.on('end', () => {
        seen.push({ ret: session.envelope.dsn?.ret ?? null, envid: session.envelope.dsn?.envid ?? null,
          rcpts: session.envelope.rcptTo.map((r) => ({ address: r.address, dsn: r.dsn ?? null })) });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.server.address() as { port: number }).port, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

let dns: TestDnsServer;
before(async () => {
  dns = await startDnsServer({ records: { 'example.net': { MX: [{ exchange: 'mx1.example.net', priority: 10 }] }, 'mx1.example.net': { A: ['127.0.0.1'] } } });
});
after(() => dns.close());

const transport = (port: number) => new SmtpTransport({
  hostname: 'mail.youju.test', port,
  resolver: new DnsResolver({ servers: [dns.server], hosts: {}, timeoutMs: 500, tries: 1, cacheMax: 100, cacheTtlMs: 60_000 }),
  readMessage: async () => Buffer.from('Subject: hi\r\n\r\nHello.\r\n'),
  settings: () => DeliverySettingsSchema.parse({ connectTimeoutSec: 5, greetingTimeoutSec: 10, dataTimeoutSec: 10, connectionIdleSec: 0 }),
});
const dsn = { ret: 'HDRS', envid: 'q+1', rcpts: { 'b@example.net': { notify: ['SUCCESS', 'FAILURE'], orcpt: 'rfc822;B+x@old.test' }, 'c@example.net': { notify: ['NEVER'] } } };
const job = (n: number) => ({ queueId: n as QueueId, sender: 'a@youju.test', recipients: ['b@example.net', 'c@example.net', 'd@example.net'],
  blobId: 'b'.repeat(64) as BlobId, size: 20, meta: { dsn }, record: async () => undefined });

describe('SmtpTransport passes DSN requests on', () => {
  it('to a next hop with DSN: RET, ENVID, and each recipient\'s NOTIFY and ORCPT', async (t) => {
    const peer = await startPeer(false);
    t.after(() => peer.close());
    const rs = await transport(peer.port).deliver(job(1), new AbortController().signal);
    assert.ok(rs.every((r) => r.outcome === 'delivered' && r.reply.nextHopDsn === true), JSON.stringify(rs));
    assert.equal(peer.seen.length, 1);
    assert.deepEqual(peer.seen[0], {
      ret: 'HDRS', envid: 'q+1',
      rcpts: [
        { address: 'b@example.net', dsn: { notify: ['SUCCESS', 'FAILURE'], orcpt: 'rfc822;B+x@old.test' } },
        { address: 'c@example.net', dsn: { notify: ['NEVER'] } },
        { address: 'd@example.net', dsn: null },
      ],
    });
  });

  it('to a next hop without DSN: plain MAIL and RCPT, no nextHopDsn', async (t) => {
    const peer = await startPeer(true);
    t.after(() => peer.close());
    const rs = await transport(peer.port).deliver(job(2), new AbortController().signal);
    assert.ok(rs.every((r) => r.outcome === 'delivered' && r.reply.nextHopDsn === undefined));
    assert.deepEqual(peer.seen[0]?.rcpts.map((r) => r.dsn), [null, null, null]);
  });
});
