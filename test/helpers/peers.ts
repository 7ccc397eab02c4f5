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
