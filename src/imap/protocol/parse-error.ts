/**
 * ParseError: the only exception the IMAP protocol layer throws for client input. It carries what the
 * session needs to answer: the command tag when it was readable (else the reply is untagged "*"),
 * BAD or NO (a literal over APPENDLIMIT or an unknown CHARSET is NO, RFC 3501 §6.4.4 / RFC 7889),
 * an optional response code ([TOOBIG], [BADCHARSET …], [CLIENTBUG]) and whether the byte stream is
 * lost (fatal: answer "* BYE" and close). Messages are short and never echo more than a few bytes.
 */
import type { ResponseCode } from './serializer.ts';

export interface ParseErrorOptions {
  tag?: string | undefined;
  status?: 'BAD' | 'NO';
  code?: ResponseCode | undefined;
  fatal?: boolean;
  cause?: unknown;
}

export class ParseError extends Error {
  /** The command tag, when the command got far enough to have one. */
  tag: string | undefined;
  readonly status: 'BAD' | 'NO';
  readonly code: ResponseCode | undefined;
  /** The stream cannot be resynchronised (e.g. an unreadable non-synchronising literal size). */
  readonly fatal: boolean;

  constructor(message: string, options: ParseErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ParseError';
    this.tag = options.tag;
    this.status = options.status ?? 'BAD';
    this.code = options.code;
    this.fatal = options.fatal ?? false;
  }
}

/** Shows at most `max` bytes of client input in an error message, printable ASCII only. */
export function excerpt(bytes: string, max = 24): string {
  const cut = bytes.length > max ? bytes.slice(0, max) + '…' : bytes;
  return cut.replace(/[^\x20-\x7e…]/g, '?');
}
