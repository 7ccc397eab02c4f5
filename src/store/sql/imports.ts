/**
 * Migration import (FEATURES A11) over SQL: jobs with a run lease, their accounts and counters, and
 * the per-folder progress markers. advanceFolder and markSeen are compare-and-set writes that throw
 * CONFLICT instead of moving backwards or repeating, so the append they share a transaction with
 * rolls back: that is what makes an import never duplicate a message.
 */
import { MailError } from '../../core/errors.ts';
import type { ImportAccountId, ImportFolderId, ImportJobId, UserId } from '../../core/ids.ts';
import type {
  ImportAccount, ImportAccountState, ImportFolder, ImportJob, ImportJobState, ImportProtocol, ImportRepo, ImportTls,
} from '../store.ts';
import type { Row } from './conn.ts';
import type { RepoCtx } from './ctx.ts';
import { bindable, placeholders } from './conn.ts';
import { bool, isUniqueViolation, num, numOrNull, str, updateRow } from './rows.ts';

const toJob = (r: Row): ImportJob => ({
  id: num(r.id) as ImportJobId,
  state: str(r.state) as ImportJobState,
  createdAt: num(r.created_at),
  createdBy: str(r.created_by),
  leaseOwner: r.lease_owner === null || r.lease_owner === undefined ? null : str(r.lease_owner),
  leaseUntil: numOrNull(r.lease_until),
  startedAt: numOrNull(r.started_at),
  finishedAt: numOrNull(r.finished_at),
});

const toAccount = (r: Row): ImportAccount => ({
  id: num(r.id) as ImportAccountId,
  jobId: num(r.job_id) as ImportJobId,
  line: num(r.line),
  protocol: str(r.protocol) as ImportProtocol,
  host: str(r.host),
  port: num(r.port),
  tls: str(r.tls) as ImportTls,
  verifyTls: bool(r.verify_tls),
  remoteUser: str(r.remote_user),
  userId: num(r.user_id) as UserId,
  state: str(r.state) as ImportAccountState,
  error: str(r.error),
  foldersTotal: num(r.folders_total),
  foldersDone: num(r.folders_done),
  messagesTotal: num(r.messages_total),
  messagesDone: num(r.messages_done),
  imported: num(r.imported),
  bytes: num(r.bytes),
  startedAt: numOrNull(r.started_at),
  finishedAt: numOrNull(r.finished_at),
});

const toFolder = (r: Row): ImportFolder => ({
  id: num(r.id) as ImportFolderId,
  userId: num(r.user_id) as UserId,
  source: str(r.source),
  folder: str(r.folder),
  localName: str(r.local_name),
  uidvalidity: num(r.uidvalidity),
  lastUid: num(r.last_uid),
  imported: num(r.imported),
  updatedAt: num(r.updated_at),
});

const ACCOUNT_COLUMNS: Record<string, string> = {
  state: 'state', error: 'error', foldersTotal: 'folders_total', foldersDone: 'folders_done', messagesTotal: 'messages_total',
  messagesDone: 'messages_done', startedAt: 'started_at', finishedAt: 'finished_at', passwordEnc: 'password',
};

const ACCOUNT_FIELDS = `id, job_id, line, protocol, host, port, tls, verify_tls, remote_user, user_id, state, error, folders_total,
  folders_done, messages_total, messages_done, imported, bytes, started_at, finished_at`;

