/** External POP3 accounts (MultiPOP, DomainPOP) over SQL: the accounts, their run lease, seen UIDLs and Message-IDs. */
import type { PopAccountId, UserId } from '../../core/ids.ts';
import type { PopAccount, PopAccountKind, PopAccountRepo, PopTlsMode } from '../store.ts';
import type { Row } from './conn.ts';
import type { RepoCtx } from './ctx.ts';
import { bindable, placeholders } from './conn.ts';
import { bool, insertUnique, num, numOrNull, str, updateRow } from './rows.ts';

const COLUMNS: Record<string, string> = {
  host: 'host', port: 'port', tls: 'tls', username: 'username', passwordEnc: 'password_enc', useApop: 'use_apop',
  enabled: 'enabled', leaveOnServer: 'leave_on_server', leaveDays: 'leave_days',
};

function toAccount(r: Row): PopAccount {
  return {
    id: num(r.id) as PopAccountId,
    kind: str(r.kind) as PopAccountKind,
    userId: numOrNull(r.user_id) as UserId | null,
    host: str(r.host),
    port: num(r.port),
    tls: str(r.tls) as PopTlsMode,
    username: str(r.username),
    passwordEnc: str(r.password_enc),
    useApop: bool(r.use_apop),
    enabled: bool(r.enabled),
    leaveOnServer: bool(r.leave_on_server),
    leaveDays: num(r.leave_days),
    leaseUntil: num(r.lease_until),
    lastRunAt: numOrNull(r.last_run_at),
    lastSuccessAt: numOrNull(r.last_success_at),
    lastError: str(r.last_error),
    lastFetched: num(r.last_fetched),
    totalFetched: num(r.total_fetched),
    createdAt: num(r.created_at),
  };
}

export function popAccountRepo({ db, now }: RepoCtx): PopAccountRepo {
  return {
    async create(a) {
      const r = await db.get(
        `INSERT INTO pop_accounts (kind, user_id, host, port, tls, username, password_enc, use_apop, enabled, leave_on_server, leave_days, created_at)
         VALUES (${placeholders(12)}) RETURNING *`,
        [a.kind, a.userId, a.host, a.port, a.tls, a.username, a.passwordEnc, a.useApop ?? false, a.enabled ?? true,
          a.leaveOnServer ?? true, a.leaveDays ?? 0, now()].map(bindable));
      return toAccount(r!);
    },
    async get(id) {
      const r = await db.get('SELECT * FROM pop_accounts WHERE id = ?', [id]);
      return r && toAccount(r);
    },
    async list(q = {}) {
      const parts: string[] = [];
      const params: unknown[] = [];
      if (q.userId !== undefined) { parts.push('user_id = ?'); params.push(q.userId); }
      if (q.kind !== undefined) { parts.push('kind = ?'); params.push(q.kind); }
      const rows = await db.all(`SELECT * FROM pop_accounts ${parts.length ? `WHERE ${parts.join(' AND ')}` : ''} ORDER BY id`, params);
      return rows.map(toAccount);
    },
    async update(id, patch) {
      const r = await updateRow(db, 'pop_accounts', COLUMNS, patch, 'id = ?', [id]);
      return r && toAccount(r);
    },
    async delete(id) {
      return (await db.run('DELETE FROM pop_accounts WHERE id = ?', [id])) > 0;
    },
    async claim(id, at, leaseMs) {
      return (await db.run('UPDATE pop_accounts SET lease_until = ? WHERE id = ? AND lease_until <= ?', [at + leaseMs, id, at])) > 0;
    },
    async renew(id, heldUntil, until) {
      return (await db.run('UPDATE pop_accounts SET lease_until = ? WHERE id = ? AND lease_until = ?', [until, id, heldUntil])) > 0;
    },
    async finishRun(id, r) {
      await db.run(
        `UPDATE pop_accounts SET lease_until = 0, last_run_at = ?, last_error = ?, last_fetched = ?,
           total_fetched = total_fetched + ?, last_success_at = CASE WHEN ? = '' THEN ? ELSE last_success_at END
         WHERE id = ?`, [r.at, r.error, r.fetched, r.fetched, r.error, r.at, id]);
    },
    async seen(id) {
      const rows = await db.all<Row>('SELECT uid, seen_at FROM pop_seen WHERE account_id = ?', [id]);
      return new Map(rows.map((r) => [str(r.uid), num(r.seen_at)]));
    },
    async markSeen(id, uid, at) {
      await insertUnique(`collected message ${uid}`, () =>
        db.run('INSERT INTO pop_seen (account_id, uid, seen_at) VALUES (?, ?, ?)', [id, uid, at]));
    },
    async forgetSeen(id, uids) {
      let n = 0;
      for (let i = 0; i < uids.length; i += 500) {
        const chunk = uids.slice(i, i + 500);
        n += await db.run(`DELETE FROM pop_seen WHERE account_id = ? AND uid IN (${placeholders(chunk.length)})`, [id, ...chunk]);
      }
      return n;
    },
    async recordMessageId(id, messageId, at) {
      return (await db.run(
        'INSERT INTO pop_message_ids (account_id, message_id, seen_at) VALUES (?, ?, ?) ON CONFLICT (account_id, message_id) DO NOTHING',
        [id, messageId, at])) > 0;
    },
    async pruneMessageIds(id, before) {
      return db.run('DELETE FROM pop_message_ids WHERE account_id = ? AND seen_at < ?', [id, before]);
    },
  };
}
