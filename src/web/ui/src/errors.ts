/**
 * An API error as a sentence for the user: the catalogue code translated when we know it, else
 * the API's own message (for INVALID_INPUT it names what is wrong with the input).
 */
import type { TFunction } from 'i18next';
import { ApiError } from './api.ts';

const KNOWN = new Set(['AUTH_FAILED', 'ACCOUNT_DISABLED', 'LOGIN_BANNED', 'AUTH_REQUIRED', 'CSRF_REJECTED', 'NOT_FOUND', 'QUOTA_EXCEEDED', 'NETWORK', 'INTERNAL']);

export function errorText(t: TFunction, err: unknown): string {
  if (err instanceof ApiError) {
    if (KNOWN.has(err.code)) return t(`errors.${err.code}`);
    return err.message;
  }
  return t('errors.INTERNAL');
}
