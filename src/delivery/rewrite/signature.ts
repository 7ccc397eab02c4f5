/**
 * The domain signature (FEATURES P14, manual part 3 §1.8.2 域签名, §4.4.8): a text signature
 * appended to every text/plain part and an HTML one to every text/html part of outbound mail,
 * the HTML placed before `</body>` when there is one. The MIME tree (RFC 2046) is walked in place:
 * every byte outside the changed parts stays as it was. A changed part keeps its transfer encoding
 * and charset when the signature can be written in them, else becomes UTF-8 base64.
 * Left alone: attachments (Content-Disposition: attachment, or a name= parameter), message/rfc822,
 * multipart/signed and encrypted content (signing them would break the sender's signature), parts
 * in an unknown transfer encoding or charset, and anything nested deeper than 20 levels or beyond
 * the 500th part. A message marked `X-Youju-Signature: yes` is not signed again; a signed one gets
 * the mark. Run before DKIM signing (rewrite/dkim.ts).
 */
import libmime from 'libmime';
import { encodeText } from '../../mime/charset-encode.ts';
import { scanHeaderBlock, type HeaderBlock } from '../../mime/header-block.ts';
import { decodeTransfer, encodeTransfer, parseTransferEncoding, type TransferEncoding } from '../../mime/transfer-encoding.ts';

export interface DomainSignature {
  /** Appended to text/plain parts; '' for none. */
  text: string;
  /** Inserted into text/html parts; '' for none. */
  html: string;
}

export const SIGNATURE_MARKER = 'X-Youju-Signature';
const MAX_DEPTH = 20;
const MAX_PARTS = 500;

type Eol = '\r\n' | '\n';
interface Walk { eol: Eol; parts: number; sig: DomainSignature }

const fieldText = (entity: Buffer, block: HeaderBlock, key: string): string | undefined => {
  const f = block.fields.find((x) => x.key === key);
  return f === undefined ? undefined : entity.toString('latin1', f.valueStart, f.end).replace(/\r?\n[ \t]/g, ' ').trim();
};

function parseValue(v: string | undefined): { value: string; params: Record<string, string> } {
  if (v === undefined) return { value: '', params: {} };
  try {
    const parsed = libmime.parseHeaderValue(v);
    return { value: String(parsed.value ?? '').toLowerCase(), params: (parsed.params ?? {}) as Record<string, string> };
  } catch {
    return { value: '', params: {} };
  }
}

/**
 * `raw` with the domain signature added to its text parts, or `raw` itself when there is nothing
 * to sign, no signature to add, or the message already carries the marker. Never throws.
 */
export function appendDomainSignature(raw: Buffer, sig: DomainSignature): Buffer {
  if (sig.text === '' && sig.html === '') return raw;
  try {
    const block = scanHeaderBlock(raw);
    if (block.truncated) return raw;
    const marker = fieldText(raw, block, SIGNATURE_MARKER.toLowerCase());
    if (marker !== undefined && marker.toLowerCase() === 'yes') return raw;
    const walk: Walk = { eol: block.eol, parts: 0, sig };
    const signed = signEntity(raw, block, 0, walk, true);
    if (signed === undefined) return raw;
    return Buffer.concat([Buffer.from(`${SIGNATURE_MARKER}: yes${walk.eol}`), signed]);
  } catch {
    return raw; // a rewriter must never lose mail: on anything unexpected, send it as it came
  }
}

/** The entity with its text signed, or undefined when nothing in it changed. */
function signEntity(entity: Buffer, block: HeaderBlock, depth: number, walk: Walk, isTop: boolean): Buffer | undefined {
  if (++walk.parts > MAX_PARTS || block.truncated) return undefined;
  const contentType = fieldText(entity, block, 'content-type');
  const type = parseValue(contentType);
  const mediaType = contentType === undefined ? 'text/plain' : type.value;
  const disposition = parseValue(fieldText(entity, block, 'content-disposition'));
  if (disposition.value === 'attachment') return undefined;

  if (mediaType.startsWith('multipart/')) {
    // Not into signed or encrypted content, nor a digest (its parts default to message/rfc822).
    if (['multipart/signed', 'multipart/encrypted', 'multipart/digest'].includes(mediaType) || depth >= MAX_DEPTH) return undefined;
    const boundary = type.params.boundary;
    if (boundary === undefined || boundary === '') return undefined;
    return signMultipart(entity, block.bodyOffset, boundary, depth, walk);
  }
  if (type.params.name !== undefined || disposition.params.filename !== undefined) return undefined; // a named file, even inline
  if (mediaType !== 'text/plain' && mediaType !== 'text/html') return undefined;
  const addition = mediaType === 'text/html' ? walk.sig.html : walk.sig.text;
  if (addition === '') return undefined;
  return signLeaf(entity, block, mediaType === 'text/html', addition, type.params.charset ?? 'us-ascii', walk, isTop && contentType === undefined);
}

