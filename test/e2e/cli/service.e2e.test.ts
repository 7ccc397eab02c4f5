// The production start (issue #15 §3): `npm install` builds dist/ (prepare → npm run build) and
// bin/youju.js runs it while it is current, the sources through tsx otherwise; `youju version`
// says which; `youju service install` writes a systemd unit for an unprivileged user.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { youju } from '../../helpers/cli.ts';

const root = fileURLToPath(new URL('../../..', import.meta.url));

describe('production start: compiled build, version, systemd unit', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'youju-service-'));
    // CI's `npm ci` has built it already (prepare); a developer's edits since then make it stale.
    if (youju(['version', '--json']).stdout.includes('"source"')) {
      const b = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, encoding: 'utf8' });
      assert.equal(b.status, 0, b.stderr + b.stdout);
    }
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('runs the compiled build when it is current, the sources when asked to', () => {
    const compiled = JSON.parse(youju(['version', '--json']).stdout) as { version: string; build: string; builtAt: string; node: string };
    assert.equal(compiled.build, 'compiled');
    assert.match(compiled.builtAt, /^\d{4}-\d\d-\d\dT/);
    assert.equal(compiled.node, process.version);
    const source = JSON.parse(youju(['version', '--json'], { YOUJU_FROM_SOURCE: '1' }).stdout) as { build: string };
    assert.equal(source.build, 'source');
    const human = youju(['version']);
    assert.match(human.stdout, /^Youju\s+\d+\.\d+\.\d+$/m);
  });

  it('the compiled build initialises a data directory and serves the CLI', () => {
    const data = join(dir, 'data');
    const init = youju(['--data', data, 'init', '--domain', 'build.test']);
    assert.equal(init.code, 0, init.stderr);
    const list = youju(['--data', data, 'domain', 'list']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /build\.test/);
  });

  it('service install writes a unit that runs youju start as the user, on the configured ports', async () => {
    const me = userInfo().username;
    const r = youju(['--data', join(dir, 'data'), 'service', 'install', '--unit-dir', join(dir, 'units'), '--user', me, '--name', 'mail']);
    assert.equal(r.code, 0, r.stderr);
    const unit = await readFile(join(dir, 'units', 'mail.service'), 'utf8');
    assert.match(unit, new RegExp(`^User=${me}$`, 'm'));
    assert.match(unit, new RegExp(`^ExecStart=${process.execPath} ${join(root, 'bin', 'youju.js')} start --privileged-ports --data ${join(dir, 'data')}$`, 'm'));
    assert.match(unit, /^AmbientCapabilities=CAP_NET_BIND_SERVICE$/m);
    assert.match(unit, /^WantedBy=multi-user.target$/m);
    assert.match(r.stdout, /systemctl daemon-reload && systemctl enable --now mail/);
  });

  it('service install refuses a user that does not exist and a bad unit name, naming the option', () => {
    const noUser = youju(['service', 'install', '--unit-dir', join(dir, 'units'), '--user', 'no-such-user-here']);
    assert.equal(noUser.code, 2);
    assert.match(noUser.stderr, /--user: there is no system user "no-such-user-here"/);
    const badName = youju(['service', 'install', '--unit-dir', join(dir, 'units'), '--name', '../etc/x']);
    assert.equal(badName.code, 2);
    assert.match(badName.stderr, /--name: "\.\.\/etc\/x" is not a valid unit name/);
  });
});
