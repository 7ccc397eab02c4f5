/**
 * Literal markers at the end of a command line: "{n}" (synchronising, RFC 3501 §4.3), "{n+}"
 * (non-synchronising, RFC 7888) and "~{n}" / "~{n+}" (literal8, RFC 3516), and the size policy that
 * accepts or refuses one before its bytes are read. It does not read the bytes: tokenizer.ts does.
 * Limits: maxLiteralBytes (APPENDLIMIT, RFC 7889: NO [TOOBIG]), maxNonSyncLiteralBytes (4096 under
 * LITERAL-, RFC 7888 §4: BAD [TOOBIG]; Infinity under LITERAL+) and maxCommandBytes for all of it.
 */
import { ParseError } from './parse-error.ts';

/** RFC 7888 §4: LITERAL- allows non-synchronising literals of at most 4096 octets. */
export const LITERAL_MINUS_MAX_BYTES = 4096;
/** RFC 3501 number: an unsigned 32-bit value. */
export const MAX_NUMBER = 0xffffffff;

export interface LiteralMarker {
  /** Octets the client announced. */
  size: number;
  /** "{n}": the client waits for a "+" continuation before sending the bytes. */
  sync: boolean;
  /** "~{n}": literal8, may contain NUL (RFC 3516). */
  binary: boolean;
  /** Offset in the line of the "{" (or "~") that starts the marker. */
  start: number;
}

/** A marker whose size cannot be read ({99999999999+}): for a non-synchronising one the stream is lost. */
export interface BadLiteralMarker {
  invalid: true;
  sync: boolean;
  start: number;
}

const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/**
 * Looks for a literal marker ending the line (`line[0..end)`, CRLF already removed). Returns null when the
 * line does not end in one; text like "{abc}" is left to the parser, which answers BAD.
 */
export function findLiteralMarker(line: Uint8Array, end = line.length): LiteralMarker | BadLiteralMarker | null {
  let i = end - 1;
  if (i < 0 || line[i] !== 0x7d /* } */) return null;
  i--;
  let sync = true;
  if (i >= 0 && line[i] === 0x2b /* + */) {
    sync = false;
    i--;
  }
  const digitsEnd = i + 1;
  while (i >= 0 && (line[i] ?? 0) >= DIGIT_0 && (line[i] ?? 0) <= DIGIT_9) i--;
  const digitsStart = i + 1;
  if (digitsStart === digitsEnd || i < 0 || line[i] !== 0x7b /* { */) return null;
  let start = i;
  const binary = i > 0 && line[i - 1] === 0x7e; /* ~ */
  if (binary) start--;
  // Leading zeros are legal ("{007}"); more than 10 significant digits cannot be a 32-bit number.
  let first = digitsStart;
  while (first < digitsEnd - 1 && line[first] === DIGIT_0) first++;
  if (digitsEnd - first > 10) return { invalid: true, sync, start };
  let size = 0;
  for (let k = first; k < digitsEnd; k++) size = size * 10 + ((line[k] ?? DIGIT_0) - DIGIT_0);
  if (size > MAX_NUMBER) return { invalid: true, sync, start };
  return { size, sync, binary, start };
}

export interface LiteralLimits {
  /** Largest single literal (APPENDLIMIT). */
  maxLiteralBytes: number;
  /** Largest non-synchronising literal: 4096 under LITERAL-, Infinity under LITERAL+. */
  maxNonSyncLiteralBytes: number;
  /** Largest whole command: its lines and literals together (an APPEND's message literals apart). */
  maxCommandBytes: number;
}

/**
 * Decides whether a literal may be read. `commandBytes` is what the command already holds towards
 * maxCommandBytes (undefined for a literal that does not count: an APPEND's message). Returns
 * undefined to accept, or the error to answer with. A refused synchronising literal is never sent by
 * the client; a refused non-synchronising one is on its way and must be skipped by the caller.
 */
export function checkLiteral(
  marker: LiteralMarker,
  limits: LiteralLimits,
  commandBytes: number | undefined,
  tag: string | undefined,
): ParseError | undefined {
  if (!marker.sync && marker.size > limits.maxNonSyncLiteralBytes) {
    return new ParseError(`Non-synchronizing literal over ${limits.maxNonSyncLiteralBytes} bytes (LITERAL-)`, {
      tag,
      status: 'BAD',
      code: 'TOOBIG',
    });
  }
  if (marker.size > limits.maxLiteralBytes) {
    return new ParseError(`Literal too big (maximum ${limits.maxLiteralBytes} bytes)`, { tag, status: 'NO', code: 'TOOBIG' });
  }
  if (commandBytes !== undefined && commandBytes + marker.size > limits.maxCommandBytes) {
    return new ParseError(`Command too long (maximum ${limits.maxCommandBytes} bytes)`, { tag, status: 'BAD' });
  }
  return undefined;
}
