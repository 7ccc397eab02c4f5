/** An API error as a sentence in the options screens: their own codes first, then the shell's (errors.ts). */
import type { TFunction } from 'i18next';
import { ApiError } from '../api.ts';
import { errorText } from '../errors.ts';

const OWN = new Set(['PASSWORD_WEAK', 'LIMIT_REACHED', 'AUTH_FAILED', 'NOT_FOUND']);

export function optionError(t: TFunction, err: unknown): string {
  if (err instanceof ApiError && OWN.has(err.code)) return t(`options.errors.${err.code}`);
  return errorText(t, err);
}