/** Each body part between the boundary delimiters (RFC 2046 §5.1.1), signed in place. */
function signMultipart(entity: Buffer, bodyOffset: number, boundary: string, depth: number, walk: Walk): Buffer | undefined {
  const dash = Buffer.from(`--${boundary}`, 'latin1');
  const delimiters: Array<{ start: number; end: number }> = [];
  let pos = bodyOffset;
  for (;;) {
    const at = entity.indexOf(dash, pos);
    if (at === -1) break;
    pos = at + 1;
    if (at !== bodyOffset && entity[at - 1] !== 0x0a) continue;
    const nl = entity.indexOf(0x0a, at);
    const lineEnd = nl === -1 ? entity.length : nl + 1;
    const rest = entity.toString('latin1', at + dash.length, lineEnd);
    const close = /^--[ \t]*\r?\n?$/.test(rest);
    if (!close && !/^[ \t]*\r?\n?$/.test(rest)) continue; // `--boundaryX`: a longer boundary, not ours
    delimiters.push({ start: at, end: lineEnd });
    pos = lineEnd;
    if (close) break;
  }
  const out: Buffer[] = [];
  let from = 0;
  for (let i = 0; i + 1 < delimiters.length; i++) {
    const start = delimiters[i]!.end;
    let end = delimiters[i + 1]!.start;
    // The line break before a delimiter belongs to the delimiter.
    if (end > start && entity[end - 1] === 0x0a) end -= end - 1 > start && entity[end - 2] === 0x0d ? 2 : 1;
    const part = entity.subarray(start, end);
    const signed = signEntity(part, scanHeaderBlock(part), depth + 1, walk, false);
    if (signed === undefined) continue;
    out.push(entity.subarray(from, start), signed);
    from = end;
  }
  if (out.length === 0) return undefined;
  out.push(entity.subarray(from));
  return Buffer.concat(out);
}

/** The index of the last `</body` (or else `</html`) in ASCII-compatible bytes, or -1. */
function closingTagAt(content: Buffer): number {
  const lower = content.toString('latin1').toLowerCase();
  const body = lower.lastIndexOf('</body');
  return body !== -1 ? body : lower.lastIndexOf('</html');
}

function withSignature(content: Buffer, addition: Buffer, isHtml: boolean, eol: Eol): Buffer {
  const endsWithLf = content.length > 0 && content[content.length - 1] === 0x0a;
  if (isHtml) {
    const at = closingTagAt(content);
    if (at !== -1) return Buffer.concat([content.subarray(0, at), addition, Buffer.from(eol), content.subarray(at)]);
  }
  const sep = content.length === 0 ? '' : endsWithLf ? eol : eol + eol;
  return Buffer.concat([content, Buffer.from(sep), addition, Buffer.from(endsWithLf ? eol : '')]);
}

/**
 * Signature text with our line breaks, and no trailing blanks (format=flowed would read them as
 * soft breaks) except in the "-- " separator line (RFC 3676 §4.3).
 */
const normalise = (s: string, eol: Eol, isHtml: boolean): string =>
  s.split(/\r?\n/).map((l) => (isHtml || l === '-- ' ? l : l.trimEnd())).join(eol).replace(/(\r?\n)+$/, '');

