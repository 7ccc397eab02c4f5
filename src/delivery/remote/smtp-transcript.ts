/**
 * The session log of one outbound SMTP connection and what it tells us: nodemailer's transaction
 * log is paired command by command with the replies (RFC 2920 §3.1: replies come in command order),
 * giving one reply per RCPT, the MAIL/DATA/end-of-data replies and whether EHLO offered DSN. Also
 * the per-recipient DSN arguments (RFC 3461 NOTIFY/ORCPT) nodemailer cannot send by itself.
 * AUTH data never reaches the log.
 */
import type SMTPConnection from 'nodemailer/lib/smtp-connection';
import { encodeXtext, type DsnParams } from '../../queue/dsn-params.ts';

type Pending = { kind: 'EHLO' | 'MAIL' | 'DATA' | 'AUTH' | 'other' } | { kind: 'RCPT'; rcpt: string };

/** Pairs each reply with the command it answers (replies come in command order, RFC 2920 §3.1). */
export class Transcript {
  readonly rcpt = new Map<string, string>();
  greeting?: string;
  /** The last EHLO reply (after STARTTLS, the second one). */
  ehlo?: string;
  mail?: string;
  data?: string;
  final?: string;
  readonly #pending: Pending[] = [];
  #inAuth = false;

  /** Where lines go: the running transaction's buffer (a pooled session serves many). */
  constructor(public log: (line: string) => void) {}

  /** Forgets the last transaction's replies (the session is reused). */
  beginTransaction(): void {
    this.rcpt.clear();
    this.mail = undefined;
    this.data = undefined;
    this.final = undefined;
  }

  /** A bunyan-style logger for SMTPConnection with transactionLog on. */
  readonly logger = {
    debug: (entry: { tnx?: string } | undefined, msg?: unknown): void => {
      if (entry?.tnx === 'client') this.#client(String(msg ?? ''));
      else if (entry?.tnx === 'server') this.#server(String(msg ?? ''));
    },
    info: (_entry: { tnx?: string } | undefined, msg?: unknown): void => {
      if (typeof msg === 'string' && /STARTTLS/.test(msg)) this.log(`${msg}`);
    },
    trace: () => {}, warn: () => {}, error: () => {}, fatal: () => {},
  };

  #client(line: string): void {
    const auth = /^AUTH\s+(\S+)/i.exec(line);
    if (auth) this.#inAuth = true;
    // Credentials never reach the log, not even base64 or nodemailer's masked forms.
    this.log(`--> ${auth ? `AUTH ${auth[1]} ******` : this.#inAuth ? '******' : line}`);
    const rcpt = /^RCPT TO:<([^>]*)>/i.exec(line);
    if (rcpt) this.#pending.push({ kind: 'RCPT', rcpt: rcpt[1] ?? '' });
    else if (/^MAIL FROM:/i.test(line)) this.#pending.push({ kind: 'MAIL' });
    else if (/^DATA$/i.test(line)) this.#pending.push({ kind: 'DATA' });
    else if (/^EHLO /i.test(line)) this.#pending.push({ kind: 'EHLO' });
    else this.#pending.push({ kind: this.#inAuth ? 'AUTH' : 'other' });
  }

  #server(text: string): void {
    for (const l of text.split(/\r?\n/)) this.log(`<-- ${l}`);
    const cmd = this.#pending.shift();
    if (cmd === undefined) {
      // Unasked replies: the greeting, or the reply to the end of data after DATA got 354.
      if (this.data?.startsWith('3')) this.final ??= text;
      else this.greeting ??= text;
      return;
    }
    if (cmd.kind === 'AUTH' && !text.startsWith('334')) this.#inAuth = false;
    if (cmd.kind === 'RCPT') this.rcpt.set(cmd.rcpt, text);
    else if (cmd.kind === 'MAIL') this.mail = text;
    else if (cmd.kind === 'DATA') this.data = text;
    else if (cmd.kind === 'EHLO') this.ehlo = text;
  }

  get offersDsn(): boolean {
    return /^250[ -]DSN\b/im.test(this.ehlo ?? '');
  }
}

/**
 * nodemailer puts one NOTIFY/ORCPT on every RCPT, but RFC 3461 gives each recipient its own: its
 * RCPT arguments come from the transaction's DSN parameters instead (ORCPT xtext-encoded again, RFC 3461 §4.2).
 * Without the two nodemailer internals this relies on, recipients' NOTIFY/ORCPT are not passed on.
 */
export function passRecipientDsn(conn: SMTPConnection, t: Transcript, dsn: DsnParams | undefined): void {
  const installed = dsnOf.get(conn);
  if (installed) { installed.dsn = dsn; return; }
  const c = conn as unknown as { _sendRcpt?: (rcpt: string, cb: unknown) => void; _getDsnRcptToArgs?: () => string };
  const sendRcpt = c._sendRcpt;
  if (typeof sendRcpt !== 'function' || typeof c._getDsnRcptToArgs !== 'function') return;
  const state = { dsn, current: '' };
  dsnOf.set(conn, state);
  c._sendRcpt = (rcpt, cb) => { state.current = rcpt; sendRcpt.call(conn, rcpt, cb); };
  c._getDsnRcptToArgs = () => {
    const p = state.dsn?.rcpts[state.current.toLowerCase()];
    if (!p || !t.offersDsn) return '';
    const args = [
      ...(p.notify ? [`NOTIFY=${p.notify.length === 0 ? 'NEVER' : p.notify.join(',')}`] : []),
      ...(p.orcpt ? [`ORCPT=${encodeXtext(p.orcpt)}`] : []),
    ];
    return args.length > 0 ? ` ${args.join(' ')}` : '';
  };
}

/** The transaction each connection's RCPT arguments come from (a pooled connection serves many). */
const dsnOf = new WeakMap<SMTPConnection, { dsn: DsnParams | undefined; current: string }>();

