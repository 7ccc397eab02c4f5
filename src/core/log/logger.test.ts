import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createLogger, isSecretKey, redactSecrets } from './logger.ts';

/** A destination that keeps each JSON line. */
function capture(): { lines: Array<Record<string, unknown>>; raw: string[]; stream: Writable } {
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      raw.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  return { raw, stream, get lines() { return raw.map((l) => JSON.parse(l) as Record<string, unknown>); } };
}

describe('createLogger', () => {
  it('writes JSON lines with level, name and message, honouring the level', () => {
    const out = capture();
    const log = createLogger({ level: 'info', name: 'youju', destination: out.stream });
    log.debug('hidden');
    log.info({ domain: 'example.com' }, 'domain added');
    assert.equal(out.lines.length, 1);
    const [line] = out.lines;
    assert.equal(line?.level, 30);
    assert.equal(line?.name, 'youju');
    assert.equal(line?.msg, 'domain added');
    assert.equal(line?.domain, 'example.com');
  });

  it('removes secret fields at any depth, in arrays, and keeps the rest', () => {
    const out = capture();
    const log = createLogger({ level: 'trace', destination: out.stream });
    const input = {
      user: 'bob@example.com',
      password: 'hunter2',
      pass: 'hunter2',
      a: { b: { c: { d: { e: { secret: 'hunter2', keep: 1, Authorization: 'Basic aHVudGVyMg==' } } } } },
      list: [{ token: 'hunter2', id: 7 }, 'plain', [{ accessToken: 'hunter2' }]],
      headers: { 'x-auth-token': 'hunter2', 'content-type': 'text/plain', cookie: 'sid=hunter2' },
      passwordHash: '$argon2id$hunter2',
      passive: true,
    };
    log.info(input, 'login');
    const raw = out.raw.join('\n');
    assert.ok(!raw.includes('hunter2'), raw);
    assert.ok(!raw.includes('aHVudGVyMg'), raw);
    const line = out.lines[0] as Record<string, any>;
    assert.equal(line.user, 'bob@example.com');
    assert.equal(line.passive, true, 'words that merely start with "pass" stay');
    assert.equal(line.a.b.c.d.e.keep, 1);
    assert.equal('secret' in line.a.b.c.d.e, false, 'removed, not masked');
    assert.deepEqual(line.list, [{ id: 7 }, 'plain', [{}]]);
    assert.deepEqual(line.headers, { 'content-type': 'text/plain' });
    assert.equal(input.password, 'hunter2', 'the caller\'s object is not modified');
    assert.equal(input.a.b.c.d.e.secret, 'hunter2');
  });

  it('scrubs child bindings, grandchildren included', () => {
    const out = capture();
    const log = createLogger({ level: 'info', destination: out.stream });
    const child = log.child({ session: 's1', auth: { user: 'bob', password: 'hunter2' } });
    const grandchild = child.child({ token: 'hunter2', cmd: 'LOGIN' });
    grandchild.info('x');
    const raw = out.raw.join('\n');
    assert.ok(!raw.includes('hunter2'), raw);
    const line = out.lines[0] as Record<string, any>;
    assert.equal(line.session, 's1');
    assert.equal(line.cmd, 'LOGIN');
    assert.deepEqual(line.auth, { user: 'bob' });
  });

  it('still serialises errors, and survives cycles', () => {
    const out = capture();
    const log = createLogger({ level: 'info', destination: out.stream });
    const err = Object.assign(new Error('connect failed'), { code: 'ECONNREFUSED' });
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    log.error({ err, cyclic }, 'oops');
    const line = out.lines[0] as Record<string, any>;
    assert.equal(line.err.message, 'connect failed');
    assert.equal(line.err.code, 'ECONNREFUSED');
    assert.match(line.err.stack, /connect failed/);
    assert.equal(line.cyclic.name, 'loop');
  });
});

describe('redactSecrets', () => {
  it('returns the same object when there is nothing to remove', () => {
    const o = { a: { b: [1, 2, { c: 'x' }] } };
    assert.equal(redactSecrets(o), o);
  });

  it('drops secret properties of errors but keeps message and stack', () => {
    const err = Object.assign(new Error('bad login'), { password: 'hunter2' });
    const r = redactSecrets({ err }) as unknown as { err: Record<string, unknown> };
    assert.equal(r.err.password, undefined);
    assert.equal(r.err.message, 'bad login');
    assert.equal(typeof r.err.stack, 'string');
  });

  it('knows which keys are secret', () => {
    for (const k of ['password', 'Password', 'pass', 'passwd', 'secret', 'clientSecret', 'token', 'refresh_token',
      'authorization', 'Proxy-Authorization', 'newPassword', 'set-cookie']) assert.ok(isSecretKey(k), k);
    for (const k of ['user', 'passive', 'bypass', 'tokens', 'author', 'session', 'ip']) assert.ok(!isSecretKey(k), k);
  });
});
