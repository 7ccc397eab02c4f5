/**
 * The scheduled backup (settings backup.*): once a day at backup.time, a full backup when the last
 * full one is backup.fullEveryDays old (or there is none), an incremental one otherwise; then the
 * repository keeps backup.keep backups, plus whatever a kept incremental backup builds on.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { BackupSettings } from '../config/schema/backup.ts';
import { backup, listBackups, type BackupOptions, type BackupResult } from './backup.ts';
import type { Manifest } from './manifest.ts';

const DAY = 86_400_000;
const localDay = (ms: number) => { const d = new Date(ms); return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`; };
const minutesOfDay = (ms: number) => { const d = new Date(ms); return d.getHours() * 60 + d.getMinutes(); };

/** What to do now: nothing, a full backup, or an incremental one. */
export function scheduledKind(s: BackupSettings, now: number, backups: ReadonlyArray<{ manifest: Manifest }>): 'none' | 'full' | 'incremental' {
  if (s.dir === '') return 'none';
  const [h, m] = s.time.split(':').map(Number) as [number, number];
  if (minutesOfDay(now) < h * 60 + m) return 'none';
  const last = backups[backups.length - 1];
  if (last && localDay(Date.parse(last.manifest.createdAt)) === localDay(now)) return 'none'; // done today
  if (!s.mail) return 'full';
  const lastFull = [...backups].reverse().find((b) => b.manifest.mail && b.manifest.base === null);
  if (!lastFull || now - Date.parse(lastFull.manifest.createdAt) >= s.fullEveryDays * DAY - 3_600_000) return 'full';
  return 'incremental';
}

/** The backups to delete so that `keep` remain, never one a kept backup builds on. */
export function toPrune(backups: ReadonlyArray<{ name: string; manifest: Manifest }>, keep: number): string[] {
  const byName = new Map(backups.map((b) => [b.name, b]));
  const needed = new Set<string>();
  for (const b of backups.slice(-keep)) {
    for (let at: string | null = b.name; at !== null && !needed.has(at);) {
      needed.add(at);
      at = byName.get(at)?.manifest.base ?? null;
    }
  }
  return backups.map((b) => b.name).filter((n) => !needed.has(n));
}

/** Runs the backup that is due, if one is, and prunes; resolves with what it made. */
export async function runScheduledBackup(s: BackupSettings, o: Omit<BackupOptions, 'repo' | 'mail' | 'incremental'>): Promise<{ made?: BackupResult; pruned: string[] }> {
  const backups = await listBackups(s.dir);
  const kind = scheduledKind(s, o.now(), backups);
  if (kind === 'none') return { pruned: [] };
  const made = await backup({ ...o, repo: s.dir, mail: s.mail, incremental: kind === 'incremental' });
  const pruned = toPrune(await listBackups(s.dir), s.keep);
  for (const name of pruned) await rm(join(s.dir, name), { recursive: true, force: true });
  return { made, pruned };
}
