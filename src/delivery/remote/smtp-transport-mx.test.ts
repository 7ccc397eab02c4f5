// delivery.maxMxPerAttempt: only the best N MX hosts are tried in one attempt; the rest wait for the
// next attempt (or a larger setting, read per job).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { DeliverySettingsSchema, type DeliverySettings } from '../../config/schema/delivery.ts';
import type { BlobId, QueueId } from '../../core/ids.ts';
import { startDnsServer, type TestDnsServer } from '../../../test/helpers/dns-server.ts';
import { DnsResolver } from './dns-resolver.ts';
import { SmtpTransport } from './smtp-transport.ts';

let dns: TestDnsServer;
let server: SMTPServer;
let port = 0;
let received = 0;

before(async () => {
  dns = await startDnsServer({ records: {
    'many.test': { MX: [{ exchange: 'mx1.many.test', priority: 10 }, { exchange: 'mx2.many.test', priority: 20 }, { exchange: 'mx3.many.test', priority: 30 }] },
    'mx1.many.test': { A: ['127.0.0.2'] }, // loopback without a listener: refused
    'mx2.many.test': { A: ['127.0.0.2'] },
    'mx3.many.test': { A: ['127.0.0.1'] },
  } });
  server = new SMTPServer({ logger: false, authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'],
    onData: (s, _session, cb) => { s.resume(); s.on('end', () => { received++; cb(); }); } });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.server.address() as { port: number }).port;
});
after(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await dns.close();
});

describe('SmtpTransport and delivery.maxMxPerAttempt', () => {
  it('tries only the best N MX hosts per attempt', async () => {
    let settings: DeliverySettings = DeliverySettingsSchema.parse({ connectTimeoutSec: 2, maxMxPerAttempt: 2, connectionIdleSec: 0 });
    const lines: string[] = [];
    const t = new SmtpTransport({
      hostname: 'mail.youju.test', port,
      resolver: new DnsResolver({ servers: [dns.server], hosts: {}, timeoutMs: 500, tries: 1, cacheMax: 100, cacheTtlMs: 60_000 }),
      readMessage: async () => Buffer.from('Subject: hi\r\n\r\nHello.\r\n'), settings: () => settings, log: (l) => lines.push(l),
    });
    const job = (n: number) => ({ queueId: n as QueueId, sender: 'a@youju.test', recipients: ['b@many.test'], blobId: 'b'.repeat(64) as BlobId, size: 20, meta: {}, record: async () => undefined });
    const [first] = await t.deliver(job(1), new AbortController().signal);
    assert.equal(first?.outcome, 'deferred');
    assert.equal(received, 0, 'mx3 was not tried');
    assert.ok(lines.some((l) => /first 2 of 3 MX hosts/.test(l)));
    settings = DeliverySettingsSchema.parse({ connectTimeoutSec: 2, maxMxPerAttempt: 5, connectionIdleSec: 0 });
    const [second] = await t.deliver(job(2), new AbortController().signal);
    assert.equal(second?.outcome, 'delivered');
    assert.equal(received, 1);
  });
});
