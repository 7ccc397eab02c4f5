/** CLI output: human text by default, JSON with --json. Errors go to stderr as one line. */
export interface Output {
  json: boolean;
  /** A record or list: JSON as is, or `human()` for people. */
  result(value: unknown, human: () => string): void;
  /** A line for people only (suppressed with --json). */
  info(line: string): void;
}

export function createOutput(json: boolean, write: (s: string) => void = (s) => process.stdout.write(s)): Output {
  return {
    json,
    result(value, human) {
      write(json ? `${JSON.stringify(value, null, 2)}\n` : ensureNewline(human()));
    },
    info(line) {
      if (!json) write(ensureNewline(line));
    },
  };
}

const ensureNewline = (s: string) => (s === '' || s.endsWith('\n') ? s : `${s}\n`);

/** Left-aligned columns; CJK characters count as two cells so Chinese names line up. */
export function table(headers: string[], rows: Array<Array<string | number>>): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => displayWidth(r[i] ?? ''))));
  return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i]! - displayWidth(c)))).join('  ').trimEnd())
    .join('\n');
}

export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ? 2 : 1;
  return w;
}

/** `key: value` lines for one record. */
export function fields(pairs: Array<[string, unknown]>): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${k.padEnd(width)}  ${v === null || v === undefined ? '-' : String(v)}`).join('\n');
}

/** A limit in MB, where 0 means unlimited. */
export const mb = (bytes: number): string => (bytes === 0 ? 'unlimited' : size(bytes));
/** An amount used. */
export const size = (bytes: number): string =>
  bytes < 1048576 ? `${Math.round(bytes / 1024)} KB` : `${Math.round(bytes / 1048576)} MB`;
export const date = (ms: number | null): string => (ms === null ? 'never' : new Date(ms).toISOString().slice(0, 10));
