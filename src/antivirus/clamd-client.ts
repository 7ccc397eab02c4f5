/**
 * A clamd client (FEATURES S15): INSTREAM over a unix socket or TCP (clamd(8): `zINSTREAM\0`, then
 * chunks each prefixed by its length as a 4-byte big-endian integer, a zero-length chunk to end,
 * and one reply `stream: OK` / `stream: <name> FOUND` / `<text> ERROR` ended by NUL). What clamd
 * cannot scan is "unscannable", never clean: its size or nesting limits (Heuristics.Limits.Exceeded.*,
 * with AlertExceedsMax), encrypted archives and documents (Heuristics.Encrypted.*), and a stream over
 * StreamMaxLength. A connection failure, a timeout or any other ERROR throws ClamdUnavailable:
 * the caller holds the message. Address: `unix:/path` or `host:port` (setting antivirus.clamd).
 */
import { connect, type Socket } from 'node:net';

export type ScanResult =
  | { kind: 'clean' }
  | { kind: 'infected'; signature: string }
  | { kind: 'unscannable'; reason: string };

/** clamd could not give a verdict (down, refused, too slow, an error of its own). */
export class ClamdUnavailable extends Error {
  constructor(message: string, opts?: { cause?: unknown }) {
    super(message, opts);
    this.name = 'ClamdUnavailable';
  }
}

const CHUNK = 64 * 1024;
/** A message up to this size goes to clamd in one write; larger ones chunk by chunk, as the socket drains. */
const ONE_WRITE_MAX = 1024 * 1024;
const INSTREAM = Buffer.from('zINSTREAM\0');
/** The zero-length chunk that ends the stream. */
const END = Buffer.alloc(4);
/** Signatures that mean "could not look inside", not "found something". */
const UNSCANNABLE = /^Heuristics\.(Limits\.Exceeded|Encrypted)\b/;

/** Where clamd listens: a unix socket path or a TCP host and port. */
export function parseClamdAddress(address: string): { path: string } | { host: string; port: number } {
  if (address.startsWith('unix:')) return { path: address.slice(5) };
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(address);
  if (!m) throw new ClamdUnavailable(`not a clamd address: ${address} (unix:/path or host:port)`);
  return { host: m[1]!, port: Number(m[2]) };
}

/** What one clamd reply line means. */
export function classifyReply(reply: string): ScanResult {
  const text = reply.replace(/\0+$/, '').trim();
  if (/^stream: OK$/.test(text)) return { kind: 'clean' };
  const found = /^stream: (.+) FOUND$/.exec(text);
  if (found) {
    const signature = found[1]!;
    return UNSCANNABLE.test(signature) ? { kind: 'unscannable', reason: signature } : { kind: 'infected', signature };
  }
  if (/size limit exceeded/i.test(text)) return { kind: 'unscannable', reason: 'INSTREAM size limit exceeded' };
  throw new ClamdUnavailable(`clamd answered: ${text || '(nothing)'}`);
}

/** Sends `data` to clamd and returns its verdict. Throws ClamdUnavailable when there is none. */
export async function scanBuffer(address: string, data: Buffer, timeoutMs: number): Promise<ScanResult> {
  const target = parseClamdAddress(address);
  return new Promise<ScanResult>((resolve, reject) => {
    let reply = '';
    let settled = false;
    const socket: Socket = 'path' in target ? connect(target.path) : connect(target.port, target.host);
    const finish = (err: Error | undefined, result?: ScanResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(result!);
    };
    const timer = setTimeout(() => finish(new ClamdUnavailable(`clamd gave no answer within ${timeoutMs} ms`)), timeoutMs);
    let streaming = false;
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (settled) return;
      const unavailable = new ClamdUnavailable(`clamd at ${address}: ${err.code ?? err.message}`, { cause: err });
      // clamd answers "INSTREAM size limit exceeded" and closes once a stream passes its
      // StreamMaxLength; our next write then fails, often before that reply could be read. If clamd
      // still answers PING it is up and refused this stream: unscannable. If not, it went away.
      if (streaming && (err.code === 'EPIPE' || err.code === 'ECONNRESET')) {
        void ping(address, Math.min(timeoutMs, 5000)).then((up) => finish(up ? undefined : unavailable,
          { kind: 'unscannable', reason: 'clamd closed the stream (over its StreamMaxLength?)' }));
        return;
      }
      finish(unavailable);
    });
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\0')) {
        try {
          finish(undefined, classifyReply(reply.slice(0, reply.indexOf('\0'))));
        } catch (err) {
          finish(err as Error);
        }
      }
    });
    socket.on('end', () => {
      if (reply.length > 0) {
        try {
          finish(undefined, classifyReply(reply));
        } catch (err) {
          finish(err as Error);
        }
      } else if (streaming) {
        void ping(address, Math.min(timeoutMs, 5000)).then((up) => finish(up ? undefined : new ClamdUnavailable(`clamd at ${address} went away`),
          { kind: 'unscannable', reason: 'clamd closed the stream (over its StreamMaxLength?)' }));
      } else finish(new ClamdUnavailable(`clamd at ${address} closed the connection without an answer`));
    });
    socket.on('connect', () => {
      void (async () => {
        const write = (b: Buffer) => new Promise<void>((res) => { if (!socket.write(b)) socket.once('drain', res); else res(); });
        // Frames gather and go out together: for a message up to ONE_WRITE_MAX, the command, its chunks
        // and the end in one write (a system call each cost more than the copy); larger, chunk by chunk.
        const gathered: Buffer[] = [INSTREAM];
        const flush = () => write(Buffer.concat(gathered.splice(0)));
        streaming = true;
        for (let off = 0; off < data.length && !settled && !socket.destroyed; off += CHUNK) {
          const part = data.subarray(off, Math.min(off + CHUNK, data.length));
          const len = Buffer.alloc(4);
          len.writeUInt32BE(part.length);
          gathered.push(len, part);
          if (data.length > ONE_WRITE_MAX) await flush();
        }
        gathered.push(END);
        if (!settled && !socket.destroyed) await flush();
      })();
    });
  });
}

/** clamd's PING → PONG: whether it is up. */
export async function ping(address: string, timeoutMs: number): Promise<boolean> {
  const target = parseClamdAddress(address);
  return new Promise<boolean>((resolve) => {
    const socket = 'path' in target ? connect(target.path) : connect(target.port, target.host);
    let reply = '';
    const timer = setTimeout(() => { socket.destroy(); resolve(false); }, timeoutMs);
    socket.on('error', () => { clearTimeout(timer); resolve(false); });
    socket.on('connect', () => socket.write('zPING\0'));
    socket.on('data', (d) => {
      reply += d.toString('latin1');
      if (reply.includes('\0')) { clearTimeout(timer); socket.destroy(); resolve(reply.startsWith('PONG')); }
    });
  });
}
