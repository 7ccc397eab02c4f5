/**
 * Messages over SQL: append, flags, copy, move, expunge and the change log for CONDSTORE/QRESYNC
 * (RFC 7162). Every write bumps the mailbox's highestmodseq once and stamps the changed rows with
 * it; expunges leave a tombstone (uid, modseq) in `expunged`. uidnext only grows (RFC 3501 §2.3.1.1).
 * Blob reference counts move in the same transaction as the rows that hold them.
 */
import { MailError } from '../../core/errors.ts';
import type { BlobId, MailboxId, MessageId } from '../../core/ids.ts';
import type { FlagChange, Message, MessageIndex, MessageRepo, MessageSort, NewMessage, ThreadSummary, UidSet } from '../store.ts';
import type { Row, SqlConn } from './conn.ts';
import { placeholders } from './conn.ts';
import type { RepoCtx } from './ctx.ts';
import { NO_LIMIT, bool, num, numOrNull, str } from './rows.ts';
import { normaliseFlags } from './flags.ts';

export function toMessage(r: Row): Message {
  return {
    id: num(r.id) as MessageId,
    mailboxId: num(r.mailbox_id) as MailboxId,
    uid: num(r.uid),
    modseq: num(r.modseq),
    flags: str(r.flags) === '' ? [] : str(r.flags).split(' '),
    internalDate: num(r.internal_date),
    size: num(r.size),
    blobId: str(r.blob_id) as BlobId,
    headerPrefix: str(r.header_prefix),
    from: str(r.from_addr),
    to: str(r.to_addr),
    subject: str(r.subject),
    sentAt: numOrNull(r.sent_at),
    hasAttachment: bool(r.has_attachment),
    priority: str(r.priority) as Message['priority'],
    messageIdHeader: str(r.message_id_header),
    threadId: str(r.thread_id),
  };
}

/** The column behind each list order (a fixed table: nothing from the caller reaches the SQL text). */
const SORT_COLUMNS: Record<MessageSort, string> = {
  date: 'internal_date', from: 'from_addr', subject: 'subject', size: 'size', attachment: 'has_attachment',
};

/** The same orders over a conversation's messages (MessageRepo.threads). */
const THREAD_SORTS: Record<MessageSort, string> = {
  date: 'MAX(internal_date)', from: 'MIN(from_addr)', subject: 'MIN(subject)', size: 'SUM(size)', attachment: 'MAX(has_attachment)',
};
const THREAD_KEY = "CASE WHEN thread_id = '' THEN '#' || CAST(uid AS TEXT) ELSE thread_id END";

const threadSummary = (r: Row): ThreadSummary => ({ key: str(r.k), messages: num(r.n), unread: num(r.unread), newestDate: num(r.newest) });

/**
 * The default order (newest conversation first) without grouping the whole folder: walk the
 * messages newest first on the messages_list_date index, in batches, until offset + limit distinct
 * conversations were met (a conversation's place is its newest message's), then count those.
 * Page 1 of a 100,000-message folder reads a few hundred index entries, not all of them.
 */
async function newestThreads(db: SqlConn, mailboxId: MailboxId, offset: number, limit: number): Promise<ThreadSummary[]> {
  const order: string[] = [];
  const seen = new Set<string>();
  let after: { date: number; uid: number } | undefined;
  const batch = Math.max(200, (offset + limit) * 2);
  while (order.length < offset + limit) {
    const rows = await db.all(
      `SELECT ${THREAD_KEY} AS k, internal_date, uid FROM messages WHERE mailbox_id = ?
       ${after ? 'AND (internal_date < ? OR (internal_date = ? AND uid < ?))' : ''}
       ORDER BY internal_date DESC, uid DESC LIMIT ?`,
      after ? [mailboxId, after.date, after.date, after.uid, batch] : [mailboxId, batch]);
    for (const r of rows) {
      const k = str(r.k);
      if (!seen.has(k)) { seen.add(k); order.push(k); }
    }
    if (rows.length < batch) break;
    const last = rows[rows.length - 1]!;
    after = { date: num(last.internal_date), uid: num(last.uid) };
  }
  const keys = order.slice(offset, offset + limit);
  if (keys.length === 0) return [];
  const ids = keys.filter((k) => !k.startsWith('#'));
  const lone = keys.filter((k) => k.startsWith('#')).map((k) => Number(k.slice(1)));
  const rows: Row[] = [];
  if (ids.length > 0) {
    rows.push(...await db.all(
      `SELECT thread_id AS k, COUNT(*) AS n, SUM(1 - seen) AS unread, MAX(internal_date) AS newest FROM messages
       WHERE mailbox_id = ? AND thread_id IN (${placeholders(ids.length)}) GROUP BY thread_id`, [mailboxId, ...ids]));
  }
  if (lone.length > 0) {
    rows.push(...await db.all(
      `SELECT '#' || CAST(uid AS TEXT) AS k, 1 AS n, 1 - seen AS unread, internal_date AS newest FROM messages
       WHERE mailbox_id = ? AND thread_id = '' AND uid IN (${placeholders(lone.length)})`, [mailboxId, ...lone]));
  }
  const byKey = new Map(rows.map((r) => [str(r.k), threadSummary(r)]));
  return keys.flatMap((k) => byKey.get(k) ?? []);
}

