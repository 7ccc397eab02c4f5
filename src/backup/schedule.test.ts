import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadBootConfig } from '../config/boot.ts';
import { BackupSettingsSchema } from '../config/schema/backup.ts';
import { openTestStore } from '../store/testing.ts';
import type { Manifest } from './manifest.ts';
import { runScheduledBackup, scheduledKind, toPrune } from './schedule.ts';

const at = (day: number, hh: number, mm = 0) => new Date(2026, 11, day, hh, mm).getTime();
const made = (name: string, ms: number, base: string | null = null, mail = true) =>
  ({ name, manifest: { createdAt: new Date(ms).toISOString(), base, mail } as Manifest });
const settings = (o: Record<string, unknown> = {}) => BackupSettingsSchema.parse({ dir: '/backups', time: '03:00', fullEveryDays: 7, keep: 3, ...o });

test('a backup is due once a day after backup.time: full every fullEveryDays, incremental between', () => {
  assert.equal(scheduledKind(settings({ dir: '' }), at(4, 4), []), 'none', 'no repository, no schedule');
  assert.equal(scheduledKind(settings(), at(4, 2, 59), []), 'none', 'before the time');
  assert.equal(scheduledKind(settings(), at(4, 3), []), 'full', 'none yet: a full one');
  const full = made('a', at(4, 3));
  assert.equal(scheduledKind(settings(), at(4, 23), [full]), 'none', 'done today');
  assert.equal(scheduledKind(settings(), at(5, 3, 1), [full]), 'incremental');
  assert.equal(scheduledKind(settings(), at(11, 3, 1), [full, made('b', at(10, 3), 'a')]), 'full', 'the full one is 7 days old');
  assert.equal(scheduledKind(settings({ mail: false }), at(5, 3, 1), [full]), 'full', 'without mail there is nothing to add to');
});

test('pruning keeps the newest `keep` backups and every backup they build on', () => {
  const chain = [made('f1', at(1, 3)), made('i2', at(2, 3), 'f1'), made('i3', at(3, 3), 'i2'), made('f4', at(4, 3)), made('i5', at(5, 3), 'f4')];
  assert.deepEqual(toPrune(chain, 2), ['f1', 'i2', 'i3']);
  assert.deepEqual(toPrune(chain, 3), [], 'i3 is kept, so i2 and f1 it builds on stay');
  assert.deepEqual(toPrune(chain, 10), []);
});

test('runScheduledBackup makes the due backup in backup.dir and prunes the old ones', async () => {
  const repo = await mkdtemp(join(tmpdir(), 'youju-sched-'));
  const data = await mkdtemp(join(tmpdir(), 'youju-sched-data-'));
  const { store, blobs, close } = await openTestStore('sqlite');
  try {
    await blobs.put(Buffer.from('Subject: x\r\n\r\nx\r\n'));
    const config = loadBootConfig({ dataDir: data, env: {} });
    let now = at(4, 3, 5);
    const s = settings({ dir: repo, keep: 1 });
    const o = { store, blobs, config, version: 'test', now: () => now };
    const first = await runScheduledBackup(s, o);
    assert.equal(first.made?.manifest.base, null);
    assert.equal(first.made?.manifest.counts.blobs, 1);
    assert.deepEqual((await runScheduledBackup(s, o)).made, undefined, 'once a day');
    now = at(5, 3, 5);
    const second = await runScheduledBackup(s, o);
    assert.equal(second.made?.manifest.base, first.made!.dir.split('/').pop(), 'incremental on the full one');
    assert.deepEqual(second.pruned, [], 'the full one is kept: the incremental builds on it');
    now = at(12, 3, 5);
    const third = await runScheduledBackup(s, o);
    assert.equal(third.made?.manifest.base, null, 'a full one after 7 days');
    assert.equal(third.pruned.length, 2);
    assert.deepEqual(await readdir(repo), [third.made!.dir.split('/').pop()]);
  } finally {
    await close();
    await rm(repo, { recursive: true, force: true });
    await rm(data, { recursive: true, force: true });
  }
});
