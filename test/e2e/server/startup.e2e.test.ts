// A failed start stops everything it started (issue #10 §5): a port taken by someone else makes
// `startServer` fail with CONFIG_INVALID naming the listener, and the listeners, queue runner and
// workers started before it are stopped again, so their ports are free and nothing keeps running.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initialise } from '../../../src/cli/init.ts';
import { loadBootConfig } from '../../../src/config/boot.ts';
import { createLogger } from '../../../src/core/log/logger.ts';
import { openRuntime, startServer, type Runtime } from '../../../src/main.ts';
import { freePort, PASSWORD, TEST_ACTOR } from '../../helpers/server.ts';

const canBind = (port: number) => new Promise<boolean>((resolve) => {
  const s = net.createServer();
  s.once('error', () => resolve(false));
  s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
});

describe('start-up as a stack of roles', () => {
  let dir: string;
  let rt: Runtime;
  let squatter: net.Server;
  let ports: { smtp: number; submission: number; smtps: number; pop3: number; imap: number };
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'youju-startup-'));
    ports = { smtp: await freePort(), submission: await freePort(), smtps: await freePort(), pop3: await freePort(), imap: await freePort() };
    squatter = net.createServer();
    await new Promise<void>((r) => squatter.listen(ports.imap, '127.0.0.1', () => r()));
    const base = loadBootConfig({ dataDir: dir, env: {} });
    const config = {
      ...base, hostname: 'mx.youju.test', listen: '127.0.0.1', dns: { ...base.dns, servers: ['127.0.0.1:9'] },
      ports: { ...base.ports, ...ports, imaps: 0, pop3s: 0, http: 0, https: 0, admin: 0 },
    };
    rt = await openRuntime(config, { logger: createLogger({ level: 'silent' }) });
    await initialise(rt, TEST_ACTOR, { domain: 'example.cn', passwords: { admin: PASSWORD } });
  });
  after(async () => {
    await rt?.close();
    squatter?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('fails on a taken port and leaves nothing listening or listening for events behind', async () => {
    const busListeners = rt.bus.listenerCount('mailbox.changed');
    await assert.rejects(startServer(rt), (err: Error & { code?: string }) =>
      err.code === 'CONFIG_INVALID' && /cannot listen for IMAP: .*EADDRINUSE/.test(err.message));
    for (const [name, port] of Object.entries(ports)) {
      if (name === 'imap') continue;
      assert.ok(await canBind(port), `${name} port ${port} is free again`);
    }
    assert.equal(rt.bus.listenerCount('mailbox.changed'), busListeners, 'the indexer stopped listening to the bus');
  });

  it('starts cleanly once the port is free, and stops', async () => {
    await new Promise<void>((r) => squatter.close(() => r()));
    const server = await startServer(rt);
    assert.deepEqual(server.listeners.map((l) => l.role).sort(), ['imap', 'pop3', 'smtp', 'smtps', 'submission']);
    await server.stop();
    assert.ok(await canBind(ports.smtp));
  });
});
