/**
 * CPU figures from Linux /proc for the benchmarks: what a server's processes used, split into user
 * and system time, and how idle the whole machine was meanwhile (a saturated machine means a server
 * cannot go faster by waiting less, only by spending less). Elsewhere the figures are NaN.
 */
import { readdir, readFile } from 'node:fs/promises';

export interface CpuTimes {
  /** Seconds in user mode. */
  user: number;
  /** Seconds in the kernel on the processes' behalf (syscalls: sockets, files, fsync). */
  system: number;
}

/** user + system. */
export function cpuTotal(t: CpuTimes): number {
  return t.user + t.system;
}

export function cpuSince(now: CpuTimes, before: CpuTimes): CpuTimes {
  return { user: now.user - before.user, system: now.system - before.system };
}

/**
 * CPU used so far by the processes rooted at pids: every live descendant's own time plus what each
 * has reaped of its children (cutime/cstime), so short-lived workers (Postfix's, Dovecot's) count
 * too. Clock ticks: 100 per second (USER_HZ).
 */
export async function treeCpu(pids: readonly number[]): Promise<CpuTimes> {
  const procs = new Map<number, { ppid: number; user: number; system: number }>();
  const entries = await readdir('/proc').catch(() => undefined);
  if (!entries) return { user: NaN, system: NaN };
  await Promise.all(entries.filter((e) => /^\d+$/.test(e)).map(async (e) => {
    const stat = await readFile(`/proc/${e}/stat`, 'utf8').catch(() => '');
    // "pid (comm) state ppid … utime stime cutime cstime …": comm may hold spaces, so split after ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (f.length > 14) procs.set(Number(e), { ppid: Number(f[1]), user: Number(f[11]) + Number(f[13]), system: Number(f[12]) + Number(f[14]) });
  }));
  const inTree = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; p = procs.get(p)?.ppid ?? 0, hops++) if (pids.includes(p)) return true;
    return false;
  };
  const sum = { user: 0, system: 0 };
  for (const [pid, p] of procs) {
    if (!inTree(pid)) continue;
    sum.user += p.user;
    sum.system += p.system;
  }
  return { user: sum.user / 100, system: sum.system / 100 };
}

/** The machine's idle and total CPU ticks so far (/proc/stat's first line; idle includes iowait). */
export async function machineTicks(): Promise<{ idle: number; total: number }> {
  const line = (await readFile('/proc/stat', 'utf8').catch(() => '')).split('\n')[0] ?? '';
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  if (f.length < 5) return { idle: NaN, total: NaN };
  return { idle: f[3]! + f[4]!, total: f.slice(0, 8).reduce((a, b) => a + b, 0) };
}

/** Share of the machine's CPU time that was idle between two machineTicks readings, in percent. */
export function idlePercent(now: { idle: number; total: number }, before: { idle: number; total: number }): number {
  return (100 * (now.idle - before.idle)) / Math.max(1, now.total - before.total);
}
