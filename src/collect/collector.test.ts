// A collector facing a POP3 server without UIDL (RFC 1939 §7: UIDL is optional) keys each message by
// the SHA-256 of its bytes: the first run queues every message, the next one nothing, a new message
// is collected once, and keys of messages gone from the server are forgotten. The server is a fake on
// loopback that answers -ERR to UIDL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { fixedClock } from '../core/clock.ts';
import { openTestStore } from '../store/testing.ts';
import type { PreparedSubmission } from '../queue/queue.ts';
import { collectAccount, type CollectOptions, type CollectorDeps } from './collector.ts';
import { contentUid } from './pop3-client.ts';

/** A POP3 server holding `box` (the test mutates it between runs), plain text, USER/PASS, no UIDL. */
async function fakePop3(box: string[]): Promise<Server> {
  const server = createServer((s) => {
    s.write('+OK ready\r\n');
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString('latin1');
      for (let i = buf.indexOf('\r\n'); i >= 0; i = buf.indexOf('\r\n')) {
        const [cmd, arg] = buf.slice(0, i).split(' ');
        buf = buf.slice(i + 2);
        switch (cmd!.toUpperCase()) {
          case 'LIST': s.write(`+OK\r\n${box.map((m, n) => `${n + 1} ${m.length}\r\n`).join('')}.\r\n`); break;
          case 'RETR': s.write(`+OK\r\n${box[Number(arg) - 1]}.\r\n`); break;
          case 'UIDL': s.write('-ERR unknown command\r\n'); break;
          case 'QUIT': s.end('+OK bye\r\n'); break;
          default: s.write('+OK\r\n');
        }
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

test('without UIDL, messages are keyed by a SHA-256 of their bytes and collected once', async (t) => {
  const msg = (s: string) => `Subject: ${s}\r\nMessage-ID: <${s}@x>\r\n\r\nbody ${s}\r\n`;
  const box = [msg('one'), msg('two')];
  const server = await fakePop3(box);
  t.after(() => server.close());
  const stores = await openTestStore('sqlite');
  t.after(() => stores.close());
  const store = stores.store;
  const account = await store.tx((tx) => tx.popAccounts.create({
    kind: 'domain', userId: null, host: '127.0.0.1', port: (server.address() as AddressInfo).port, tls: 'none',
    username: 'u', passwordEnc: 'p', leaveOnServer: true,
  }));
  const queued: string[] = [];
  const raws: string[] = [];
  const deps: CollectorDeps = {
    store, clock: fixedClock(Date.UTC(2026, 0, 1)), hostname: 'mx.test', secrets: { decrypt: (s) => s },
    queue: {
      prepare: async (p) => ({ ...p, raw: undefined, queuedRaw: p.raw.toString('latin1') }) as unknown as PreparedSubmission,
      enqueue: async (_tx, p) => {
        const raw = (p as unknown as { queuedRaw: string }).queuedRaw;
        raws.push(raw);
        queued.push(/Subject: (\w+)/.exec(raw)![1]!);
        return 1 as never;
      },
      wake: () => undefined,
    },
  };
  const o: CollectOptions = { timeoutMs: 5000, verifyCertificates: false, allowPrivateHosts: true, maxMessageBytes: 0, via: 'domainpop', route: async () => ({ recipients: ['a@b.c'] }) };

  assert.deepEqual(await collectAccount(deps, account, o), { fetched: 2, deleted: 0, duplicates: 0, large: 0, error: '' });
  assert.deepEqual(queued, ['one', 'two']);
  assert.deepEqual([...(await store.read((tx) => tx.popAccounts.seen(account.id))).keys()].sort(),
    [contentUid(Buffer.from(box[0]!)), contentUid(Buffer.from(box[1]!))].sort());

  assert.equal((await collectAccount(deps, account, o)).fetched, 0, 'the second run knows them');
  box.shift();
  box.push(msg('three'));
  assert.equal((await collectAccount(deps, account, o)).fetched, 1);
  assert.deepEqual(queued, ['one', 'two', 'three']);
  assert.equal((await store.read((tx) => tx.popAccounts.seen(account.id))).size, 2, 'the key of "one", gone from the server, is forgotten');

  // Youju's internal fields are stripped from collected mail as from mail that comes by SMTP.
  box.push(`X-Youju-Forwarded: a@b.c\r\n${msg('four')}`);
  assert.equal((await collectAccount(deps, account, o)).fetched, 1);
  assert.deepEqual(queued.at(-1), 'four');
  assert.doesNotMatch(raws.at(-1)!, /X-Youju-/i);
});

test('MultiPOP archiving: the archive copy is queued with the collected message, from the null sender, subject tagged', async (t) => {
  const server = await fakePop3(['From: a@x.test\r\nSubject: hello\r\n\r\nbody\r\n']);
  t.after(() => server.close());
  const stores = await openTestStore('sqlite');
  t.after(() => stores.close());
  const store = stores.store;
  const account = await store.tx((tx) => tx.popAccounts.create({
    kind: 'domain', userId: null, host: '127.0.0.1', port: (server.address() as AddressInfo).port, tls: 'none',
    username: 'u', passwordEnc: 'p', leaveOnServer: true,
  }));
  const queued: Array<{ sender: string; recipients: string[]; raw: string }> = [];
  const deps: CollectorDeps = {
    store, clock: fixedClock(Date.UTC(2026, 0, 1)), hostname: 'mx.test', secrets: { decrypt: (s) => s },
    queue: {
      prepare: async (p) => ({ ...p, raw: undefined, queuedRaw: p.raw.toString('latin1') }) as unknown as PreparedSubmission,
      enqueue: async (_tx, p) => {
        const q = p as unknown as { sender: string; recipients: string[]; queuedRaw: string };
        queued.push({ sender: q.sender, recipients: q.recipients, raw: q.queuedRaw });
        return 1 as never;
      },
      wake: () => undefined,
    },
  };
  const o: CollectOptions = {
    timeoutMs: 5000, verifyCertificates: false, allowPrivateHosts: true, maxMessageBytes: 0, via: 'multipop', route: async () => ({ recipients: ['owner@b.c'] }),
    archiveCopy: () => ({ to: ['archive@b.c'], subjectTag: '[archive]' }),
  };
  assert.equal((await collectAccount(deps, account, o)).fetched, 1);
  assert.deepEqual(queued.map((q) => q.recipients), [['owner@b.c'], ['archive@b.c']]);
  assert.equal(queued[1]!.sender, '');
  assert.match(queued[1]!.raw, /^Subject: \[archive\] hello\r$/m);
  assert.match(queued[0]!.raw, /^Subject: hello\r$/m);
});