const isSeen = (flags: readonly string[]) => flags.includes('\\Seen');

/** `(uid BETWEEN ? AND ?) OR …` for up to 200 ranges at a time (parameter limits differ per dialect). */
async function selectByUids(db: SqlConn, cols: string, mailboxId: MailboxId, uids: UidSet | undefined, tail = ''): Promise<Row[]> {
  if (uids === undefined) {
    return db.all(`SELECT ${cols} FROM messages WHERE mailbox_id = ? ${tail} ORDER BY uid`, [mailboxId]);
  }
  const out: Row[] = [];
  for (let i = 0; i < uids.length; i += 200) {
    const chunk = uids.slice(i, i + 200);
    const where = chunk.map(() => '(uid BETWEEN ? AND ?)').join(' OR ');
    const params = chunk.flatMap((r) => [Math.min(r.from, r.to), Math.max(r.from, r.to)]);
    out.push(...await db.all(`SELECT ${cols} FROM messages WHERE mailbox_id = ? AND (${where}) ${tail} ORDER BY uid`,
      [mailboxId, ...params]));
  }
  if (uids.length > 200) {
    out.sort((a, b) => num(a.uid) - num(b.uid));
    return out.filter((r, i) => i === 0 || num(out[i - 1]!.uid) !== num(r.uid));
  }
  return out;
}

/** Bumps the mailbox row: n new uids, one new modseq, counter deltas. Returns the first new uid and the modseq. */
async function bumpMailbox(db: SqlConn, mailboxId: MailboxId, d: { uids: number; messages: number; unseen: number; bytes: number }) {
  const r = await db.get<Row>(
    `UPDATE mailboxes SET uidnext = uidnext + ?, highestmodseq = highestmodseq + 1,
            messages = messages + ?, unseen = unseen + ?, bytes = bytes + ?
      WHERE id = ? RETURNING uidnext, highestmodseq`,
    [d.uids, d.messages, d.unseen, d.bytes, mailboxId]);
  if (!r) throw new MailError('NOT_FOUND', `mailbox ${mailboxId} does not exist`);
  return { firstUid: num(r.uidnext) - d.uids, modseq: num(r.highestmodseq) };
}

