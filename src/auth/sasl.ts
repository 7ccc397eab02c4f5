/**
 * The one SASL server every protocol uses (issue #10 §5): PLAIN (RFC 4616), LOGIN and CRAM-MD5
 * (RFC 2195), run over a protocol's own challenge/response transport (`ask`), and the one rule for
 * whether a session may send a password at all. It decodes and checks the exchange and returns
 * credentials; the protocol verifies them with the user service and writes its own replies.
 * PLAIN refuses an authorization identity other than the authentication identity (RFC 4616 §2:
 * there is no proxy login here); a client that only fills the authzid is read as that user.
 */
import { randomBytes } from 'node:crypto';

export type SaslMechanism = 'PLAIN' | 'LOGIN' | 'CRAM-MD5';

export type Credentials =
  | { kind: 'password'; username: string; password: string }
  | { kind: 'cram-md5'; username: string; challenge: string; response: string };

export type SaslOutcome =
  | { ok: true; credentials: Credentials }
  /** cancelled: the client sent "*"; malformed: undecodable; unsupported: not a mechanism offered; proxy: authzid ≠ authcid. */
  | { ok: false; reason: 'cancelled' | 'malformed' | 'unsupported' | 'proxy' };

export interface SaslOptions {
  /** Offer CRAM-MD5 (security.cramMd5Enabled). */
  cramMd5: boolean;
  /** Our host name, for the CRAM-MD5 challenge. */
  hostname: string;
}

/** The mechanisms offered, in the order protocols list them. */
export const mechanisms = (opts: Pick<SaslOptions, 'cramMd5'>): SaslMechanism[] =>
  opts.cramMd5 ? ['PLAIN', 'LOGIN', 'CRAM-MD5'] : ['PLAIN', 'LOGIN'];

/**
 * Whether a session may log in with a password: over TLS, or where security.allowPlaintextAuth
 * allows it on a plain connection (RFC 3207 §4, RFC 2595 §3.1, RFC 3501 §6.2.3).
 */
export const mayLogIn = (secure: boolean, settings: { security: { allowPlaintextAuth: boolean } }): boolean =>
  secure || settings.security.allowPlaintextAuth;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/;

/** RFC 4616 message: authzid NUL authcid NUL passwd. */
export function decodePlain(message: Buffer): SaslOutcome {
  const parts = message.toString('utf8').split('\0');
  if (parts.length !== 3) return { ok: false, reason: 'malformed' };
  const [authzid, authcid, password] = parts as [string, string, string];
  const username = authcid || authzid;
  if (username === '' || CONTROL.test(username) || CONTROL.test(authzid)) return { ok: false, reason: 'malformed' };
  if (authzid !== '' && authcid !== '' && authzid !== authcid) return { ok: false, reason: 'proxy' };
  return { ok: true, credentials: { kind: 'password', username, password } };
}

/**
 * Runs one exchange. `initial` is the client's initial response (already base64-decoded), if it
 * sent one; `ask(challenge)` sends a challenge (text, the protocol encodes it) and resolves with the
 * client's decoded answer, or undefined when the client cancelled or the answer was not base64.
 */
export async function runSasl(mechanism: string, initial: Buffer | undefined,
  ask: (challenge: string) => Promise<Buffer | undefined>, opts: SaslOptions): Promise<SaslOutcome> {
  const mech = mechanism.toUpperCase();
  if (!(mechanisms(opts) as string[]).includes(mech)) return { ok: false, reason: 'unsupported' };
  if (mech === 'PLAIN') {
    const message = initial ?? await ask('');
    return message === undefined ? { ok: false, reason: 'cancelled' } : decodePlain(message);
  }
  if (mech === 'LOGIN') {
    const user = initial ?? await ask('Username:');
    if (user === undefined) return { ok: false, reason: 'cancelled' };
    const username = user.toString('utf8');
    if (username === '' || CONTROL.test(username)) return { ok: false, reason: 'malformed' };
    const password = await ask('Password:');
    if (password === undefined) return { ok: false, reason: 'cancelled' };
    return { ok: true, credentials: { kind: 'password', username, password: password.toString('utf8') } };
  }
  // CRAM-MD5: no initial response (RFC 2195); the challenge is unpredictable.
  if (initial !== undefined) return { ok: false, reason: 'malformed' };
  const challenge = `<${randomBytes(12).toString('hex')}.${Math.floor(Date.now() / 1000)}@${opts.hostname}>`;
  const answer = await ask(challenge);
  if (answer === undefined) return { ok: false, reason: 'cancelled' };
  const text = answer.toString('utf8');
  const sp = text.lastIndexOf(' ');
  if (sp <= 0 || CONTROL.test(text)) return { ok: false, reason: 'malformed' };
  return { ok: true, credentials: { kind: 'cram-md5', username: text.slice(0, sp), challenge, response: text.slice(sp + 1) } };
}

/** A base64 client response as bytes; undefined for "*" (cancel) or text that is not base64. */
export function decodeResponse(line: string): Buffer | undefined {
  const t = line.trim();
  if (t === '*' || !/^[A-Za-z0-9+/]*={0,2}$/.test(t) || t.length % 4 === 1) return undefined;
  return Buffer.from(t, 'base64');
}
