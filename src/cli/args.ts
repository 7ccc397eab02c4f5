/** Option parsers for commander that fail with INVALID_INPUT naming the option (exit code 2). */
import { InvalidArgumentError } from 'commander';

export function nonNegativeInt(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a whole number ≥ 0');
  return Number(value);
}

/** Megabytes on the command line, bytes inside. */
export function megabytes(value: string): number {
  return nonNegativeInt(value) * 1024 * 1024;
}

/** YYYY-MM-DD (UTC midnight) or 'never'. */
export function dateOrNever(value: string): number | null {
  if (value === 'never') return null;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new InvalidArgumentError('must be a date YYYY-MM-DD or "never"');
  }
  return Date.parse(`${value}T00:00:00Z`);
}

export function oneOf<T extends string>(...allowed: T[]): (value: string) => T {
  return (value) => {
    if (!(allowed as string[]).includes(value)) throw new InvalidArgumentError(`must be one of ${allowed.join(', ')}`);
    return value as T;
  };
}

export function yesNo(value: string): boolean {
  if (/^(yes|on|true|1)$/i.test(value)) return true;
  if (/^(no|off|false|0)$/i.test(value)) return false;
  throw new InvalidArgumentError('must be yes or no');
}
