/** Real SMTP clients for tests: swaks (Debian) and Python's smtplib, run as child processes. */
import { spawn } from 'node:child_process';

export interface PeerResult {
  code: number;
  out: string;
}

function run(cmd: string, args: string[], input?: string, timeoutMs = 30_000): Promise<PeerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code: code ?? -1, out }); });
    child.stdin.end(input ?? '');
  });
}

/** swaks against 127.0.0.1:port; `args` are swaks options (--to, --from, --auth …); `--body -` reads stdin. */
export function swaks(port: number, args: string[], stdin?: string): Promise<PeerResult> {
  return run('swaks', ['--server', '127.0.0.1', '--port', String(port), '--timeout', '20', '--hide-informational', ...args], stdin);
}

/** Runs a Python 3 script (smtplib, imaplib …); the script reads PORT from the environment via argv. */
export function python(script: string, args: string[] = []): Promise<PeerResult> {
  return run('python3', ['-c', script, ...args]);
}

const DIALOG = `
import json, socket, ssl, sys
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=20)
if sys.argv[2] == 'tls':
    ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
    s = ctx.wrap_socket(s)
f = s.makefile('rb')
def rd():
    while True:
        line = f.readline()
        if not line: return 'EOF'
        if line[3:4] != b'-': return line.decode('utf-8', 'replace').rstrip('\\r\\n')
def say(text): print(text.replace('\\n', ' '), flush=True)
try:
    say(rd())
    for c in json.load(sys.stdin):
        s.sendall(c.encode('utf-8') + b'\\r\\n'); say(rd())
except OSError as e:
    say('CLOSED ' + type(e).__name__)`;

/**
 * A raw SMTP conversation through Python's socket module: the greeting, then each command (sent with
 * CRLF; a DATA body is one "command" ending in "\r\n.") and the last line of its reply. A closed
 * connection shows as 'EOF' (or 'CLOSED …' when a write or read fails). `tls`: TLS on connect.
 */
export async function smtpDialog(port: number, commands: string[], opts: { tls?: boolean } = {}): Promise<string[]> {
  const r = await run('python3', ['-c', DIALOG, String(port), opts.tls ? 'tls' : 'plain'], JSON.stringify(commands));
  return r.out.split('\n').filter((l) => l !== '');
}
