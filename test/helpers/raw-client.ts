/**
 * A raw line client over TCP for protocol tests that must control every byte (pipelining, literals,
 * hostile input): send() writes exactly what it is given, line() waits for the next line matching a
 * pattern (default: an SMTP final reply), until() returns everything up to such a line.
 */
import net from 'node:net';

export class RawClient {
  private buffer = '';
  private waiters: Array<() => void> = [];
  readonly socket: net.Socket;
  closed = false;
  readonly opened = Date.now();

  /** `from`: the local address to connect from (another loopback address, e.g. 127.0.0.2, is another client IP). */
  constructor(port: number, from?: string) {
    this.socket = net.connect({ port, host: '127.0.0.1', localAddress: from });
    this.socket.setEncoding('latin1');
    this.socket.on('data', (d: string) => {
      this.buffer += d;
      for (const w of this.waiters.splice(0)) w();
    });
    this.socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w();
    });
    this.socket.on('error', () => undefined);
  }

  send(text: string | Uint8Array): void {
    this.socket.write(text);
  }

  /** Everything received up to and including the first complete line matching re; throws when closed or late. */
  async until(re: RegExp, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const lines = this.buffer.split('\r\n');
      const i = lines.slice(0, -1).findIndex((l) => re.test(l));
      if (i >= 0) {
        this.buffer = lines.slice(i + 1).join('\r\n');
        return lines.slice(0, i + 1).join('\r\n');
      }
      if (this.closed) throw new Error(`connection closed waiting for ${re}; got ${JSON.stringify(this.buffer.slice(0, 300))}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${re}; got ${JSON.stringify(this.buffer.slice(0, 300))}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }

  /** The next line matching re (default: an SMTP final reply line), or 'EOF' once the server closed. */
  async line(re = /^\d{3} /, timeoutMs = 10_000): Promise<string> {
    try {
      const text = await this.until(re, timeoutMs);
      return text.slice(text.lastIndexOf('\r\n') + 1).replace(/^\n/, '');
    } catch (err) {
      if (this.closed) return 'EOF';
      throw err;
    }
  }

  async replies(n: number): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(await this.line());
    return out;
  }

  close(): void {
    this.socket.destroy();
  }
}
