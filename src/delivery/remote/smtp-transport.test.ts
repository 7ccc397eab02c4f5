import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { DeliverySettingsSchema, type DeliverySettings } from '../../config/schema/delivery.ts';
import type { BlobId, QueueId } from '../../core/ids.ts';
import { startDnsServer, type TestDnsServer } from '../../../test/helpers/dns-server.ts';
import type { DeliveryJob } from '../transport.ts';
import { DnsResolver } from './dns-resolver.ts';
import { SmtpTransport } from './smtp-transport.ts';

// ── Peers: real smtp-server instances on 127.0.0.1 high ports ─────────────────────────────

interface Received { from: string; to: string[]; body: Buffer; secure: boolean; user?: string }

interface Peer { port: number; received: Received[]; connections: number; close(): Promise<void> }

interface PeerOptions {
  rejectRcpt?: string[];
  deferRcpt?: string[];
  /** Read the data, then never answer (a server stuck after the end of data). */
  stallData?: boolean;
  dataError?: { code: number; message: string };
  tls?: { key: Buffer; cert: Buffer };
  /** TLS from the first byte (port 465 style) instead of STARTTLS; needs tls. */
  implicitTls?: boolean;
  /** Announced EHLO SIZE limit in bytes (RFC 1870). */
  size?: number;
  auth?: { user: string; pass: string };
}

async function startPeer(o: PeerOptions = {}): Promise<Peer> {
  const received: Received[] = [];
  const peer = { port: 0, received, connections: 0, close: async () => {} };
  const smtpErr = (code: number, message: string): Error => Object.assign(new Error(message), { responseCode: code });
  const options: SMTPServerOptions = {
    logger: false,
    banner: 'test peer',
    disabledCommands: o.tls ? (o.auth ? [] : ['AUTH']) : (o.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH']),
    authOptional: !o.auth,
    allowInsecureAuth: true,
    ...(o.tls ? { key: o.tls.key, cert: o.tls.cert, secure: !!o.implicitTls } : {}),
    ...(o.size ? { size: o.size } : {}),
    onConnect: (_s, cb) => { peer.connections++; cb(); },
    onAuth: (auth, _s, cb) => (auth.username === o.auth?.user && auth.password === o.auth?.pass
      ? cb(null, { user: auth.username })
      : cb(smtpErr(535, '5.7.8 Authentication failed'))),
    onRcptTo: (addr, _s, cb) => {
      if (o.rejectRcpt?.includes(addr.address)) return cb(smtpErr(550, `5.1.1 <${addr.address}>: no such user`));
      if (o.deferRcpt?.includes(addr.address)) return cb(smtpErr(450, `4.2.1 <${addr.address}>: mailbox busy`));
      return cb();
    },
    onData: (stream, session, cb) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (o.stallData) return undefined;
        if (o.dataError) return cb(smtpErr(o.dataError.code, o.dataError.message));
        received.push({
          from: session.envelope.mailFrom === false ? '(none)' : session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          body: Buffer.concat(chunks),
          secure: session.secure,
          ...(typeof session.user === 'string' ? { user: session.user } : {}),
        });
        cb(null, '2.0.0 queued as TEST');
      });
    },
  };
  const server = new SMTPServer(options);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  peer.port = (server.server.address() as { port: number }).port;
  peer.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return peer;
}

