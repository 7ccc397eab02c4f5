/**
 * The protection pipeline's tables over SQL (migration 011): daily counters (upserted, so nodes
 * sum into one row), the quarantine (holding a blob reference like a queue entry does) and the
 * greylist triples. Rules (delays, lifetimes, actions) live in pipeline/ and antispam/, not here.
 */
import type { BlobId, QuarantineId, UserId } from '../../core/ids.ts';
import type { CounterRepo, DeliveredIdRepo, GreylistEntry, GreylistRepo, QuarantineRepo, QuarantinedMessage } from '../store.ts';
import type { Row } from './conn.ts';
import type { RepoCtx } from './ctx.ts';
import { num, numOrNull, str } from './rows.ts';

export function counterRepo({ db }: RepoCtx): CounterRepo {
  return {
    async add(day, counts) {
      for (const [name, n] of Object.entries(counts)) {
        if (n === 0) continue;
        await db.run(`INSERT INTO pipeline_counters (day, name, count) VALUES (?, ?, ?)
          ON CONFLICT (day, name) DO UPDATE SET count = pipeline_counters.count + excluded.count`, [day, name, n]);
      }
    },
    async list(fromDay, toDay) {
      const rows = await db.all<Row>('SELECT day, name, count FROM pipeline_counters WHERE day >= ? AND day <= ? ORDER BY day, name', [fromDay, toDay]);
      return rows.map((r) => ({ day: str(r.day), name: str(r.name), count: num(r.count) }));
    },
  };
}

export function deliveredIdRepo({ db }: RepoCtx): DeliveredIdRepo {
  return {
    async record(userId: UserId, messageId, at, since) {
      // One statement, so two deliveries at once cannot both see "new": the upsert only moves a time older than since.
      const inserted = await db.run('INSERT INTO delivered_ids (user_id, message_id, delivered_at) VALUES (?, ?, ?) ON CONFLICT (user_id, message_id) DO NOTHING', [userId, messageId, at]);
      if (inserted > 0) return true;
      return (await db.run('UPDATE delivered_ids SET delivered_at = ? WHERE user_id = ? AND message_id = ? AND delivered_at < ?', [at, userId, messageId, since])) > 0;
    },
    async prune(before) {
      return db.run('DELETE FROM delivered_ids WHERE delivered_at < ?', [before]);
    },
  };
}

const toQuarantined = (r: Row): QuarantinedMessage => ({
  id: num(r.id) as QuarantineId,
  blobId: str(r.blob_id) as BlobId,
  size: num(r.size),
  sender: str(r.sender),
  recipients: JSON.parse(str(r.recipients)) as string[],
  stage: str(r.stage),
  reason: str(r.reason),
  clientIp: str(r.client_ip),
  createdAt: num(r.created_at),
  meta: JSON.parse(str(r.meta) || '{}') as Record<string, unknown>,
});

export function quarantineRepo({ db, now }: RepoCtx): QuarantineRepo {
  const adjustBlob = (id: string, size: number, delta: number) => db.run(
    `INSERT INTO blob_refs (id, size, refcount, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET refcount = blob_refs.refcount + excluded.refcount, updated_at = excluded.updated_at`,
    [id, size, delta, now()]);
  return {
    async add(q) {
      const r = await db.get<Row>(
        `INSERT INTO quarantine (blob_id, size, sender, recipients, stage, reason, client_ip, created_at, meta)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
        [q.blobId, q.size, q.sender, JSON.stringify(q.recipients), q.stage, q.reason, q.clientIp, q.createdAt ?? now(), JSON.stringify(q.meta)]);
      await adjustBlob(q.blobId, q.size, 1);
      return num(r!.id) as QuarantineId;
    },
    async get(id) {
      const r = await db.get<Row>('SELECT * FROM quarantine WHERE id = ?', [id]);
      return r ? toQuarantined(r) : undefined;
    },
    async list(q = {}) {
      const rows = await db.all<Row>('SELECT * FROM quarantine WHERE created_at < ? ORDER BY created_at DESC, id DESC LIMIT ?',
        [q.before ?? Number.MAX_SAFE_INTEGER, q.limit ?? 1000]);
      return rows.map(toQuarantined);
    },
    async remove(id) {
      const r = await db.get<Row>('DELETE FROM quarantine WHERE id = ? RETURNING blob_id, size', [id]);
      if (!r) return false;
      await adjustBlob(str(r.blob_id), num(r.size), -1);
      return true;
    },
  };
}

const toGrey = (r: Row): GreylistEntry => ({
  net: str(r.net), sender: str(r.sender), rcpt: str(r.rcpt),
  firstSeen: num(r.first_seen), lastSeen: num(r.last_seen), passedAt: numOrNull(r.passed_at),
});

export function greylistRepo({ db }: RepoCtx): GreylistRepo {
  return {
    async get(t) {
      const r = await db.get<Row>('SELECT * FROM greylist WHERE net = ? AND sender = ? AND rcpt = ?', [t.net, t.sender, t.rcpt]);
      return r ? toGrey(r) : undefined;
    },
    async start(t, at) {
      await db.run(`INSERT INTO greylist (net, sender, rcpt, first_seen, last_seen, passed_at) VALUES (?, ?, ?, ?, ?, NULL)
        ON CONFLICT (net, sender, rcpt) DO UPDATE SET first_seen = excluded.first_seen, last_seen = excluded.last_seen, passed_at = NULL
        WHERE greylist.passed_at IS NULL AND greylist.first_seen < excluded.first_seen`, [t.net, t.sender, t.rcpt, at, at]);
    },
    async touch(t, at, passed) {
      await db.run(`UPDATE greylist SET last_seen = ?, passed_at = ${passed ? 'COALESCE(passed_at, ?)' : 'passed_at'}
        WHERE net = ? AND sender = ? AND rcpt = ?`, passed ? [at, at, t.net, t.sender, t.rcpt] : [at, t.net, t.sender, t.rcpt]);
    },
    async knownSender(net, sender, since) {
      return (await db.get<Row>('SELECT 1 AS one FROM greylist WHERE net = ? AND sender = ? AND passed_at IS NOT NULL AND last_seen >= ? LIMIT 1',
        [net, sender, since])) !== undefined;
    },
    async prune(unpassedBefore, passedBefore) {
      return db.run('DELETE FROM greylist WHERE (passed_at IS NULL AND first_seen < ?) OR (passed_at IS NOT NULL AND last_seen < ?)',
        [unpassedBefore, passedBefore]);
    },
  };
}
