/**
 * Turns zod issues into the one-line messages operators read: `ports.smtp: must be an integer
 * between 0 and 65535 (got "abc")`. Shared by the boot config (config/boot.ts) and the runtime
 * settings (config/settings.ts) so both speak the same way. Schemas that want their own wording
 * pass `{ error: '…' }`; everything else gets the plain-English defaults of `issueMessage` below.
 * It formats; it does not decide which MailError code to throw.
 */
import type { z } from 'zod';

/** The per-parse error map: plain wording for the issues zod reports. */
export const issueMessage = (iss: z.core.$ZodRawIssue): string => {
  switch (iss.code) {
    case 'invalid_type':
      if (iss.input === undefined) return 'is required';
      return `must be ${article(iss.expected === 'int' ? 'integer' : String(iss.expected))}`;
    case 'invalid_value':
      return `must be one of ${iss.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      return iss.origin === 'string' || iss.origin === 'array'
        ? `must have at least ${String(iss.minimum)} ${iss.origin === 'string' ? 'character' : 'item'}(s)`
        : `must be ${iss.inclusive === false ? 'greater than' : 'at least'} ${String(iss.minimum)}`;
    case 'too_big':
      return iss.origin === 'string' || iss.origin === 'array'
        ? `must have at most ${String(iss.maximum)} ${iss.origin === 'string' ? 'character' : 'item'}(s)`
        : `must be ${iss.inclusive === false ? 'less than' : 'at most'} ${String(iss.maximum)}`;
    case 'invalid_format':
      return `must be a valid ${iss.format}`;
    case 'unrecognized_keys':
      return 'unknown key';
    default:
      return 'is invalid';
  }
};

const article = (noun: string): string => (/^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`);

/** `ports.smtp`, `trustedNetworks[2]`, `dns.hosts["a.b"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (typeof p === 'string' && /^[A-Za-z_$][\w$]*$/.test(p)) out += out === '' ? p : `.${p}`;
    else out += `[${JSON.stringify(String(p))}]`;
  }
  return out;
}

/** A short rendering of an offending value; never more than ~60 characters. */
export function formatValue(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/**
 * One line for all issues of a failed parse (parse with `reportInput: true` to get the "got" part).
 * Values at paths `isSecret` accepts (connection URLs with passwords) are never echoed.
 * Each unknown key becomes its own entry so the path names it. At most `max` entries are shown.
 */
export function formatIssues(
  issues: readonly z.core.$ZodIssue[],
  opts: { prefixPath?: string; max?: number; isSecret?: (path: string) => boolean } = {},
): string {
  const parts: string[] = [];
  const join = (path: string): string =>
    opts.prefixPath ? (path === '' ? opts.prefixPath : path.startsWith('[') ? opts.prefixPath + path : `${opts.prefixPath}.${path}`) : path;
  for (const iss of issues) {
    if (iss.code === 'unrecognized_keys') {
      for (const k of iss.keys) parts.push(`${join(formatPath([...iss.path, k]))}: unknown key`);
      continue;
    }
    const path = join(formatPath(iss.path));
    // A cross-field refinement reports the whole object as its input: not worth echoing.
    const showGot = iss.input !== undefined && !(iss.code === 'custom' && typeof iss.input === 'object')
      && !opts.isSecret?.(path);
    const got = showGot ? ` (got ${formatValue(iss.input)})` : '';
    parts.push(`${path === '' ? '' : `${path}: `}${oneLine(iss.message)}${got}`);
  }
  const max = opts.max ?? 5;
  const shown = parts.slice(0, max).join('; ');
  return parts.length > max ? `${shown}; and ${parts.length - max} more` : shown;
}

const oneLine = (s: string): string => s.replace(/\s*[\r\n]+\s*/g, ' ').trim();
