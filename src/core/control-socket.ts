/**
 * A local control channel from the `youju` CLI to the server running on the same data dir, for
 * state that lives only in the server's memory (the login throttle's bans); everything else the CLI
 * reaches through the store. A Unix socket at DATA/run/control.sock, mode 0600 (only the data dir's
 * owner), one JSON request `{command, args}` per connection and one JSON reply `{ok, result | error}`.
 * Not a cluster channel: it reaches the node whose data dir it is given.
 */
import { chmod, mkdir, rm } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import { MailError } from './errors.ts';

export type ControlHandler = (args: Record<string, unknown>) => Promise<unknown> | unknown;

// 64 KiB is far beyond any request we define; a peer sending more is not the CLI.
const MAX_REQUEST = 64 * 1024;

export function controlSocketPath(dataDir: string): string {
  return join(dataDir, 'run', 'control.sock');
}

export class ControlServer {
  private constructor(private readonly server: net.Server, private readonly path: string) {}

  /** Listens at path (a stale socket left by a crashed server is replaced). */
  static async listen(path: string, handlers: Readonly<Record<string, ControlHandler>>): Promise<ControlServer> {
    await mkdir(join(path, '..'), { recursive: true, mode: 0o700 });
    if (await isAnswering(path)) throw new MailError('CONFIG_INVALID', `another Youju server already runs on ${path}`);
    await rm(path, { force: true });
    const server = net.createServer((socket) => serve(socket, handlers));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => { server.off('error', reject); resolve(); });
    });
    await chmod(path, 0o600);
    return new ControlServer(server, path);
  }

  async close(): Promise<void> {
    await new Promise<void>((r) => this.server.close(() => r()));
    await rm(this.path, { force: true });
  }
}

function serve(socket: net.Socket, handlers: Readonly<Record<string, ControlHandler>>): void {
  let buf = '';
  socket.setEncoding('utf8');
  socket.setTimeout(10_000, () => socket.destroy());
  socket.on('error', () => undefined);
  socket.on('data', (chunk: string) => {
    buf += chunk;
    if (buf.length > MAX_REQUEST) return socket.destroy();
    const nl = buf.indexOf('\n');
    if (nl < 0) return;
    socket.removeAllListeners('data');
    void answer(buf.slice(0, nl), handlers).then((reply) => socket.end(`${JSON.stringify(reply)}\n`));
  });
}

async function answer(line: string, handlers: Readonly<Record<string, ControlHandler>>): Promise<unknown> {
  try {
    const req = JSON.parse(line) as { command?: unknown; args?: unknown };
    const command = typeof req.command === 'string' ? req.command : '';
    if (!Object.hasOwn(handlers, command)) return { ok: false, error: `unknown control command "${command.slice(0, 50)}"` };
    const args = req.args !== null && typeof req.args === 'object' ? req.args as Record<string, unknown> : {};
    return { ok: true, result: await handlers[command]!(args) };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

function isAnswering(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(path, () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false));
  });
}

/** Sends one request to the server running on dataDir. NOT_FOUND when none runs there. */
export function controlRequest(dataDir: string, command: string, args: Record<string, unknown> = {}): Promise<unknown> {
  const path = controlSocketPath(dataDir);
  return new Promise((resolve, reject) => {
    const s = net.connect(path);
    let buf = '';
    s.setEncoding('utf8');
    s.setTimeout(10_000, () => s.destroy(new Error('the server did not answer within 10 s')));
    s.on('connect', () => s.write(`${JSON.stringify({ command, args })}\n`));
    s.on('data', (d: string) => { buf += d; });
    s.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') {
        reject(new MailError('NOT_FOUND', `no Youju server is running on ${dataDir}`));
      } else {
        reject(err);
      }
    });
    s.on('end', () => {
      try {
        const reply = JSON.parse(buf) as { ok: boolean; result?: unknown; error?: string };
        if (reply.ok) resolve(reply.result);
        else reject(new MailError('INVALID_INPUT', reply.error ?? 'refused'));
      } catch {
        reject(new MailError('INTERNAL', 'the server sent an unreadable control reply'));
      }
    });
  });
}
