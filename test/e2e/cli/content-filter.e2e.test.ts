// `youju content-filter` (FEATURES S6): rules added, listed, moved, disabled and removed from the
// command line are the runtime setting contentFilter.rules (a running server picks them up); a bad
// rule is refused naming the field, and every change is audited.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBootConfig } from '../../../src/config/boot.ts';
import { createLogger } from '../../../src/core/log/logger.ts';
import { openRuntime } from '../../../src/main.ts';
import { youju } from '../../helpers/cli.ts';

describe('youju content-filter', () => {
  it('adds, lists, moves, disables and removes rules; refuses a bad one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'youju-cf-'));
    try {
      const run = (...args: string[]) => youju(['--data', dir, 'content-filter', ...args]);
      assert.equal(youju(['--data', dir, 'init', '--domain', 'cf.test']).code, 0);
      const drop = { name: 'no invoices', conditions: [{ field: 'header', header: 'Subject', values: ['发票'] }], actions: [{ type: 'delete' }] };
      const copy = { name: 'watch', actions: [{ type: 'copy', to: ['boss@cf.test'] }] };
      let r = run('add', JSON.stringify(drop));
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /content filter is off/);
      assert.equal(run('add', JSON.stringify(copy), '--at', '1').code, 0);
      assert.equal(run('enable').code, 0);
      r = run('list');
      assert.match(r.stdout, /content filter: on/);
      assert.match(r.stdout, /1\s+watch\s+yes\s+every message → copy boss@cf\.test/);
      assert.match(r.stdout, /2\s+no invoices\s+yes\s+header\[Subject\] contains \["发票"\] → delete/);
      assert.equal(run('move', 'no invoices', '1').code, 0);
      assert.equal(run('disable', 'watch').code, 0);
      r = run('list', '--json');
      const listed = JSON.parse(r.stdout) as { enabled: boolean; rules: Array<{ name: string; enabled: boolean }> };
      assert.deepEqual(listed.rules.map((x) => [x.name, x.enabled]), [['no invoices', true], ['watch', false]]);

      const bad = run('add', JSON.stringify({ name: 'bad', actions: [{ type: 'redirect' }] }));
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /contentFilter\.rules.*to|redirect needs at least one address/);
      assert.equal(run('add', JSON.stringify(copy)).code !== 0, true, 'a second rule of the same name is refused');
      assert.equal(run('remove', 'nope').code !== 0, true);
      assert.equal(run('remove', 'watch').code, 0);

      const rt = await openRuntime(loadBootConfig({ dataDir: dir, env: {} }), { logger: createLogger({ level: 'silent' }) });
      try {
        assert.deepEqual(rt.settings.current().contentFilter.rules.map((x) => x.name), ['no invoices']);
        const audit = await rt.store.read((tx) => tx.audit.list({}));
        const actions = audit.map((a) => a.action).filter((a) => a.startsWith('content-filter.'));
        for (const a of ['content-filter.add', 'content-filter.enable', 'content-filter.move', 'content-filter.disable', 'content-filter.remove']) assert.ok(actions.includes(a), a);
      } finally {
        await rt.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
