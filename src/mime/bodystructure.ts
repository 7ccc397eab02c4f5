/**
 * FETCH BODY and BODYSTRUCTURE (RFC 3501 §7.4.2, grammar `body` in §9) from a parsed MIME tree,
 * without the raw message: the tree carries the envelopes of encapsulated messages.
 * Types, subtypes, parameter names, disposition types and encodings are upper-cased as in the
 * RFC's examples; values are sent as written. Text parts without a charset get CHARSET US-ASCII
 * (RFC 2045 §5.2); a multipart with no parts gets one empty text/plain part, as Dovecot writes it,
 * since the grammar needs one. RFC 2231 parameters are joined (RFC 9051 §7.5.2): ASCII as `name`,
 * else `name*` "UTF-8''%XX…". Sizes are raw octets of the stored message (bare LFs are not counted
 * as CRLF). Output is a byte string (one char per octet): write it with Buffer.from(s, 'latin1').
 */
import { imapNString, imapString } from './envelope.ts';
import type { MimeParam, MimePart } from './mime-tree.ts';

export interface BodyStructureOptions {
  /** true for BODYSTRUCTURE (extension data: md5, disposition, language, location), false for BODY. */
  extensible: boolean;
}

const EMPTY_PART = '("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 0 0';

/** `("NAME" "value" …)` or NIL; text parts get the default charset appended when they declare none. */
function writeParams(params: readonly MimeParam[], defaultCharset: boolean): string {
  const out = params.map((p) => `${imapString(p.name.toUpperCase() + (p.extended ? '*' : ''))} ${imapString(p.raw)}`);
  if (defaultCharset && !params.some((p) => p.name === 'charset')) out.push('"CHARSET" "US-ASCII"');
  return out.length === 0 ? 'NIL' : `(${out.join(' ')})`;
}

/** body-ext-1part / body-ext-mpart after md5 or params: disposition, language, location. */
function writeCommonExtension(p: MimePart): string {
  const disposition = p.disposition
    ? `(${imapString(p.disposition.type.toUpperCase())} ${writeParams(p.disposition.params, false)})`
    : 'NIL';
  const language = p.language ? `(${p.language.map(imapString).join(' ')})` : 'NIL';
  return `${disposition} ${language} ${imapNString(p.location)}`;
}

function writeBody(p: MimePart, extensible: boolean): string {
  if (p.type === 'multipart') {
    const parts = p.children.length > 0
      ? p.children.map((c) => writeBody(c, extensible)).join('')
      : `${EMPTY_PART}${extensible ? ' NIL NIL NIL NIL' : ''})`;
    const extension = extensible ? ` ${writeParams(p.params, false)} ${writeCommonExtension(p)}` : '';
    return `(${parts} ${imapString(p.subtype.toUpperCase())}${extension})`;
  }
  const isText = p.type === 'text';
  const message = p.message;
  const type = message ? '"MESSAGE" "RFC822"' : `${imapString(p.type.toUpperCase())} ${imapString(p.subtype.toUpperCase())}`;
  let out = `(${type} ${writeParams(p.params, isText)} ${imapNString(p.id)} ${imapNString(p.description)} ` +
    `${imapString(p.encoding.toUpperCase())} ${p.bodyEnd - p.bodyStart}`;
  if (message) {
    out += ` ${message.envelope ?? '(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)'} ${writeBody(message, extensible)} ${p.lines}`;
  } else if (isText) {
    out += ` ${p.lines}`;
  }
  if (extensible) out += ` ${imapNString(p.md5)} ${writeCommonExtension(p)}`;
  return `${out})`;
}

/**
 * The BODY (extensible false) or BODYSTRUCTURE (true) value of a message: the parenthesised
 * body of RFC 3501 §9 for the tree's root, without the `BODYSTRUCTURE ` label.
 */
export function bodyStructure(tree: MimePart, options: BodyStructureOptions): string {
  return writeBody(tree, options.extensible);
}
