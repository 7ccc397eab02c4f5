/**
 * Admin API errors as sentences: a limit named by the error's field (LIMIT_REACHED + maxUsers),
 * a refused field by its name, else the webmail's translation of the code.
 */
import type { TFunction } from 'i18next';
import { ApiError } from '../api.ts';
import { errorText } from '../errors.ts';

const CODES = new Set(['FORBIDDEN', 'ALREADY_EXISTS', 'PASSWORD_WEAK', 'LIMIT_REACHED', 'NOT_FOUND', 'AUTH_FAILED']);

export function adminErrorText(t: TFunction, err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'LIMIT_REACHED' && err.field) return t(`admin.errors.limit.${err.field}`, { defaultValue: t('admin.errors.LIMIT_REACHED') });
    if (CODES.has(err.code)) return t(`admin.errors.${err.code}`);
    if (err.code === 'INVALID_INPUT' && err.field) return t('admin.errors.field', { field: t(`admin.user.${err.field}`, { defaultValue: err.field }), message: err.message });
  }
  return errorText(t, err);
}