export function importRepo({ db, now }: RepoCtx): ImportRepo {
  const folder = async (userId: UserId, source: string, name: string): Promise<ImportFolder | undefined> => {
    const r = await db.get('SELECT * FROM import_folders WHERE user_id = ? AND source = ? AND folder = ?', [userId, source, name]);
    return r && toFolder(r);
  };
  return {
    async createJob(j, accounts) {
      const job = await db.get<Row>(
        `INSERT INTO import_jobs (state, created_at, created_by, lease_owner, lease_until, started_at)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING *`,
        [j.leaseOwner ? 'running' : 'queued', now(), j.createdBy, j.leaseOwner ?? null, j.leaseUntil ?? null, j.leaseOwner ? now() : null]);
      for (const a of accounts) {
        await db.run(
          `INSERT INTO import_accounts (job_id, line, protocol, host, port, tls, verify_tls, remote_user, password, user_id)
           VALUES (${placeholders(10)})`,
          [job!.id, a.line, a.protocol, a.host, a.port, a.tls, a.verifyTls, a.remoteUser, a.passwordEnc, a.userId].map(bindable));
      }
      return toJob(job!);
    },
    async getJob(id) {
      const r = await db.get('SELECT * FROM import_jobs WHERE id = ?', [id]);
      return r && toJob(r);
    },
    async listJobs(q = {}) {
      const where = q.states?.length ? `WHERE state IN (${placeholders(q.states.length)})` : '';
      const rows = await db.all(`SELECT * FROM import_jobs ${where} ORDER BY id DESC LIMIT ?`, [...(q.states ?? []), q.limit ?? 100]);
      return rows.map(toJob);
    },
    async claimJob(id, owner, at, leaseUntil, takeOverFrom) {
      // The lease test sits in the UPDATE itself: on PostgreSQL a second claimer waits for the row
      // lock, re-reads the row and then finds the lease taken.
      const n = await db.run(
        `UPDATE import_jobs SET lease_owner = ?, lease_until = ?, state = 'running', started_at = COALESCE(started_at, ?), finished_at = NULL
          WHERE id = ? AND state NOT IN ('done', 'cancelled')
            AND (lease_owner IS NULL OR lease_until IS NULL OR lease_until < ? OR lease_owner = ? OR lease_owner = ?)`,
        [owner, leaseUntil, at, id, at, owner, takeOverFrom ?? owner]);
      return n > 0;
    },
    async renewJob(id, owner, leaseUntil) {
      return (await db.run('UPDATE import_jobs SET lease_until = ? WHERE id = ? AND lease_owner = ?', [leaseUntil, id, owner])) > 0;
    },
    async releaseJob(id, owner, end) {
      if (end) {
        await db.run('UPDATE import_jobs SET lease_owner = NULL, lease_until = NULL, state = ?, finished_at = ? WHERE id = ? AND lease_owner = ?',
          [end.state, end.at, id, owner]);
      } else {
        await db.run('UPDATE import_jobs SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?', [id, owner]);
      }
    },
    async cancelJob(id, at) {
      const n = await db.run(`UPDATE import_jobs SET state = 'cancelled', finished_at = ?, lease_owner = NULL, lease_until = NULL
        WHERE id = ? AND state IN ('queued', 'running')`, [at, id]);
      if (n === 0) return false;
      await db.run(`UPDATE import_accounts SET state = 'failed', error = 'cancelled', password = '', finished_at = ?
        WHERE job_id = ? AND state IN ('pending', 'running')`, [at, id]);
      return true;
    },
    async accounts(jobId) {
      return (await db.all(`SELECT ${ACCOUNT_FIELDS} FROM import_accounts WHERE job_id = ? ORDER BY line, id`, [jobId])).map(toAccount);
    },
    async accountSecret(id) {
      return str((await db.get<Row>('SELECT password FROM import_accounts WHERE id = ?', [id]))?.password);
    },
    async updateAccount(id, patch) {
      await updateRow(db, 'import_accounts', ACCOUNT_COLUMNS, patch, 'id = ?', [id]);
    },
    async countImported(id, d) {
      await db.run('UPDATE import_accounts SET messages_done = messages_done + ?, imported = imported + ?, bytes = bytes + ? WHERE id = ?',
        [d.messages, d.messages, d.bytes, id]);
    },
    folder,
    async putFolder(f) {
      const old = await folder(f.userId, f.source, f.folder);
      if (!old) {
        try {
          const r = await db.get(
            `INSERT INTO import_folders (user_id, source, folder, local_name, uidvalidity, updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING *`,
            [f.userId, f.source, f.folder, f.localName, f.uidvalidity, now()]);
          return toFolder(r!);
        } catch (err) {
          if (isUniqueViolation(err)) throw new MailError('CONFLICT', `import of folder ${f.folder} was started concurrently`, { cause: err });
          throw err;
        }
      }
      if (old.uidvalidity === f.uidvalidity && old.localName === f.localName) return old;
      const reset = old.uidvalidity !== f.uidvalidity;
      if (reset) await db.run('DELETE FROM import_seen WHERE folder_id = ?', [old.id]);
      const r = await db.get(
        `UPDATE import_folders SET local_name = ?, uidvalidity = ?, last_uid = ?, updated_at = ? WHERE id = ? RETURNING *`,
        [f.localName, f.uidvalidity, reset ? 0 : old.lastUid, now(), old.id]);
      return toFolder(r!);
    },
    async advanceFolder(id, uid) {
      const n = await db.run('UPDATE import_folders SET last_uid = ?, imported = imported + 1, updated_at = ? WHERE id = ? AND last_uid < ?',
        [uid, now(), id, uid]);
      if (n === 0) throw new MailError('CONFLICT', `message UID ${uid} was already imported`);
    },
    async markSeen(id, key) {
      const n = await db.run('INSERT INTO import_seen (folder_id, msg_key) VALUES (?, ?) ON CONFLICT DO NOTHING', [id, key]);
      if (n === 0) throw new MailError('CONFLICT', `message ${key} was already imported`);
      await db.run('UPDATE import_folders SET imported = imported + 1, updated_at = ? WHERE id = ?', [now(), id]);
    },
    async seenKeys(id) {
      const rows = await db.all<Row>('SELECT msg_key FROM import_seen WHERE folder_id = ?', [id]);
      return new Set(rows.map((r) => str(r.msg_key)));
    },
  };
}
