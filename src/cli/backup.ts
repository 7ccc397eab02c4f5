/**
 * `youju backup --out DIR [--no-mail] [--incremental]` and `youju restore DIR [--data DIR]`
 * (issue #15 §1, manual part 4 §1.11): see backup/backup.ts and backup/restore.ts. Progress goes
 * to stderr on a terminal; the result (folder, counts, time, MB/s) to stdout.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { backup, type BackupProgress } from '../backup/backup.ts';
import { restore, type RestoreProgress } from '../backup/restore.ts';
import { MailError } from '../core/errors.ts';
import { youjuVersion } from '../core/version.ts';
import { embeddedMetaPath, openBlobLoad, openStores } from '../main.ts';
import { commandContext, withRuntime, type GlobalOptions } from './context.ts';
import { fields } from './output.ts';

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

/** One line on stderr, rewritten in place, only on a terminal. */
function progressLine(): { show: (text: string) => void; done: () => void } {
  const tty = process.stderr.isTTY === true;
  let last = 0;
  return {
    show(text) {
      const now = Date.now();
      if (!tty || now - last < 100) return;
      last = now;
      process.stderr.write(`\r${text.padEnd(60)}`);
    },
    done() { if (tty) process.stderr.write(`\r${' '.repeat(60)}\r`); },
  };
}

export function registerBackup(program: Command): void {
  program.command('backup').description('back up config, accounts, settings and mail while the server runs')
    .requiredOption('--out <dir>', 'backup repository: each backup is a new folder in it')
    .option('--no-mail', 'accounts, folders and settings only, without messages')
    .option('--incremental', 'add only the mail stored since the last backup in --out')
    .action((f: { out: string; mail: boolean; incremental?: boolean }, cmd: Command) => withRuntime(cmd, async (rt, { out }) => {
      const line = progressLine();
      const show = (p: BackupProgress) => line.show(p.phase === 'blobs' ? `blobs ${p.done} (${mb(p.bytes ?? 0)})` : `${p.phase} ${p.done}${p.total ? `/${p.total}` : ''}`);
      const r = await backup({
        store: rt.store, blobs: rt.blobs, config: rt.config, configFile: cmd.optsWithGlobals<GlobalOptions>().config,
        repo: resolve(f.out), mail: f.mail, incremental: f.incremental === true, version: youjuVersion(), now: rt.clock.now, progress: show,
      }).finally(() => line.done());
      const c = r.manifest.counts;
      out.result({ dir: r.dir, seconds: r.seconds, ...r.manifest }, () => fields([
        ['backup', r.dir],
        ['kind', r.manifest.base ? `incremental, on ${r.manifest.base}` : r.manifest.mail ? 'full' : 'without mail'],
        ['holds', `${c.users} users, ${c.messages} messages, ${c.blobs} blobs (${mb(c.blobBytes)})`],
        ['took', `${r.seconds.toFixed(1)} s (${(c.blobBytes / 2 ** 20 / Math.max(r.seconds, 0.001)).toFixed(1)} MB/s)`],
      ]));
    }));

  program.command('restore <dir>').description('restore a backup (checked first) into an empty data directory, or an empty PostgreSQL database when store.kind is postgres')
    .action(async (dir: string, _f: unknown, cmd: Command) => {
      const { config, out } = commandContext(cmd);
      const line = progressLine();
      const show = (p: RestoreProgress) => line.show(`${p.phase === 'verify' ? 'checking' : 'blobs'} ${p.done}/${p.total}`);
      const r = await restore({
        from: resolve(dir), dataDir: config.dataDir, metaPath: embeddedMetaPath(config), progress: show,
        // PostgreSQL: the backup's embedded copy is loaded into the (empty, migrated) database.
        load: config.store.kind === 'postgres' ? async (metaDb) => {
          const s = await openStores(config);
          try {
            if (!s.store.load) throw new MailError('CONFIG_INVALID', 'this store cannot load a backup');
            await s.store.load(metaDb);
          } finally { await s.store.close(); await s.blobs.close(); }
        } : undefined,
        openBlobs: () => openBlobLoad(config),
      }).finally(() => line.done());
      out.result({ dataDir: config.dataDir, chain: r.chain, blobs: r.blobs, bytes: r.bytes, seconds: r.seconds }, () => fields([
        ['restored', `${r.chain.join(' ← ')} into ${config.dataDir}`],
        ['holds', `${r.manifest.counts.users} users, ${r.manifest.counts.messages} messages, ${r.blobs} blobs (${mb(r.bytes)})`],
        ['took', `${r.seconds.toFixed(1)} s (${(r.bytes / 2 ** 20 / Math.max(r.seconds, 0.001)).toFixed(1)} MB/s)`],
      ]));
    });
}
