/**
 * The list file of `youju import --file LIST` (FEATURES A11, manual §2.9.1): one account a line,
 * `server account password [local-account]`. server is host or host:port, optionally with a scheme:
 * imaps:// (the default: IMAP over TLS, 993), imap:// (143, STARTTLS when offered), pop3s:// (995),
 * pop3:// (110, STLS when offered). A field holding spaces or a leading # goes in double quotes
 * with \" and \\ escapes. Blank lines and lines starting with # are skipped. Pure: no I/O.
 */
import { MailError } from '../../core/errors.ts';
import type { ImportProtocol, ImportTls } from '../../store/store.ts';

export interface ImportLine {
  line: number;
  protocol: ImportProtocol;
  tls: ImportTls;
  host: string;
  port: number;
  remoteUser: string;
  password: string;
  /** As written; '' means "the same as remoteUser" (resolved by the caller). */
  localAccount: string;
}

const SCHEMES: Record<string, { protocol: ImportProtocol; tls: ImportTls; port: number }> = {
  imaps: { protocol: 'imap', tls: 'tls', port: 993 },
  imap: { protocol: 'imap', tls: 'starttls', port: 143 },
  pop3s: { protocol: 'pop3', tls: 'tls', port: 995 },
  pop3: { protocol: 'pop3', tls: 'starttls', port: 110 },
};

/** Splits on whitespace, honouring double quotes. Throws a plain Error naming the problem. */
export function splitFields(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text[i]!)) { i++; continue; }
    if (text[i] === '"') {
      let v = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quote');
        const c = text[i++]!;
        if (c === '"') break;
        if (c === '\\' && i < text.length) v += text[i++]!;
        else v += c;
      }
      if (i < text.length && !/\s/.test(text[i]!)) throw new Error('a closing quote must end its field');
      out.push(v);
    } else {
      const start = i;
      while (i < text.length && !/\s/.test(text[i]!)) i++;
      out.push(text.slice(start, i));
    }
  }
  return out;
}

/** `imaps://host:port`, `host:port`, `[::1]:993` → protocol, TLS, host and port. */
export function parseServer(spec: string): Pick<ImportLine, 'protocol' | 'tls' | 'host' | 'port'> {
  const m = /^(?:([a-z0-9]+):\/\/)?(\[[0-9a-f:.]+\]|[^\s:/[\]]+)(?::(\d+))?\/?$/i.exec(spec);
  if (!m) throw new Error(`"${spec}" is not a server (host, host:port or imaps://host:port)`);
  const scheme = (m[1] ?? 'imaps').toLowerCase();
  const kind = SCHEMES[scheme];
  if (!kind) throw new Error(`unknown scheme "${scheme}://" (use imaps, imap, pop3s or pop3)`);
  const port = m[3] === undefined ? kind.port : Number(m[3]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`port ${m[3]} is out of range`);
  const host = m[2]!.replace(/^\[|\]$/g, '').toLowerCase();
  return { protocol: kind.protocol, tls: kind.tls, host, port };
}

/** The checks of one account's fields, for the list file and the console's form alike. */
export function checkAccountFields(remoteUser: string, password: string, localAccount: string): void {
  if (remoteUser === '') throw new Error('the account is empty');
  if (password === '') throw new Error('the password is empty');
  if (localAccount !== '' && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(localAccount)) throw new Error(`"${localAccount}" is not a mail address`);
}

/** One account of a source server into one local account: a job lists it once. */
export const accountKey = (l: Pick<ImportLine, 'remoteUser' | 'host' | 'localAccount'>): string =>
  `${l.remoteUser}@${l.host} ${(l.localAccount || l.remoteUser).toLowerCase()}`;

/**
 * Parses the whole file. Every bad line is reported, each with its number; the error message
 * starts with the first one (the CLI shows one line) and the details carry them all.
 */
export function parseImportList(text: string, file = 'LIST'): ImportLine[] {
  const out: ImportLine[] = [];
  const errors: string[] = [];
  // Two lines for one account would race for the same progress markers, and an IMAP and a POP3
  // line for it would bring its INBOX twice (their markers differ): one line per account.
  const seen = new Map<string, number>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const lineNo = i + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    try {
      const fields = splitFields(trimmed);
      if (fields.length < 3 || fields.length > 4) {
        throw new Error(`expected "server account password [local-account]", found ${fields.length} field${fields.length === 1 ? '' : 's'}`);
      }
      const [server, remoteUser, password, localAccount = ''] = fields as [string, string, string, string?];
      checkAccountFields(remoteUser, password, localAccount);
      const entry: ImportLine = { line: lineNo, ...parseServer(server), remoteUser, password, localAccount };
      const key = accountKey(entry);
      const first = seen.get(key);
      if (first !== undefined) throw new Error(`the same account as line ${first}`);
      seen.set(key, lineNo);
      out.push(entry);
    } catch (err) {
      errors.push(`${file} line ${lineNo}: ${(err as Error).message}`);
    }
  }
  if (errors.length > 0) {
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more bad line${errors.length > 2 ? 's' : ''})` : '';
    throw new MailError('INVALID_INPUT', `${errors[0]}${more}`, { details: { errors } });
  }
  if (out.length === 0) throw new MailError('INVALID_INPUT', `${file} has no accounts`);
  return out;
}
