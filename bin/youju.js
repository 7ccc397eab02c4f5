#!/usr/bin/env node
// The `youju` command. It runs the compiled build in dist/ (`npm run build`, which `npm install`
// runs through the prepare script) when that build is current, and otherwise, when a source file
// changed since the build or there is none, loads the TypeScript sources through tsx.
// YOUJU_FROM_SOURCE=1 forces the sources.
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The newest modification time of the files under dir (0 when it is missing). */
function newest(dir) {
  let latest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const path = `${dir}/${e.name}`;
    latest = Math.max(latest, e.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

function buildIsCurrent() {
  if (process.env.YOUJU_FROM_SOURCE === '1') return false;
  let built;
  try {
    built = statSync(`${root}dist/.built`).mtimeMs;
  } catch {
    return false;
  }
  return newest(`${root}src`) <= built && statSync(`${root}package.json`).mtimeMs <= built;
}

let runCli;
if (buildIsCurrent()) {
  ({ runCli } = await import('../dist/cli/main.js'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ runCli } = await import('../src/cli/main.ts'));
}
process.exitCode = await runCli(process.argv.slice(2));
