/** Youju's version, from package.json (the same path from src/core and from the compiled dist/core). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function youjuVersion(): string {
  if (cached === undefined) {
    try {
      cached = (JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { version: string }).version;
    } catch {
      cached = 'unknown';
    }
  }
  return cached;
}
