/**
 * Command-line options of `npm run bench -- NAME… --name value` (or `--name=value`), and the median, shared by the
 * benchmarks. Each benchmark reads the options it knows; run.ts only tells them from bench names.
 */

/** The text after --name, or undefined when the option is absent. */
export function optionText(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

/** An integer option of at least min (default 1), else fallback. */
export function option(name: string, fallback: number, min = 1): number {
  const v = optionText(name);
  const n = v === undefined ? fallback : Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} wants ${min === 1 ? 'a positive integer' : `an integer of at least ${min}`}, not ${v}`);
  return n;
}

/** The middle value of xs (the mean of the two middle ones for an even count). */
export function median(xs: readonly number[]): number {
  const v = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

/** The message count: --messages N, else the BENCH_MESSAGES environment variable, else fallback. */
export function messageCount(fallback: number): number {
  return option('messages', Number(process.env.BENCH_MESSAGES ?? fallback));
}
