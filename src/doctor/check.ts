/**
 * `youju doctor` (issue #15 §4): what an administrator checks before trusting the server with a
 * company's mail. Each check reports ok / warn / fail with what it saw and, where something is to
 * be done, the exact fix (the DNS record text to add, the command to run).
 */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'info';

export interface Check {
  /** What area: ports, dns, tls, disk, store. */
  area: string;
  /** What was checked, e.g. 'MX example.cn'. */
  name: string;
  status: CheckStatus;
  /** What was seen. */
  detail: string;
  /** What to do about it, e.g. the record to publish. */
  fix?: string;
}

const MARK: Record<CheckStatus, string> = { ok: '✓', warn: '!', fail: '✗', info: '·' };

/** The report for people: one line a check, its fix indented below, and a count at the end. */
export function formatChecks(checks: readonly Check[]): string {
  const lines: string[] = [];
  let area = '';
  for (const c of checks) {
    if (c.area !== area) {
      area = c.area;
      lines.push(`${lines.length ? '\n' : ''}${area}`);
    }
    lines.push(`  ${MARK[c.status]} ${c.name}: ${c.detail}`);
    if (c.fix) lines.push(...c.fix.split('\n').map((l) => `      ${l}`));
  }
  const count = (s: CheckStatus) => checks.filter((c) => c.status === s).length;
  lines.push('', `${count('ok')} ok, ${count('warn')} warnings, ${count('fail')} failed`);
  return lines.join('\n');
}
