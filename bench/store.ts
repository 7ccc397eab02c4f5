/**
 * Store benchmark (issue #2, #10): 10,000 messages of 4 KiB (`--messages N` or BENCH_MESSAGES)
 * appended durably (blob put + message row in one committed transaction) to 100 mailboxes by 20
 * concurrent writers, on each backend. Prints messages/s and the p50/p99 latency of one append, and
 * how many commits carried them. In the same run it measures the disk's ceiling for SQLite: raw
 * better-sqlite3 in a temp dir (WAL, synchronous=FULL), one 4 KiB row per commit and 100 rows per
 * commit, and prints Youju's SQLite append rate as a share of it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { MailboxId } from '../src/core/ids.ts';
import { openTestStore } from '../src/store/testing.ts';
import type { StoreKind } from '../src/store/store.ts';
import { messageCount } from './options.ts';

const MAILBOXES = 100;
const WRITERS = 20;
const SIZE = 4096;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function benchBackend(kind: StoreKind, MESSAGES: number): Promise<number> {
  const t = await openTestStore(kind);
  try {
    const mailboxes = await t.store.tx(async (tx) => {
      const d = await tx.domains.create({ name: 'bench.test' });
      const ids: MailboxId[] = [];
      for (let i = 0; i < MAILBOXES; i++) {
        const u = await tx.users.create({ domainId: d.id, localPart: `user${i}`, passwordHash: 'x' });
        ids.push((await tx.mailboxes.create(u.id, 'INBOX', { specialUse: '\\Inbox' })).id);
      }
      return ids;
    });
    // Distinct bodies: identical ones would be deduplicated and measure nothing.
    const bodies = Array.from({ length: MESSAGES }, (_, i) =>
      Buffer.concat([Buffer.from(`Subject: bench ${i}\r\n\r\n`), randomBytes(SIZE / 2).toString('hex').slice(0, SIZE - 40), Buffer.from('\r\n')].map((b) => Buffer.from(b))));
    const latencies: number[] = [];
    let next = 0;
    const before = t.store.stats();
    const start = performance.now();
    await Promise.all(Array.from({ length: WRITERS }, async () => {
      for (let i = next++; i < MESSAGES; i = next++) {
        const t0 = performance.now();
        const body = bodies[i]!;
        const blob = await t.blobs.put(body);
        await t.store.tx((tx) => tx.messages.append(mailboxes[i % MAILBOXES]!, {
          blobId: blob.id, size: blob.size, internalDate: Date.now(), summary: { subject: `bench ${i}` },
        }));
        latencies.push(performance.now() - t0);
      }
    }));
    const seconds = (performance.now() - start) / 1000;
    const after = t.store.stats();
    latencies.sort((a, b) => a - b);
    const total = await t.store.read(async (tx) => {
      let n = 0;
      for (const id of mailboxes) n += (await tx.mailboxes.get(id))!.messages;
      return n;
    });
    console.log(`store/${kind}: ${MESSAGES} appends of ${SIZE} B, ${WRITERS} writers, ${MAILBOXES} mailboxes: ` +
      `${Math.round(MESSAGES / seconds)} msg/s, p50 ${percentile(latencies, 50).toFixed(2)} ms, ` +
      `p99 ${percentile(latencies, 99).toFixed(2)} ms; ${after.commits - before.commits} metadata commits; ${total} stored`);
    return MESSAGES / seconds;
  } finally {
    await t.close();
  }
}

interface Ceiling {
  /** One row per commit. */
  commitsPerSec: number;
  /** BATCH rows per commit. */
  batchedRowsPerSec: number;
}

const BATCH = 100;

/**
 * The disk's ceiling for what Youju's SQLite store does: a bare table in WAL mode with
 * synchronous=FULL (every COMMIT fsyncs the WAL), 4 KiB rows of distinct random bytes, one
 * connection in this thread. `commits` single-row commits, then 10 × commits rows in commits of BATCH.
 */
async function measureCeiling(commits: number): Promise<Ceiling> {
  const dir = await mkdtemp(join(tmpdir(), 'youju-bench-ceiling-'));
  try {
    const db = new Database(join(dir, 'ceiling.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB NOT NULL)');
    const insert = db.prepare('INSERT INTO t (body) VALUES (?)');
    const rows = Array.from({ length: 1000 }, () => randomBytes(SIZE));
    let t0 = performance.now();
    for (let i = 0; i < commits; i++) insert.run(rows[i % rows.length]!); // autocommit: one transaction each
    const commitsPerSec = commits / ((performance.now() - t0) / 1000);
    const batches = Math.max(1, Math.round((10 * commits) / BATCH));
    const batch = db.transaction((k: number) => {
      for (let j = 0; j < BATCH; j++) insert.run(rows[(k * BATCH + j) % rows.length]!);
    });
    t0 = performance.now();
    for (let k = 0; k < batches; k++) batch(k);
    const batchedRowsPerSec = (batches * BATCH) / ((performance.now() - t0) / 1000);
    db.close();
    console.log(`store/ceiling: raw SQLite (better-sqlite3, WAL, synchronous=FULL, ${SIZE} B rows, one thread, ${tmpdir()}): ` +
      `${Math.round(commitsPerSec)} commits/s with one row per commit (${commits} commits); ` +
      `${Math.round(batchedRowsPerSec)} rows/s in commits of ${BATCH} rows (${batches} commits, ${Math.round(batchedRowsPerSec / BATCH)} commits/s)`);
    return { commitsPerSec, batchedRowsPerSec };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const messages = messageCount(10_000);
  const ceiling = await measureCeiling(messages);
  const sqlite = await benchBackend('sqlite', messages);
  console.log(`store/sqlite vs ceiling: ${Math.round(sqlite)} msg/s durable appends = ${(100 * sqlite / ceiling.batchedRowsPerSec).toFixed(1)}% of ` +
    `the batched ceiling (${Math.round(ceiling.batchedRowsPerSec)} rows/s), ${(sqlite / ceiling.commitsPerSec).toFixed(2)}× the one-commit-per-row rate ` +
    `(${Math.round(ceiling.commitsPerSec)}/s); each append writes a blob and a message row`);
  try {
    await benchBackend('postgres', messages);
  } catch (err) {
    console.log(`store/postgres: not run: ${(err as Error).message.split('\n')[0]}`);
  }
}
