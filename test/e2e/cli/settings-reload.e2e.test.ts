// Runtime settings reload without a restart: a server runtime polling the store sees a value the
// `youju settings set` command (another process) changed, and a bad value is refused with the path.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBootConfig } from '../../../src/config/boot.ts';
import { createLogger } from '../../../src/core/log/logger.ts';
import { openRuntime } from '../../../src/main.ts';
import { youju, youjuAsync } from '../../helpers/cli.ts';

describe('settings reload', () => {
  it('a running runtime applies a setting changed by the CLI', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'youju-settings-'));
    try {
      assert.equal(youju(['--data', dir, 'init', '--domain', 's.test']).code, 0);
      const rt = await openRuntime(loadBootConfig({ dataDir: dir, env: {} }), { pollSettingsMs: 100, logger: createLogger({ level: 'silent' }) });
      try {
        const snapshot = rt.settings.current();
        assert.equal(snapshot.smtp.maxRcptPerMessage, 100);
        const changed = new Promise<readonly string[]>((resolve) => rt.settings.onChange((_next, paths) => resolve(paths)));
        const r = await youjuAsync(['--data', dir, 'settings', 'set', 'smtp.maxRcptPerMessage', '50']);
        assert.equal(r.code, 0, r.stderr);
        // The settings poll timer is unref'd, so hold the event loop open while waiting for it.
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<never>((_r, reject) => { timer = setTimeout(() => reject(new Error('no reload within 10 s')), 10_000); });
        assert.deepEqual(await Promise.race([changed, deadline]), ['smtp.maxRcptPerMessage']);
        clearTimeout(timer);
        assert.equal(rt.settings.current().smtp.maxRcptPerMessage, 50);
        assert.equal(snapshot.smtp.maxRcptPerMessage, 100, 'a session keeps the snapshot it started with');
        const bad = await youjuAsync(['--data', dir, 'settings', 'set', 'smtp.maxRcptPerMessage', '0']);
        assert.equal(bad.code, 2);
        assert.match(bad.stderr, /smtp\.maxRcptPerMessage/);
        const secret = await youjuAsync(['--data', dir, 'settings', 'set', 'delivery.smartHost',
          JSON.stringify({ host: 'relay.test', port: 25, user: 'u', password: 's3cret-pw', tls: 'starttls' }), '--json']);
        assert.equal(secret.code, 0, secret.stderr);
        const shown = await youjuAsync(['--data', dir, 'settings', 'list']);
        assert.ok(!secret.stdout.includes('s3cret-pw') && !shown.stdout.includes('s3cret-pw'), 'passwords are masked');
        assert.match(shown.stdout, /"password":"\*\*\*\*"/);
        const audit = await rt.store.read((tx) => tx.audit.list({ action: 'settings.set' }));
        assert.equal(audit[0]?.target, 'delivery.smartHost');
        assert.ok(!JSON.stringify(audit).includes('s3cret-pw'), 'nor written to the audit log');
        assert.equal(audit[1]?.target, 'smtp.maxRcptPerMessage');
      } finally {
        await rt.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
