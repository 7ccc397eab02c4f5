// An imapflow client for a test server: STARTTLS on the plain IMAP port, self-signed certificate accepted.
import { ImapFlow } from 'imapflow';
import { PASSWORD, type TestServer } from './server.ts';

export function imapClient(t: TestServer, user = 'alice@example.cn', opts: Partial<ConstructorParameters<typeof ImapFlow>[0]> = {}): ImapFlow {
  return new ImapFlow({
    host: '127.0.0.1', port: t.config.ports.imap, secure: false, auth: { user, pass: PASSWORD },
    tls: { rejectUnauthorized: false }, logger: false, ...opts,
  });
}

/**
 * Starts IDLE on the client's selected mailbox, runs `act`, and resolves with the first `event`
 * IDLE reports and how many ms after `act` finished it came (0 when it came sooner). Fails after
 * timeoutMs. The IDLE ends with the client's next command.
 */
export async function heardWhileIdling<T>(c: ImapFlow, event: 'exists' | 'flags', act: () => Promise<unknown>, timeoutMs = 5000): Promise<{ data: T; ms: number }> {
  const heard = new Promise<{ data: T; at: number }>((resolve) => c.once(event, (data: T) => resolve({ data, at: Date.now() })));
  void c.idle();
  await new Promise((r) => setTimeout(r, 100));
  await act();
  const actedAt = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`IDLE reported no ${event} within ${timeoutMs} ms`)), timeoutMs); });
  try {
    const { data, at } = await Promise.race([heard, timeout]);
    return { data, ms: Math.max(0, at - actedAt) };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs fn with `c` connected and INBOX selected (locked), then releases and logs out, whatever fn did. */
export async function withInbox(c: ImapFlow, fn: () => Promise<void>): Promise<void> {
  await c.connect();
  try {
    const lock = await c.getMailboxLock('INBOX');
    try {
      await fn();
    } finally {
      lock.release();
    }
  } finally {
    await c.logout();
  }
}

/** What an IMAP client keeps after a sync: per folder UIDVALIDITY, UIDNEXT and each UID's flags. */
export type Synced = Record<string, { uidValidity: string; uidNext: number; messages: Array<{ uid: number; flags: string[] }> }>;

/** Syncs every folder the way a client that caches mail does, for before/after comparisons (backup, migration). */
export async function syncState(c: ImapFlow): Promise<Synced> {
  const out: Synced = {};
  for (const box of (await c.list()).map((b) => b.path).sort()) {
    const lock = await c.getMailboxLock(box);
    try {
      const mb = c.mailbox as { uidValidity: bigint; uidNext: number; exists: number };
      const messages: Array<{ uid: number; flags: string[] }> = [];
      if (mb.exists > 0) for await (const m of c.fetch('1:*', { uid: true, flags: true })) messages.push({ uid: m.uid, flags: [...(m.flags ?? [])].sort() });
      out[box] = { uidValidity: String(mb.uidValidity), uidNext: mb.uidNext, messages: messages.sort((a, b) => a.uid - b.uid) };
    } finally {
      lock.release();
    }
  }
  return out;
}
