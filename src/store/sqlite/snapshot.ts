/**
 * A consistent copy of the embedded metadata store for youju backup: VACUUM INTO runs in one read
 * transaction, so it sees one committed state while the server's writer goes on (WAL), and it
 * writes a compact, self-contained database file. The copy is then made fit to start from: no
 * leases (the queue runner of whatever node restores it takes every entry), and without mail when
 * asked (folders stay, with their UIDVALIDITY, but empty).
 */
import Database from 'better-sqlite3';
import { rm } from 'node:fs/promises';

/** Tables that hold mail (or what only mail has), emptied in a snapshot without mail. */
const MAIL_TABLES = ['messages', 'expunged', 'queue_recipients', 'queue', 'blob_meta', 'blob_fts_ids', 'blob_refs', 'pop_seen', 'pop_message_ids'];

export async function snapshotSqlite(db: Database.Database, path: string, opts: { mail: boolean }): Promise<void> {
  await rm(path, { force: true });
  db.prepare('VACUUM INTO ?').run(path);
  prepareSnapshotCopy(path, opts);
}

/** Makes a fresh copy fit to start from: no leases, and no mail unless asked. */
export function prepareSnapshotCopy(path: string, opts: { mail: boolean }): void {
  const copy = new Database(path);
  try {
    copy.exec('BEGIN IMMEDIATE');
    copy.exec('UPDATE queue SET lease_owner = NULL, lease_until = NULL');
    copy.exec('DELETE FROM leases');
    if (!opts.mail) {
      const tables = new Set((copy.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((r) => r.name));
      for (const t of MAIL_TABLES) if (tables.has(t)) copy.exec(`DELETE FROM ${t}`);
      if (tables.has('blob_fts')) copy.exec('DELETE FROM blob_fts');
      copy.exec('UPDATE mailboxes SET messages = 0, unseen = 0, bytes = 0');
    }
    copy.exec('COMMIT');
    copy.pragma('wal_checkpoint(TRUNCATE)');
    copy.pragma('journal_mode = DELETE'); // one self-contained file
  } finally {
    copy.close();
  }
}
