/**
 * Command-line options of `npm run bench -- NAME… --name value` (or `--name=value`), shared by the
 * benchmarks. Each benchmark reads the options it knows; run.ts only tells them from bench names.
 */

/** The text after --name, or undefined when the option is absent. */
export function optionText(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

/** A positive integer option, else fallback. */
export function option(name: string, fallback: number): number {
  const v = optionText(name);
  const n = v === undefined ? fallback : Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} wants a positive integer, not ${v}`);
  return n;
}

/** The message count: --messages N, else the BENCH_MESSAGES environment variable, else fallback. */
export function messageCount(fallback: number): number {
  return option('messages', Number(process.env.BENCH_MESSAGES ?? fallback));
}
