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
