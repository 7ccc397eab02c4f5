/**
 * The queue as a table of states (Postfix incoming/active/deferred/hold…) with the next-attempt time
 * indexed, and per-recipient status rows. claim() leases due entries: on PostgreSQL with
 * FOR UPDATE SKIP LOCKED so nodes never share one; on SQLite the single writer is enough.
 */
import type { BlobId, QueueId } from '../../core/ids.ts';
import type { NewQueueEntry, QueueEntry, QueueRecipient, QueueRepo, QueueState, RecipientState } from '../store.ts';
import type { Row } from './conn.ts';
import type { RepoCtx } from './ctx.ts';
import { placeholders } from './conn.ts';
import { num, numOrNull, str } from './rows.ts';

export const QUEUE_STATES: readonly QueueState[] = ['inbound', 'retry', 'holding', 'bad', 'raw'];

const toRecipient = (r: Row): QueueRecipient => ({
  address: str(r.address),
  state: str(r.state) as RecipientState,
  attempts: num(r.attempts),
  lastReply: str(r.last_reply),
  nextAttemptAt: numOrNull(r.next_attempt_at),
});

export function queueRepo({ db, now }: RepoCtx): QueueRepo {
  async function load(rows: Row[]): Promise<QueueEntry[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => num(r.id));
    const rcpts = await db.all<Row>(
      `SELECT * FROM queue_recipients WHERE queue_id IN (${placeholders(ids.length)}) ORDER BY queue_id, address`, ids);
    const byId = new Map<number, QueueRecipient[]>();
    for (const r of rcpts) {
      const list = byId.get(num(r.queue_id)) ?? [];
      list.push(toRecipient(r));
      byId.set(num(r.queue_id), list);
    }
    return rows.map((r) => ({
      id: num(r.id) as QueueId,
      state: str(r.state) as QueueState,
      sender: str(r.sender),
      blobId: str(r.blob_id) as BlobId,
      size: num(r.size),
      priority: num(r.priority),
      createdAt: num(r.created_at),
      nextAttemptAt: num(r.next_attempt_at),
      attempts: num(r.attempts),
      leaseOwner: r.lease_owner === null ? null : str(r.lease_owner),
      leaseUntil: numOrNull(r.lease_until),
      lastError: str(r.last_error),
      meta: JSON.parse(str(r.meta) || '{}') as Record<string, unknown>,
      recipients: byId.get(num(r.id)) ?? [],
    }));
  }

  const adjustBlob = (id: string, size: number, delta: number) => db.run(
    `INSERT INTO blob_refs (id, size, refcount, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET refcount = blob_refs.refcount + excluded.refcount, updated_at = excluded.updated_at`,
    [id, size, delta, now()]);

  async function remove(id: QueueId): Promise<boolean> {
    const r = await db.get<Row>('DELETE FROM queue WHERE id = ? RETURNING blob_id, size', [id]);
    if (!r) return false;
    await adjustBlob(str(r.blob_id), num(r.size), -1);
    return true;
  }

  async function recordRecipients(id: QueueId, recipients: Parameters<QueueRepo['recordRecipients']>[1]): Promise<void> {
    for (const r of recipients) {
      await db.run(
        `UPDATE queue_recipients SET state = ?, last_reply = ?, next_attempt_at = ?, attempts = attempts + 1
          WHERE queue_id = ? AND address = ?`,
        [r.state, r.lastReply, r.nextAttemptAt, id, r.address]);
    }
  }

  return {
    async enqueue(e: NewQueueEntry) {
      const t = now();
      const r = await db.get<Row>(
        `INSERT INTO queue (state, sender, blob_id, size, priority, created_at, next_attempt_at, meta, lease_owner, lease_until)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
        [e.state, e.sender, e.blobId, e.size, e.priority ?? 0, t, e.nextAttemptAt ?? t, JSON.stringify(e.meta ?? {}),
          e.lease?.owner ?? null, e.lease?.until ?? null]);
      const id = num(r!.id) as QueueId;
      for (const address of new Set(e.recipients)) {
        await db.run('INSERT INTO queue_recipients (queue_id, address) VALUES (?, ?)', [id, address]);
      }
      await adjustBlob(e.blobId, e.size, 1);
      return id;
    },
    async get(id) {
      return (await load(await db.all('SELECT * FROM queue WHERE id = ?', [id])))[0];
    },
    async list(q = {}) {
      const rows = q.state === undefined
        ? await db.all('SELECT * FROM queue ORDER BY id LIMIT ?', [q.limit ?? 1000])
        : await db.all('SELECT * FROM queue WHERE state = ? ORDER BY id LIMIT ?', [q.state, q.limit ?? 1000]);
      return load(rows);
    },
    async claim(node, states, limit, at, leaseMs) {
      if (states.length === 0 || limit <= 0) return [];
      const lock = db.dialect === 'postgres' ? 'FOR UPDATE SKIP LOCKED' : '';
      const due = await db.all<Row>(
        `SELECT id FROM queue WHERE state IN (${placeholders(states.length)}) AND next_attempt_at <= ?
            AND (lease_until IS NULL OR lease_until < ?)
          ORDER BY priority DESC, created_at, id LIMIT ? ${lock}`,
        [...states, at, at, limit]);
      if (due.length === 0) return [];
      const ids = due.map((r) => num(r.id));
      await db.run(`UPDATE queue SET lease_owner = ?, lease_until = ? WHERE id IN (${placeholders(ids.length)})`,
        [node, at + leaseMs, ...ids]);
      const rows = await db.all<Row>(
        `SELECT * FROM queue WHERE id IN (${placeholders(ids.length)}) ORDER BY priority DESC, created_at, id`, ids);
      return load(rows);
    },
    recordRecipients,
    async settle(id, next, recipients) {
      await recordRecipients(id, recipients);
      if (next === null) {
        await remove(id);
        return;
      }
      await db.run(
        `UPDATE queue SET state = ?, next_attempt_at = ?, last_error = ?, attempts = attempts + 1,
                lease_owner = NULL, lease_until = NULL, meta = COALESCE(?, meta) WHERE id = ?`,
        [next.state, next.nextAttemptAt, next.lastError ?? '', next.meta === undefined ? null : JSON.stringify(next.meta), id]);
    },
    async releaseLeases(owner) {
      return db.run('UPDATE queue SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ?', [owner]);
    },
    async reschedule(id, state, nextAttemptAt) {
      // Deferred recipients become due at the same time as the entry ("retry now" means them).
      await db.run("UPDATE queue_recipients SET next_attempt_at = ? WHERE queue_id = ? AND state = 'deferred'", [nextAttemptAt, id]);
      return (await db.run('UPDATE queue SET state = ?, next_attempt_at = ?, lease_owner = NULL, lease_until = NULL WHERE id = ?',
        [state, nextAttemptAt, id])) > 0;
    },
    delete: remove,
    async counts() {
      const rows = await db.all<Row>('SELECT state, COUNT(*) AS n FROM queue GROUP BY state');
      const out = Object.fromEntries(QUEUE_STATES.map((s) => [s, 0])) as Record<QueueState, number>;
      for (const r of rows) out[str(r.state) as QueueState] = num(r.n);
      return out;
    },
  };
}
