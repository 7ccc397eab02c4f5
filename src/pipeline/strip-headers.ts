/**
 * Header fields a stage asks to remove from a message as it comes in, before its own go on top:
 * an Authentication-Results field claiming our authserv-id (RFC 8601 §5: a forgery from outside),
 * a sender's own X-Spam-* verdict. Matching is by field name (any case) and, when given, the start
 * of the value (after leading white space, any case).
 */
import { withoutFields } from '../mime/header-check.ts';
import type { HeaderMatch } from './stage.ts';

/** `raw` without the matching fields (continuation lines included); the same buffer when none match. */
export function stripHeaders(raw: Buffer, matches: readonly HeaderMatch[]): Buffer {
  if (matches.length === 0) return raw;
  return withoutFields(raw, (f) => matches.some((m) => {
    if (m.name.toLowerCase() !== f.key) return false;
    if (m.valuePrefix === undefined) return true;
    const value = raw.toString('latin1', f.valueStart, Math.min(f.end, f.valueStart + m.valuePrefix.length + 256)).replace(/^[\s]+/, '');
    return value.toLowerCase().startsWith(m.valuePrefix.toLowerCase());
  }));
}
