import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ControlServer, controlRequest, controlSocketPath } from './control-socket.ts';
import { isMailError } from './errors.ts';

describe('control socket', () => {
  it('answers the CLI, refuses unknown commands, and says when no server runs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'youju-control-'));
    try {
      await assert.rejects(controlRequest(dir, 'ping'), (e) => isMailError(e, 'NOT_FOUND') && /no Youju server/.test(e.message));
      const server = await ControlServer.listen(controlSocketPath(dir), {
        echo: (args) => ({ got: args }),
        fail: () => { throw new Error('nope'); },
      });
      assert.equal((await stat(controlSocketPath(dir))).mode & 0o777, 0o600);
      assert.deepEqual(await controlRequest(dir, 'echo', { ip: '192.0.2.1' }), { got: { ip: '192.0.2.1' } });
      await assert.rejects(controlRequest(dir, 'toString'), /unknown control command/);
      await assert.rejects(controlRequest(dir, 'fail'), /nope/);
      await assert.rejects(ControlServer.listen(controlSocketPath(dir), {}), /already runs/);
      await server.close();
      await assert.rejects(controlRequest(dir, 'echo'), (e) => isMailError(e, 'NOT_FOUND'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
