/** IMAP flag normalisation: system flags in their canonical case, keywords kept, no duplicates, sorted. */
import { SYSTEM_FLAGS } from '../store.ts';

const canonical = new Map(SYSTEM_FLAGS.map((f) => [f.toLowerCase(), f as string]));

export function normaliseFlags(flags: readonly string[]): string[] {
  const seen = new Map<string, string>();
  for (const f of flags) {
    const t = f.trim();
    if (t === '' || /\s/.test(t) || t.toLowerCase() === '\\recent') continue;
    const key = t.toLowerCase();
    if (!seen.has(key)) seen.set(key, canonical.get(key) ?? t);
  }
  return [...seen.values()].sort();
}
