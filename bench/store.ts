/**
 * Store benchmark (issue #2): 10,000 messages of 4 KiB appended durably (blob put + message row in
 * one committed transaction) to 100 mailboxes by 20 concurrent writers, on each backend.
 * Prints messages/s and the p50/p99 latency of one append, and how many commits carried them.
 */
import { randomBytes } from 'node:crypto';
import type { MailboxId } from '../src/core/ids.ts';
import { openTestStore } from '../src/store/testing.ts';
import type { StoreKind } from '../src/store/store.ts';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 10_000);
const MAILBOXES = 100;
const WRITERS = 20;
const SIZE = 4096;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function benchBackend(kind: StoreKind): Promise<void> {
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
  } finally {
    await t.close();
  }
}

export async function run(): Promise<void> {
  for (const kind of ['sqlite', 'postgres'] as const) await benchBackend(kind);
}
