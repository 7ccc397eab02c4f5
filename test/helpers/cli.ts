/** Runs the real `youju` command (bin/youju.js) in a child process, as an operator would. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export const YOUJU_BIN = fileURLToPath(new URL('../../bin/youju.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function youju(args: string[], env: NodeJS.ProcessEnv = {}): CliResult {
  const r = spawnSync(process.execPath, [YOUJU_BIN, ...args], {
    encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The same, without blocking the event loop (for commands run while a server runs in this process). */
export function youjuAsync(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [YOUJU_BIN, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/**
 * Runs `youju start` as a child process; resolves once it says it is running. nodeArgs go to node
 * itself (e.g. --cpu-prof, which NODE_OPTIONS does not accept).
 */
export function startYoujuProcess(data: string, configFile: string, nodeArgs: string[] = []): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, YOUJU_BIN, 'start', '--data', data, '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d) => { out += d; if (out.includes('running on')) resolve(child); });
    child.stderr!.on('data', (d) => { out += d; });
    child.on('exit', (code) => reject(new Error(`youju start exited (${code}): ${out}`)));
  });
}

/** A boot config file with only the SMTP port open, on loopback, resolving through `dnsServer`. */
export async function writeSmtpOnlyConfig(file: string, o: { hostname: string; smtpPort: number; dnsServer: string; smtpProcesses?: number }): Promise<void> {
  await writeFile(file, JSON.stringify({ hostname: o.hostname, listen: '127.0.0.1', dns: { servers: [o.dnsServer] },
    ...(o.smtpProcesses === undefined ? {} : { processes: { smtp: o.smtpProcesses } }),
    ports: { smtp: o.smtpPort, submission: 0, smtps: 0, imap: 0, imaps: 0, pop3: 0, pop3s: 0, http: 0, https: 0, admin: 0 } }));
}
