/**
 * `npm run bench -- NAME… [--option value…]` runs the named benchmarks (all when none is named) and
 * prints their figures. Benchmarks measure; they never assert. Available: store, smtp, imap, antispam, admin, web, pipeline, backup.
 * Options belong to the benchmarks that read them (bench/options.ts): store: --messages N; smtp: --messages N,
 * --no-postfix, --postconf; admin: --users N, --batch N; imap: --messages N, --runs N, --idle N, --profile DIR, --no-dovecot;
 * web: --messages N, --runs N; pipeline: --messages N, --smtp-processes N; backup: --messages N.
 */
const BENCHES: Record<string, () => Promise<void>> = {
  store: async () => (await import('./store.ts')).run(),
  smtp: async () => (await import('./smtp.ts')).run(),
  imap: async () => (await import('./imap.ts')).run(),
  antispam: async () => (await import('./antispam.ts')).run(),
  admin: async () => (await import('./admin.ts')).run(),
  web: async () => (await import('./web.ts')).run(),
  pipeline: async () => (await import('./pipeline.ts')).run(),
  backup: async () => (await import('./backup.ts')).run(),
};

// An option's value ("--messages 1000") is not a benchmark name; "--messages=1000" works too.
const args = process.argv.slice(2);
const isOptionValue = (i: number) => i > 0 && args[i - 1]!.startsWith('--') && !args[i - 1]!.includes('=');
const names = args.filter((a, i) => !a.startsWith('-') && (a in BENCHES || !isOptionValue(i)));
for (const name of names.length ? names : Object.keys(BENCHES)) {
  const bench = BENCHES[name];
  if (!bench) {
    console.error(`unknown benchmark "${name}"; known: ${Object.keys(BENCHES).join(', ')}`);
    process.exit(2);
  }
  await bench();
}