function signLeaf(entity: Buffer, block: HeaderBlock, isHtml: boolean, addition: string, charset: string, walk: Walk,
  addContentType: boolean): Buffer | undefined {
  const cte = parseTransferEncoding(fieldText(entity, block, 'content-transfer-encoding'));
  if (cte === undefined) return undefined;
  const body = entity.subarray(block.bodyOffset);
  const text = normalise(addition, walk.eol, isHtml);

  // Same charset and transfer encoding when the signature fits in them.
  const native = encodeText(text, charset);
  const fits = native !== undefined && (cte !== '7bit' || native.every((b) => b < 0x80));
  let content: Buffer;
  let encoding: TransferEncoding = cte;
  let relabel = false;
  if (fits) {
    content = withSignature(decodeTransfer(body, cte), native, isHtml, walk.eol);
  } else {
    // Else UTF-8 base64: read the content as text in its charset. An unknown charset, or 8-bit
    // bytes labelled US-ASCII that are not UTF-8 (HTML declaring GBK in a <meta> only), leaves the part alone.
    let decoded: string;
    try {
      const unlabelled = charset.trim().toLowerCase() === 'us-ascii';
      decoded = new TextDecoder(unlabelled ? 'utf-8' : charset, { fatal: unlabelled }).decode(decodeTransfer(body, cte));
    } catch {
      return undefined;
    }
    content = withSignature(Buffer.from(decoded, 'utf8'), Buffer.from(text, 'utf8'), isHtml, walk.eol);
    encoding = 'base64';
    relabel = true;
  }

  let encoded = content;
  if (encoding === 'base64' || encoding === 'quoted-printable') {
    const endsWithEol = body.length > 0 && body[body.length - 1] === 0x0a;
    const out = encodeTransfer(content, encoding, walk.eol);
    // Quoted-printable keeps a trailing line break of the content itself; base64 never ends in one.
    const closed = out.subarray(out.length - walk.eol.length).toString('latin1') === walk.eol;
    encoded = Buffer.concat([out, Buffer.from(endsWithEol && !closed ? walk.eol : '')]);
  }
  const header = relabel ? relabelHeader(entity, block, isHtml, walk.eol, addContentType) : headerOf(entity, block, walk.eol, []);
  return Buffer.concat([header, encoded]);
}

/** The header block with `added` fields at its end, always closed by a blank line (a body-less message had none). */
function headerOf(entity: Buffer, block: HeaderBlock, eol: Eol, chunks: Buffer[], added: string[] = []): Buffer {
  if (chunks.length === 0) chunks.push(entity.subarray(0, block.headerEnd));
  const last = chunks.filter((c) => c.length > 0).at(-1);
  if (last !== undefined && last[last.length - 1] !== 0x0a) chunks.push(Buffer.from(eol));
  if (added.length > 0) chunks.push(Buffer.from(added.map((l) => l + eol).join(''), 'latin1'));
  chunks.push(block.headerEnd < block.bodyOffset ? entity.subarray(block.headerEnd, block.bodyOffset) : Buffer.from(eol));
  return Buffer.concat(chunks);
}

/** The part's header with charset=utf-8 and Content-Transfer-Encoding: base64, every other field as it was. */
function relabelHeader(entity: Buffer, block: HeaderBlock, isHtml: boolean, eol: Eol, addMime: boolean): Buffer {
  const out: Buffer[] = [];
  let from = 0;
  let hasType = false;
  let hasCte = false;
  let hasVersion = false;
  for (const f of block.fields) {
    let replacement: string | undefined;
    if (f.key === 'content-type' && !hasType) {
      hasType = true;
      const field = entity.toString('latin1', f.start, f.end).replace(/\r?\n$/, '');
      const re = /(;[ \t\r\n]*charset[ \t]*=[ \t]*)("[^"]*"|[^;\s]*)/i;
      replacement = (re.test(field) ? field.replace(re, '$1utf-8') : `${field}; charset=utf-8`) + eol;
    } else if (f.key === 'content-transfer-encoding') {
      replacement = hasCte ? '' : `Content-Transfer-Encoding: base64${eol}`;
      hasCte = true;
    } else if (f.key === 'mime-version') {
      hasVersion = true;
    }
    if (replacement === undefined) continue;
    out.push(entity.subarray(from, f.start), Buffer.from(replacement, 'latin1'));
    from = f.end;
  }
  out.push(entity.subarray(from, block.headerEnd));
  const added: string[] = [];
  if (addMime && !hasVersion) added.push('MIME-Version: 1.0');
  if (!hasType) added.push(`Content-Type: ${isHtml ? 'text/html' : 'text/plain'}; charset=utf-8`);
  if (!hasCte) added.push('Content-Transfer-Encoding: base64');
  return headerOf(entity, block, eol, out, added);
}
