import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { MailError } from '../core/errors.ts';
import { SettingsSchema } from './schema/index.ts';
import { SettingsService, describeSettings, settingsFrom, type SettingsSource } from './settings.ts';

/** A SettingsSource over a Map, shared by "processes" the way the store is. */
class MemorySource implements SettingsSource {
  readonly data = new Map<string, unknown>();
  ver = 0;
  loads = 0;
  failNext = false;
  constructor(init: Record<string, unknown> = {}) {
    for (const [k, v] of Object.entries(init)) this.data.set(k, v);
  }
  async load(): Promise<Record<string, unknown>> {
    this.loads++;
    if (this.failNext) {
      this.failNext = false;
      throw new Error('store unavailable');
    }
    return Object.fromEntries(this.data);
  }
  async save(key: string, value: unknown): Promise<void> {
    this.data.set(key, structuredClone(value));
    this.ver++;
  }
  async version(): Promise<number> {
    return this.ver;
  }
}

function invalidInput(err: unknown, re: RegExp): boolean {
  assert.ok(err instanceof MailError);
  assert.equal(err.code, 'INVALID_INPUT');
  assert.match(err.message, re);
  return true;
}

describe('SettingsService', () => {
  it('starts from the schema defaults', async () => {
    const s = await SettingsService.open(new MemorySource(), { pollMs: 0 });
    assert.deepEqual(s.current(), SettingsSchema.parse({}));
    assert.equal(s.get('smtp').maxRcptPerMessage, 100);
    assert.equal(s.get('smtp').overQuotaCode, 552);
    assert.equal(s.get('security').failedLoginDelayMs, 1000);
    assert.equal(s.get('limits').imapIdleTimeoutSec, 1800);
    s.close();
  });

  it('overlays stored values, ignores unknown keys and falls back on invalid ones', async () => {
    const warnings: string[] = [];
    const src = new MemorySource({
      'smtp.maxRcptPerMessage': 50,
      'smtp.vrfyEnabled': true,
      'smtp.noSuchKey': 1,
      'nosection.x': 1,
      'smtp': 5,
      '__proto__.polluted': true,
      'limits.smtpIdleTimeoutSec': 'soon',
      'smtp.overQuotaCode': 550,
    });
    const s = await SettingsService.open(src, { pollMs: 0, warn: (m) => warnings.push(m) });
    assert.equal(s.get('smtp').maxRcptPerMessage, 50);
    assert.equal(s.get('smtp').vrfyEnabled, true);
    assert.equal(s.get('limits').smtpIdleTimeoutSec, 300);
    assert.equal(s.get('smtp').overQuotaCode, 552);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(warnings.length, 2, warnings.join('\n'));
    assert.match(warnings.join('\n'), /setting limits\.smtpIdleTimeoutSec: must be a number \(got "soon"\); using the default 300/);
    assert.match(warnings.join('\n'), /setting smtp\.overQuotaCode: must be one of 552, 452 \(got 550\); using the default 552/);
    s.close();
  });

  it('hands out deep-frozen snapshots that a session can keep', async () => {
    const s = await SettingsService.open(new MemorySource(), { pollMs: 0 });
    const before = s.current();
    assert.ok(Object.isFrozen(before) && Object.isFrozen(before.smtp));
    assert.throws(() => { (before.smtp as { maxRset: number }).maxRset = 1; }, TypeError);
    await s.set('smtp.maxRset', 5);
    assert.equal(before.smtp.maxRset, 20, 'an old snapshot never changes');
    assert.equal(s.current().smtp.maxRset, 5);
    assert.notEqual(s.current(), before);
    assert.equal(s.current().security, s.current().security);
    s.close();
  });

  it('set() validates, stores and notifies', async () => {
    const src = new MemorySource();
    const s = await SettingsService.open(src, { pollMs: 0 });
    const seen: string[][] = [];
    const off = s.onChange((next, changed) => {
      assert.equal(next, s.current());
      seen.push([...changed]);
    });
    await s.set('smtp.maxRcptPerMessage', 250);
    assert.equal(src.data.get('smtp.maxRcptPerMessage'), 250);
    assert.equal(s.get('smtp').maxRcptPerMessage, 250);
    await s.set('smtp.maxRcptPerMessage', 250); // no change → no event
    await s.set('smtp.overQuotaCode', 452);
    assert.deepEqual(seen, [['smtp.maxRcptPerMessage'], ['smtp.overQuotaCode']]);
    off();
    await s.set('security.apopEnabled', true);
    assert.equal(seen.length, 2, 'unsubscribed listener is not called');

    await assert.rejects(s.set('smtp.maxRcptPerMessage', 'lots'),
      (e) => invalidInput(e, /^smtp\.maxRcptPerMessage: must be a number \(got "lots"\)$/));
    await assert.rejects(s.set('smtp.maxRcptPerMessage', 0),
      (e) => invalidInput(e, /^smtp\.maxRcptPerMessage: must be at least 1 \(got 0\)$/));
    await assert.rejects(s.set('smtp.maxRcptPerMessage', 2.5), (e) => invalidInput(e, /^smtp\.maxRcptPerMessage: /));
    await assert.rejects(s.set('smtp.nope', 1), (e) => invalidInput(e, /unknown setting "smtp\.nope"/));
    await assert.rejects(s.set('smtp', {}), (e) => invalidInput(e, /unknown setting "smtp"/));
    await assert.rejects(s.set('toString.x', 1), (e) => invalidInput(e, /unknown setting/));
    assert.equal(src.data.has('smtp.nope'), false);
    assert.equal(s.get('smtp').maxRcptPerMessage, 250);
    s.close();
  });

  it('keeps the old snapshot when the source fails to save', async () => {
    const src = new MemorySource();
    src.save = async () => { throw new Error('disk full'); };
    const s = await SettingsService.open(src, { pollMs: 0 });
    await assert.rejects(s.set('smtp.maxRset', 3), /disk full/);
    assert.equal(s.get('smtp').maxRset, 20);
    s.close();
  });

  it('reload() re-reads only when the version moved', async () => {
    const src = new MemorySource();
    const s = await SettingsService.open(src, { pollMs: 0 });
    const loads = src.loads;
    assert.equal(await s.reload(), false);
    assert.equal(src.loads, loads);
    // Another process (the CLI) writes straight to the store.
    await src.save('limits.maxConnectionsPerIp', 5);
    assert.equal(await s.reload(), true);
    assert.equal(s.get('limits').maxConnectionsPerIp, 5);
    s.close();
  });

  it('polls so that a change made elsewhere is seen without restart', { timeout: 5000 }, async () => {
    const src = new MemorySource();
    const warnings: string[] = [];
    const s = await SettingsService.open(src, { pollMs: 10, warn: (m) => warnings.push(m) });
    const changed = new Promise<readonly string[]>((resolve) => s.onChange((_, c) => resolve(c)));
    src.data.set('smtp.hopLimit', 30);
    src.ver++;
    // The poll timer is unref'd (it must not keep a process alive), so a ref'd timer keeps the test running.
    const keepAlive = setInterval(() => {}, 1000);
    assert.deepEqual(await changed, ['smtp.hopLimit']);
    clearInterval(keepAlive);
    assert.equal(s.current().smtp.hopLimit, 30);

    // A failing reload is reported and the snapshot stays; the next poll recovers.
    src.failNext = true;
    src.data.set('smtp.hopLimit', 40);
    src.ver++;
    for (let i = 0; i < 100 && s.current().smtp.hopLimit !== 40; i++) await sleep(10);
    assert.equal(s.current().smtp.hopLimit, 40);
    assert.match(warnings.join('\n'), /settings reload failed: store unavailable/);

    s.close();
    const loads = src.loads;
    src.ver++;
    await sleep(40);
    assert.equal(src.loads, loads, 'no polling after close()');
  });

  it('a throwing listener does not stop the others', async () => {
    const warnings: string[] = [];
    const s = await SettingsService.open(new MemorySource(), { pollMs: 0, warn: (m) => warnings.push(m) });
    let called = false;
    s.onChange(() => { throw new Error('boom'); });
    s.onChange(() => { called = true; });
    await s.set('security.cramMd5Enabled', false);
    assert.ok(called);
    assert.match(warnings[0] ?? '', /settings listener failed: boom/);
    s.close();
  });
});

describe('settingsFrom', () => {
  it('is the defaults for an empty store', () => {
    assert.deepEqual(settingsFrom({}), SettingsSchema.parse({}));
  });
});

describe('describeSettings', () => {
  it('lists every key with its default and a description', () => {
    const d = describeSettings();
    const byPath = new Map(d.map((x) => [x.path, x]));
    const defaults = SettingsSchema.parse({});
    const expected = Object.entries(defaults).flatMap(([sec, obj]) => Object.keys(obj).map((k) => `${sec}.${k}`));
    assert.deepEqual(d.map((x) => x.path), expected);
    for (const x of d) {
      assert.ok(x.description.length > 10, `${x.path} is described`);
      const [sec, key] = x.path.split('.') as [keyof typeof defaults, string];
      assert.deepEqual(x.default, (defaults[sec] as Record<string, unknown>)[key]);
    }
    assert.equal(byPath.get('smtp.maxRcptPerMessage')?.default, 100);
    assert.equal(byPath.get('smtp.vrfyEnabled')?.default, false);
    assert.equal(byPath.get('security.apopEnabled')?.default, false);
    assert.equal(byPath.get('limits.maxConnectionsPerIp')?.default, 100);
  });
});
