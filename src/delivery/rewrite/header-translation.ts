/**
 * Header translation (FEATURES P14, manual part 3 §4.4.7 邮件头翻译): replaces text in the header
 * values of outbound mail — typically internal host names in Received or Message-ID — except in
 * the headers named as exceptions. Only the header block changes; the body is kept byte for byte.
 * Matching is literal and case-sensitive on the raw bytes (the rule's text in UTF-8), so encoded
 * words (RFC 2047) are not looked into and field names are never rewritten. A rule containing a
 * line break is ignored: it could forge new header fields. Rewriting a header breaks any DKIM
 * signature already on it, so run this before our own signing (rewrite/dkim.ts).
 * Config: rewrite.headerTranslation { enabled, rules, exceptHeaders } (config/schema/rewrite.ts).
 */
import { scanHeaderBlock } from '../../mime/header-block.ts';

export interface HeaderTranslationRule {
  /** Literal text to find (case-sensitive). */
  find: string;
  /** What every occurrence becomes. */
  replace: string;
}

export interface HeaderTranslation {
  /** Applied in order, each to the result of the ones before. */
  rules: readonly HeaderTranslationRule[];
  /** Field names left alone (any case). */
  exceptHeaders?: readonly string[];
}

const usable = (r: HeaderTranslationRule): boolean => r.find !== '' && !/[\r\n]/.test(r.find) && !/[\r\n]/.test(r.replace);

function replaceAll(bytes: Buffer, find: Buffer, replace: Buffer): Buffer {
  let at = bytes.indexOf(find);
  if (at === -1) return bytes;
  const out: Buffer[] = [];
  let from = 0;
  while (at !== -1) {
    out.push(bytes.subarray(from, at), replace);
    from = at + find.length;
    at = bytes.indexOf(find, from);
  }
  out.push(bytes.subarray(from));
  return Buffer.concat(out);
}

/**
 * The rules applied to one field value, line by line: the line breaks and the whitespace that
 * starts each continuation line are kept, so no rule can unfold a field or turn a continuation
 * into a field of its own (a rule replacing ' ' with '' would, applied to the whole value).
 */
function translateValue(value: Buffer, rules: ReadonlyArray<{ find: Buffer; replace: Buffer }>): Buffer {
  const out: Buffer[] = [];
  let changed = false;
  let pos = 0;
  while (pos < value.length) {
    const nl = value.indexOf(0x0a, pos);
    const end = nl === -1 ? value.length : nl + 1;
    let textStart = pos;
    if (pos > 0) while (textStart < end && (value[textStart] === 0x20 || value[textStart] === 0x09)) textStart++;
    let textEnd = nl === -1 ? end : nl;
    if (textEnd > textStart && value[textEnd - 1] === 0x0d) textEnd--;
    const text = value.subarray(textStart, textEnd);
    let next = text;
    for (const r of rules) next = replaceAll(next, r.find, r.replace);
    if (next !== text) changed = true;
    out.push(value.subarray(pos, textStart), next, value.subarray(textEnd, end));
    pos = end;
  }
  return changed ? Buffer.concat(out) : value;
}

/**
 * `raw` with the rules applied to every header value not excepted. Returns `raw` itself when
 * nothing matched. Never throws; a header block cut at 256 KiB is translated as far as it was read.
 */
export function translateHeaders(raw: Buffer, t: HeaderTranslation): Buffer {
  const rules = t.rules.filter(usable).map((r) => ({ find: Buffer.from(r.find, 'utf8'), replace: Buffer.from(r.replace, 'utf8') }));
  if (rules.length === 0) return raw;
  const except = new Set((t.exceptHeaders ?? []).map((h) => h.trim().toLowerCase()));
  const block = scanHeaderBlock(raw);
  const out: Buffer[] = [];
  let from = 0;
  let changed = false;
  for (const f of block.fields) {
    if (except.has(f.key)) continue;
    const value = raw.subarray(f.valueStart, f.end);
    const next = translateValue(value, rules);
    if (next === value) continue;
    out.push(raw.subarray(from, f.valueStart), next);
    from = f.end;
    changed = true;
  }
  if (!changed) return raw;
  out.push(raw.subarray(from));
  return Buffer.concat(out);
}