export function messageRepo(ctx: RepoCtx): MessageRepo {
  const { db, now } = ctx;

  async function adjustBlobs(rows: Row[], sign: 1 | -1) {
    const counts = new Map<string, { size: number; n: number }>();
    for (const r of rows) {
      const c = counts.get(str(r.blob_id)) ?? { size: num(r.size), n: 0 };
      c.n += 1;
      counts.set(str(r.blob_id), c);
    }
    for (const [id, c] of counts) {
      await db.run(
        `INSERT INTO blob_refs (id, size, refcount, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET refcount = blob_refs.refcount + excluded.refcount, updated_at = excluded.updated_at`,
        [id, c.size, sign * c.n, now()]);
    }
  }

  async function insertCopies(to: MailboxId, rows: Row[]) {
    const unseen = rows.filter((r) => !bool(r.seen)).length;
    const bytes = rows.reduce((s, r) => s + num(r.size), 0);
    const { firstUid, modseq } = await bumpMailbox(db, to, { uids: rows.length, messages: rows.length, unseen, bytes });
    const map: Array<{ from: number; to: number }> = [];
    for (const [i, r] of rows.entries()) {
      const uid = firstUid + i;
      await db.run(
        `INSERT INTO messages (mailbox_id, uid, modseq, flags, seen, internal_date, size, blob_id, from_addr, to_addr,
                               subject, sent_at, has_attachment, priority, message_id_header, thread_id, header_prefix)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [to, uid, modseq, r.flags, r.seen, r.internal_date, r.size, r.blob_id, r.from_addr, r.to_addr,
          r.subject, r.sent_at, r.has_attachment, r.priority, r.message_id_header, r.thread_id, r.header_prefix]);
      map.push({ from: num(r.uid), to: uid });
    }
    await adjustBlobs(rows, 1);
    return map;
  }

  async function expungeRows(mailboxId: MailboxId, rows: Row[]) {
    if (rows.length === 0) return [];
    const unseen = rows.filter((r) => !bool(r.seen)).length;
    const bytes = rows.reduce((s, r) => s + num(r.size), 0);
    const { modseq } = await bumpMailbox(db, mailboxId, { uids: 0, messages: -rows.length, unseen: -unseen, bytes: -bytes });
    for (const r of rows) {
      await db.run('DELETE FROM messages WHERE mailbox_id = ? AND uid = ?', [mailboxId, r.uid]);
      await db.run('INSERT INTO expunged (mailbox_id, uid, modseq) VALUES (?, ?, ?)', [mailboxId, r.uid, modseq]);
    }
    await adjustBlobs(rows, -1);
    return rows.map((r) => num(r.uid));
  }

  return {
    async append(mailboxId, m: NewMessage) {
      const flags = normaliseFlags(m.flags ?? []);
      const seen = isSeen(flags);
      const { firstUid: uid, modseq } = await bumpMailbox(db, mailboxId, { uids: 1, messages: 1, unseen: seen ? 0 : 1, bytes: m.size });
      const s = m.summary ?? {};
      const r = await db.get<Row>(
        `INSERT INTO messages (mailbox_id, uid, modseq, flags, seen, internal_date, size, blob_id, from_addr, to_addr,
                               subject, sent_at, has_attachment, priority, message_id_header, thread_id, header_prefix)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
        [mailboxId, uid, modseq, flags.join(' '), seen ? 1 : 0, m.internalDate, m.size, m.blobId, s.from ?? '', s.to ?? '',
          s.subject ?? '', s.sentAt ?? null, s.hasAttachment ? 1 : 0, s.priority ?? 'normal', s.messageIdHeader ?? '',
          s.threadId ?? '', m.headerPrefix ?? '']);
      await adjustBlobs([{ blob_id: m.blobId, size: m.size }], 1);
      return { id: num(r!.id) as MessageId, uid, modseq };
    },

    async get(mailboxId, uid) {
      const r = await db.get('SELECT * FROM messages WHERE mailbox_id = ? AND uid = ?', [mailboxId, uid]);
      return r && toMessage(r);
    },

    async page(mailboxId, q) {
      const dir = q.descending ? 'DESC' : 'ASC';
      const rows = await db.all(`SELECT * FROM messages WHERE mailbox_id = ? ORDER BY ${SORT_COLUMNS[q.sort]} ${dir}, uid ${dir} LIMIT ? OFFSET ?`,
        [mailboxId, Math.max(0, Math.floor(q.limit)), Math.max(0, Math.floor(q.offset))]);
      return rows.map(toMessage);
    },

    async threads(mailboxId, q) {
      const limit = Math.max(0, Math.floor(q.limit));
      const offset = Math.max(0, Math.floor(q.offset));
      if (q.sort === 'date' && q.descending) return newestThreads(db, mailboxId, offset, limit);
      const dir = q.descending ? 'DESC' : 'ASC';
      const rows = await db.all(
        `SELECT ${THREAD_KEY} AS k, COUNT(*) AS n, SUM(1 - seen) AS unread, MAX(internal_date) AS newest
         FROM messages WHERE mailbox_id = ? GROUP BY ${THREAD_KEY}
         ORDER BY ${THREAD_SORTS[q.sort]} ${dir}, MAX(uid) ${dir} LIMIT ? OFFSET ?`,
        [mailboxId, limit, offset]);
      return rows.map(threadSummary);
    },

    async threadCount(mailboxId) {
      // Two index-only counts on messages_thread: the threads, and the messages stored without one.
      const threads = await db.get("SELECT COUNT(DISTINCT thread_id) AS n FROM messages WHERE mailbox_id = ? AND thread_id <> ''", [mailboxId]);
      const lone = await db.get("SELECT COUNT(*) AS n FROM messages WHERE mailbox_id = ? AND thread_id = ''", [mailboxId]);
      return num(threads?.n ?? 0) + num(lone?.n ?? 0);
    },

    async inThreads(mailboxId, keys) {
      const ids = keys.filter((k) => !k.startsWith('#'));
      const uids = keys.filter((k) => k.startsWith('#')).map((k) => Number(k.slice(1))).filter(Number.isSafeInteger);
      const out: Row[] = [];
      for (let i = 0; i < ids.length; i += 200) {
        const part = ids.slice(i, i + 200);
        out.push(...await db.all(`SELECT * FROM messages WHERE mailbox_id = ? AND thread_id IN (${placeholders(part.length)})`, [mailboxId, ...part]));
      }
      for (let i = 0; i < uids.length; i += 200) {
        const part = uids.slice(i, i + 200);
        out.push(...await db.all(`SELECT * FROM messages WHERE mailbox_id = ? AND thread_id = '' AND uid IN (${placeholders(part.length)})`, [mailboxId, ...part]));
      }
      return out.map(toMessage).sort((a, b) => a.internalDate - b.internalDate || a.uid - b.uid);
    },

    async list(mailboxId, opts = {}) {
      const tail = opts.afterUid !== undefined ? `AND uid > ${Math.floor(opts.afterUid)}` : '';
      const rows = await selectByUids(db, '*', mailboxId, opts.uids, tail);
      return rows.slice(0, opts.limit ?? NO_LIMIT).map(toMessage);
    },

    async setFlags(mailboxId, uids, op, flagsIn, unchangedSince) {
      const given = normaliseFlags(flagsIn);
      const rows = await selectByUids(db, 'uid, modseq, flags, seen', mailboxId, uids);
      const failed: number[] = [];
      const updates: Array<{ uid: number; flags: string[]; wasSeen: boolean }> = [];
      for (const r of rows) {
        if (unchangedSince !== undefined && num(r.modseq) > unchangedSince) {
          failed.push(num(r.uid));
          continue;
        }
        const old = str(r.flags) === '' ? [] : str(r.flags).split(' ');
        const next = op === 'set' ? given
          : op === 'add' ? normaliseFlags([...old, ...given])
          : old.filter((f) => !given.some((g) => g.toLowerCase() === f.toLowerCase()));
        if (next.join(' ') !== old.join(' ')) updates.push({ uid: num(r.uid), flags: next, wasSeen: bool(r.seen) });
      }
      if (updates.length === 0) return { changed: [], failed };
      const unseenDelta = updates.reduce((d, u) => d + (u.wasSeen === isSeen(u.flags) ? 0 : u.wasSeen ? 1 : -1), 0);
      const { modseq } = await bumpMailbox(db, mailboxId, { uids: 0, messages: 0, unseen: unseenDelta, bytes: 0 });
      const changed: FlagChange[] = [];
      for (const u of updates) {
        await db.run('UPDATE messages SET flags = ?, seen = ?, modseq = ? WHERE mailbox_id = ? AND uid = ?',
          [u.flags.join(' '), isSeen(u.flags) ? 1 : 0, modseq, mailboxId, u.uid]);
        changed.push({ uid: u.uid, modseq, flags: u.flags });
      }
      return { changed, failed };
    },

    async copy(from, uids, to) {
      const rows = await selectByUids(db, '*', from, uids);
      if (rows.length === 0) return [];
      return insertCopies(to, rows);
    },

    async move(from, uids, to) {
      const rows = await selectByUids(db, '*', from, uids);
      if (rows.length === 0) return [];
      const map = await insertCopies(to, rows);
      await expungeRows(from, rows);
      return map;
    },

    async expunge(mailboxId, uids) {
      return expungeRows(mailboxId, await selectByUids(db, 'uid, seen, size, blob_id', mailboxId, uids));
    },

    async changesSince(mailboxId, since) {
      const changed = await db.all<Row>('SELECT uid, modseq, flags FROM messages WHERE mailbox_id = ? AND modseq > ?',
        [mailboxId, since]);
      const gone = await db.all<Row>('SELECT uid, modseq FROM expunged WHERE mailbox_id = ? AND modseq > ?', [mailboxId, since]);
      return [
        ...changed.map((r) => ({ uid: num(r.uid), modseq: num(r.modseq), flags: str(r.flags) === '' ? [] : str(r.flags).split(' ') })),
        ...gone.map((r) => ({ uid: num(r.uid), modseq: num(r.modseq), flags: null })),
      ].sort((a, b) => a.modseq - b.modseq || a.uid - b.uid);
    },

    async metaRange(mailboxId, fromUid, toUid) {
      const rows = await db.all<Row>(
        `SELECT m.uid, m.size, m.internal_date, m.blob_id, m.header_prefix, b.envelope, b.bodystructure
           FROM messages m LEFT JOIN blob_meta b ON b.blob_id = m.blob_id
          WHERE m.mailbox_id = ? AND m.uid BETWEEN ? AND ? ORDER BY m.uid`, [mailboxId, fromUid, toUid]);
      return rows.map((r) => ({
        uid: num(r.uid), size: num(r.size), internalDate: num(r.internal_date), blobId: str(r.blob_id) as BlobId,
        headerPrefix: str(r.header_prefix), envelope: r.envelope == null ? null : str(r.envelope),
        bodystructure: r.bodystructure == null ? null : str(r.bodystructure),
      }));
    },

    async index(mailboxId) {
      const rows = await db.all<Row>('SELECT uid, modseq, flags FROM messages WHERE mailbox_id = ? ORDER BY uid', [mailboxId]);
      const index: MessageIndex = { uids: new Array(rows.length), modseqs: new Array(rows.length), flags: new Array(rows.length) };
      rows.forEach((r, i) => {
        index.uids[i] = num(r.uid);
        index.modseqs[i] = num(r.modseq);
        index.flags[i] = str(r.flags);
      });
      return index;
    },
  };
}