/** A self-signed certificate from openssl, or undefined when openssl is not installed. */
function selfSigned(): { key: Buffer; cert: Buffer } | undefined {
  if (spawnSync('openssl', ['version']).status !== 0) return undefined;
  const dir = mkdtempSync(join(os.tmpdir(), 'youju-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=mx1.example.net',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ── Fixtures ───────────────────────────────────────────────────────────────────────────────

let dns: TestDnsServer;
let plain: Peer;
let rejecting: Peer;
let tempfail: Peer;
let relay: Peer;
let stalled: Peer;
let tlsPeer: Peer | undefined;
let implicitTlsRelay: Peer | undefined;
let small: Peer;
const RELAY_AUTH = { user: 'relayuser', pass: 's3cret-Relay-Pass' };

before(async () => {
  dns = await startDnsServer({
    records: {
      'example.net': { MX: [{ exchange: 'mx1.example.net', priority: 10 }] },
      'mx1.example.net': { A: ['127.0.0.1'] },
      'fallback.test': { MX: [{ exchange: 'mx2.fallback.test', priority: 20 }, { exchange: 'mx1.fallback.test', priority: 10 }] },
      'mx1.fallback.test': { A: ['127.0.0.2'] }, // loopback, no listener on Linux: connection refused
      'mx2.fallback.test': { A: ['127.0.0.1'] },
      'down.test': { MX: [{ exchange: 'mx.down.test', priority: 10 }] },
      'mx.down.test': { A: ['127.0.0.2'] },
      'null.test': { MX: [{ exchange: '.', priority: 0 }] },
    },
  });
  [plain, rejecting, tempfail, relay, stalled] = await Promise.all([
    startPeer(),
    startPeer({ rejectRcpt: ['nobody@example.net'], deferRcpt: ['busy@example.net'] }),
    startPeer({ dataError: { code: 451, message: '4.3.0 try again later' } }),
    startPeer({ auth: RELAY_AUTH }),
    startPeer({ stallData: true }),
  ]);
  small = await startPeer({ size: 40 });
  const cert = selfSigned();
  if (cert) {
    tlsPeer = await startPeer({ tls: cert });
    implicitTlsRelay = await startPeer({ tls: cert, implicitTls: true, auth: RELAY_AUTH });
  }
});

after(async () => {
  await Promise.all([plain, rejecting, tempfail, relay, stalled, small, tlsPeer, implicitTlsRelay].map((p) => p?.close()));
  await dns.close();
});

const MESSAGE = 'From: a@youju.test\r\nTo: b@example.net\r\nSubject: hi\r\n\r\nHello.\r\n';

function makeTransport(port: number, over: Partial<DeliverySettings> = {}, body: string | Buffer = MESSAGE) {
  const lines: string[] = [];
  const settings = DeliverySettingsSchema.parse({ connectTimeoutSec: 5, greetingTimeoutSec: 10, dataTimeoutSec: 10, ...over });
  const transport = new SmtpTransport({
    hostname: 'mail.youju.test',
    port,
    resolver: new DnsResolver({ servers: [dns.server], hosts: {}, timeoutMs: 500, tries: 1, cacheMax: 100, cacheTtlMs: 60_000 }),
    readMessage: async () => Buffer.from(body),
    settings: () => settings,
    log: (line) => lines.push(line),
  });
  return { transport, lines };
}

let nextId = 1;
const job = (recipients: string[], sender = 'a@youju.test'): DeliveryJob => ({
  queueId: nextId++ as QueueId, sender, recipients, blobId: 'b'.repeat(64) as BlobId, size: MESSAGE.length, meta: {}, record: async () => undefined,
});
const run = (t: SmtpTransport, j: DeliveryJob, signal = new AbortController().signal) => t.deliver(j, signal);
const byRcpt = <T extends { rcpt: string }>(rs: T[]): Record<string, T> => Object.fromEntries(rs.map((r) => [r.rcpt, r]));

// ── Tests ──────────────────────────────────────────────────────────────────────────────────

describe('SmtpTransport', () => {
  it('delivers two recipients of one domain over one connection', async () => {
    const before = { n: plain.received.length, c: plain.connections };
    const { transport, lines } = makeTransport(plain.port);
    const rs = await run(transport, job(['b@example.net', 'c@Example.NET']));
    assert.deepEqual(rs.map((r) => r.outcome), ['delivered', 'delivered']);
    assert.equal(rs[0]?.reply.code, 250);
    assert.equal(rs[0]?.reply.enhanced, '2.0.0');
    assert.equal(rs[0]?.reply.remoteMta, 'mx1.example.net[127.0.0.1]');
    assert.equal(plain.connections - before.c, 1, 'one connection');
    const got = plain.received.slice(before.n);
    assert.equal(got.length, 1, 'one transaction');
    assert.deepEqual(got[0]?.to, ['b@example.net', 'c@Example.NET']);
    assert.equal(got[0]?.from, 'a@youju.test');
    assert.ok(lines.some((l) => l === '--> EHLO mail.youju.test'), 'session log has the EHLO we sent');
    assert.ok(lines.some((l) => /^<-- 250 /.test(l)), 'session log has replies');
  });

  it('splits recipients into maxRecipientsPerConnection per connection', async () => {
    const before = { n: plain.received.length, c: plain.connections };
    const { transport } = makeTransport(plain.port, { maxRecipientsPerConnection: 2, maxConnectionsPerDomain: 1, connectionIdleSec: 0 });
    const rcpts = ['r1@example.net', 'r2@example.net', 'r3@example.net', 'r4@example.net', 'r5@example.net'];
    const rs = await run(transport, job(rcpts));
    assert.ok(rs.every((r) => r.outcome === 'delivered'));
    assert.equal(plain.connections - before.c, 3);
    assert.deepEqual(plain.received.slice(before.n).map((r) => r.to.length).sort(), [1, 2, 2]);
    assert.equal(transport.activeConnections, 0, 'every slot released');
  });

  it('fails only the recipient whose RCPT got 550, defers the one that got 450', async () => {
    const before = rejecting.received.length;
    const { transport } = makeTransport(rejecting.port);
    const r = byRcpt(await run(transport, job(['ok@example.net', 'nobody@example.net', 'busy@example.net'])));
    assert.equal(r['ok@example.net']?.outcome, 'delivered');
    assert.equal(r['busy@example.net']?.outcome, 'deferred');
    assert.deepEqual([r['busy@example.net']?.reply.code, r['busy@example.net']?.reply.enhanced], [450, '4.2.1']);
    assert.equal(r['nobody@example.net']?.outcome, 'failed');
    assert.equal(r['nobody@example.net']?.reply.code, 550);
    assert.equal(r['nobody@example.net']?.reply.enhanced, '5.1.1');
    assert.match(r['nobody@example.net']?.reply.text ?? '', /no such user/);
    assert.equal(r['nobody@example.net']?.reply.remoteMta, 'mx1.example.net[127.0.0.1]');
    assert.deepEqual(rejecting.received.slice(before).map((m) => m.to), [['ok@example.net']]);
  });

  it('defers every recipient when DATA gets 451', async () => {
    const { transport } = makeTransport(tempfail.port);
    const rs = await run(transport, job(['b@example.net', 'c@example.net']));
    for (const r of rs) {
      assert.equal(r.outcome, 'deferred');
      assert.equal(r.reply.code, 451);
      assert.equal(r.reply.enhanced, '4.3.0');
      assert.equal(r.reply.remoteMta, 'mx1.example.net[127.0.0.1]');
    }
  });

  it('falls back to the next MX when the first refuses the connection', async () => {
    const before = plain.received.length;
    const { transport, lines } = makeTransport(plain.port);
    const [r] = await run(transport, job(['x@fallback.test']));
    assert.equal(r?.outcome, 'delivered');
    assert.equal(r?.reply.remoteMta, 'mx2.fallback.test[127.0.0.1]');
    assert.deepEqual(plain.received.slice(before).map((m) => m.to), [['x@fallback.test']]);
    assert.ok(lines.some((l) => l.includes('mx1.fallback.test[127.0.0.2]') && /failed/.test(l)), 'the refused MX is in the log');
  });

  it('fails a domain that does not exist with 5.1.2, and a null MX with 5.1.10', async () => {
    const { transport } = makeTransport(plain.port);
    const r = byRcpt(await run(transport, job(['u@no-such-domain.test', 'v@null.test'])));
    assert.equal(r['u@no-such-domain.test']?.outcome, 'failed');
    assert.equal(r['u@no-such-domain.test']?.reply.enhanced, '5.1.2');
    assert.match(r['u@no-such-domain.test']?.reply.text ?? '', /domain not found/);
    assert.equal(r['u@no-such-domain.test']?.reply.remoteMta, undefined, 'no remote MTA said it');
    assert.equal(r['v@null.test']?.outcome, 'failed');
    assert.equal(r['v@null.test']?.reply.code, 556);
    assert.equal(r['v@null.test']?.reply.enhanced, '5.1.10');
  });

  it('sends everything through the smart host with AUTH, never logging the password', async () => {
    const before = relay.received.length;
    const { transport, lines } = makeTransport(plain.port, {
      mode: 'smarthost', smartHost: { host: '127.0.0.1', port: relay.port, user: RELAY_AUTH.user, password: RELAY_AUTH.pass, tls: 'none' },
    });
    const rs = await run(transport, job(['b@example.net', 'z@no-such-domain.test']));
    assert.deepEqual(rs.map((r) => r.outcome), ['delivered', 'delivered'], 'no MX lookup in smarthost mode');
    assert.equal(rs[0]?.reply.remoteMta, '[127.0.0.1]');
    const got = relay.received.slice(before);
    assert.deepEqual(got.map((m) => m.to), [['b@example.net', 'z@no-such-domain.test']], 'one transaction for all domains');
    assert.ok(got.every((m) => m.user === RELAY_AUTH.user));
    const log = lines.join('\n');
    assert.match(log, /--> AUTH \S+ \*\*\*\*\*\*/);
    assert.ok(!log.includes(RELAY_AUTH.pass) && !log.includes(Buffer.from(RELAY_AUTH.pass).toString('base64')), 'password not logged');
  });

  it('defers when the smart host rejects the credentials', async () => {
    const { transport } = makeTransport(plain.port, {
      mode: 'smarthost', smartHost: { host: '127.0.0.1', port: relay.port, user: RELAY_AUTH.user, password: 'wrong', tls: 'none' },
    });
    const [r] = await run(transport, job(['b@example.net']));
    assert.equal(r?.outcome, 'deferred');
    assert.equal(r?.reply.enhanced, '4.7.0');
  });

  it('direct-then-smarthost: what direct delivery defers goes through the smart host', async () => {
    const before = { relay: relay.received.length, plain: plain.received.length };
    const { transport } = makeTransport(plain.port, {
      mode: 'direct-then-smarthost',
      smartHost: { host: '127.0.0.1', port: relay.port, user: RELAY_AUTH.user, password: RELAY_AUTH.pass, tls: 'none' },
    });
    const r = byRcpt(await run(transport, job(['d@down.test', 'b@example.net', 'n@no-such-domain.test'])));
    assert.equal(r['d@down.test']?.outcome, 'delivered');
    assert.equal(r['d@down.test']?.reply.remoteMta, '[127.0.0.1]');
    assert.equal(r['b@example.net']?.reply.remoteMta, 'mx1.example.net[127.0.0.1]', 'direct when direct works');
    assert.equal(r['n@no-such-domain.test']?.outcome, 'failed', 'permanent failures are not relayed');
    assert.deepEqual(relay.received.slice(before.relay).map((m) => m.to), [['d@down.test']]);
    assert.deepEqual(plain.received.slice(before.plain).map((m) => m.to), [['b@example.net']]);
  });

  it('converts bare LF line ends to CRLF on the wire', async () => {
    const before = plain.received.length;
    const body = 'From: a@youju.test\nSubject: lf\n\nline one\n.leading dot\nline three\r\nlast';
    const { transport } = makeTransport(plain.port, {}, body);
    const [r] = await run(transport, job(['b@example.net']));
    assert.equal(r?.outcome, 'delivered');
    const got = plain.received[before]?.body.toString('utf8');
    assert.equal(got, 'From: a@youju.test\r\nSubject: lf\r\n\r\nline one\r\n.leading dot\r\nline three\r\nlast\r\n');
  });

  it('sends the null sender as MAIL FROM:<>', async () => {
    const before = plain.received.length;
    const { transport, lines } = makeTransport(plain.port);
    const [r] = await run(transport, job(['b@example.net'], ''));
    assert.equal(r?.outcome, 'delivered');
    assert.equal(plain.received[before]?.from, '');
    assert.ok(lines.some((l) => /^--> MAIL FROM:<>/.test(l)));
  });

  it('upgrades with STARTTLS when offered, without checking the certificate', async (t) => {
    if (!tlsPeer) return t.skip('openssl is not installed: cannot make a self-signed certificate for the STARTTLS peer');
    const before = tlsPeer.received.length;
    const { transport, lines } = makeTransport(tlsPeer.port);
    const [r] = await run(transport, job(['b@example.net']));
    assert.equal(r?.outcome, 'delivered');
    assert.equal(tlsPeer.received[before]?.secure, true);
    assert.ok(lines.includes('--> STARTTLS'));
  });

  it('reaches a smart host over implicit TLS with AUTH', async (t) => {
    if (!implicitTlsRelay) return t.skip('openssl is not installed: cannot make a self-signed certificate for the TLS peer');
    const before = implicitTlsRelay.received.length;
    const { transport } = makeTransport(plain.port, {
      mode: 'smarthost',
      smartHost: { host: '127.0.0.1', port: implicitTlsRelay.port, user: RELAY_AUTH.user, password: RELAY_AUTH.pass, tls: 'implicit' },
    });
    const [r] = await run(transport, job(['b@example.net']));
    assert.equal(r?.outcome, 'delivered');
    assert.equal(implicitTlsRelay.received[before]?.secure, true);
    assert.equal(implicitTlsRelay.received[before]?.user, RELAY_AUTH.user);
  });

  it('fails with 5.3.4 a message larger than the server\'s EHLO SIZE', async () => {
    const { transport } = makeTransport(small.port);
    const [r] = await run(transport, job(['b@example.net']));
    assert.equal(r?.outcome, 'failed');
    assert.deepEqual([r?.reply.code, r?.reply.enhanced], [552, '5.3.4']);
    assert.equal(small.received.length, 0);
  });

  it('with requireTls, defers rather than send in plain text', async () => {
    const before = plain.received.length;
    const { transport } = makeTransport(plain.port, { requireTls: true });
    const [r] = await run(transport, job(['b@example.net']));
    assert.equal(r?.outcome, 'deferred');
    assert.equal(r?.reply.enhanced, '4.7.5');
    assert.equal(plain.received.length, before);
  });

  it('defers when the server does not answer the end of data within dataTimeoutSec', async () => {
    const { transport } = makeTransport(stalled.port, { dataTimeoutSec: 1, greetingTimeoutSec: 1 });
    const started = Date.now();
    const [r] = await run(transport, job(['b@example.net']));
    assert.equal(r?.outcome, 'deferred');
    assert.equal(r?.reply.enhanced, '4.4.2');
    assert.match(r?.reply.text ?? '', /lost connection/);
    assert.ok(Date.now() - started < 5000);
  });

  it('stops a session in progress when the signal aborts', async () => {
    const { transport } = makeTransport(stalled.port);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const started = Date.now();
    const [r] = await run(transport, job(['b@example.net']), ac.signal);
    assert.equal(r?.outcome, 'deferred');
    assert.equal(r?.reply.enhanced, '4.3.2');
    assert.ok(Date.now() - started < 3000, 'did not wait for the 10 s data timeout');
    assert.equal(transport.activeConnections, 0);
  });

  it('defers everything when the signal is already aborted', async () => {
    const { transport } = makeTransport(plain.port);
    const ac = new AbortController();
    ac.abort();
    const rs = await run(transport, job(['b@example.net', 'c@fallback.test']), ac.signal);
    assert.deepEqual(rs.map((r) => [r.outcome, r.reply.enhanced]), [['deferred', '4.3.2'], ['deferred', '4.3.2']]);
  });
});
