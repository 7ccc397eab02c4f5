// Server push (issue #12): GET /api/events streams the user's own mailbox changes as Server-Sent
// Events (folder id and uidnext, nothing of the contents); another user's mail makes no event on
// it; no session is 401; closing the server ends open streams instead of waiting for them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PASSWORD, startTestServer, type TestServer } from '../../helpers/server.ts';
import { WebClient } from '../../helpers/web.ts';

/** Reads a client's event stream, gathering `event:` blocks as they come. */
async function listen(c: WebClient) {
  const cookie = [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const res = await fetch(`${c.base}/api/events`, { headers: { cookie, accept: 'text/event-stream' } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  const events: Array<{ event: string; data: any }> = [];
  let ended = false;
  const reader = res.body!.getReader();
  const done = (async () => {
    let buf = '';
    for (;;) {
      const r = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (r.done) break;
      buf += Buffer.from(r.value!).toString('utf8');
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const ev = /^event: (.+)$/m.exec(block)?.[1];
        const data = /^data: (.+)$/m.exec(block)?.[1];
        if (ev) events.push({ event: ev, data: data ? JSON.parse(data) : undefined });
      }
    }
    ended = true;
  })();
  return { events, done, ended: () => ended, cancel: () => reader.cancel() };
}

describe('web push', () => {
  let t: TestServer;
  let alice: WebClient;
  let bob: WebClient;

  before(async () => {
    t = await startTestServer({ http: true, settings: { 'security.failedLoginDelayMs': 0 } });
    await t.addUser('alice@example.cn');
    await t.addUser('bob@example.cn');
    alice = WebClient.of(t);
    bob = WebClient.of(t);
    assert.equal((await alice.login('alice@example.cn', PASSWORD)).status, 200);
    assert.equal((await bob.login('bob@example.cn', PASSWORD)).status, 200);
  });
  after(() => t?.close());

  it('pushes the own folder that changed, coalesced, and nothing of other users', async () => {
    const inbox = (await alice.get('/api/folders')).json.folders.find((f: { name: string }) => f.name === 'INBOX').id;
    const a = await listen(alice);
    const b = await listen(bob);
    const user = (await t.rt.users.byAddress('alice@example.cn'))!;
    for (let i = 0; i < 3; i++) {
      await t.rt.mailboxes.append(user.id, 'INBOX', { raw: Buffer.from(`Subject: hi ${i}\r\n\r\nsecret body\r\n`) });
    }
    const deadline = Date.now() + 5000;
    while (!a.events.some((e) => e.event === 'mailbox') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 400));
    const pushed = a.events.filter((e) => e.event === 'mailbox');
    assert.ok(pushed.length >= 1 && pushed.length < 3, `coalesced: ${JSON.stringify(pushed)}`);
    assert.deepEqual(pushed.at(-1)!.data, { folderId: inbox, uidnext: 4 });
    assert.deepEqual(b.events, [], "bob hears nothing of alice's mail");
    await a.cancel();
    await b.cancel();
  });

  it('is 401 without a session', async () => {
    assert.equal((await fetch(`${alice.base}/api/events`)).status, 401);
  });

  it('ends open streams when the server closes', async () => {
    const a = await listen(alice);
    const started = Date.now();
    await t.close();
    await a.done;
    assert.ok(a.ended());
    assert.ok(Date.now() - started < 5000, 'the close did not wait for the stream');
    t = undefined as unknown as TestServer;
  });
});
