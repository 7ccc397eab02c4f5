/**
 * `npm run bench -- NAME…` runs the named benchmarks (all when none is named) and prints their
 * figures. Benchmarks measure; they never assert. Available: store, smtp.
 */
const BENCHES: Record<string, () => Promise<void>> = {
  store: async () => (await import('./store.ts')).run(),
  smtp: async () => (await import('./smtp.ts')).run(),
};

const names = process.argv.slice(2).filter((a) => !a.startsWith('-'));
for (const name of names.length ? names : Object.keys(BENCHES)) {
  const bench = BENCHES[name];
  if (!bench) {
    console.error(`unknown benchmark "${name}"; known: ${Object.keys(BENCHES).join(', ')}`);
    process.exit(2);
  }
  await bench();
}
