/**
 * The capability list (RFC 3501 §7.2.1) for a session's state: STARTTLS and LOGINDISABLED before TLS
 * when plaintext logins are off (RFC 3501 §6.2.3, RFC 2595), AUTH= mechanisms before login, the
 * extensions once logged in (UNAUTHENTICATE, RFC 8437, returns to the first list; a compressed
 * session offers no STARTTLS, RFC 4978 §4). What is listed here is implemented in commands/.
 */
import { mayLogIn, mechanisms } from '../auth/sasl.ts';
import type { Settings } from '../config/settings.ts';
import type { SessionState } from './context.ts';

export interface CapabilityInput {
  state: SessionState;
  secure: boolean;
  compressed: boolean;
  settings: Readonly<Settings>;
}

const EXTENSIONS = [
  'LITERAL+', 'SASL-IR', 'ID', 'ENABLE', 'IDLE', 'NAMESPACE', 'UNSELECT', 'UIDPLUS', 'MOVE', 'CHILDREN',
  'SPECIAL-USE', 'CREATE-SPECIAL-USE', 'LIST-EXTENDED', 'LIST-STATUS', 'QUOTA', 'QUOTA=RES-STORAGE',
  'QUOTA=RES-MESSAGE', 'CONDSTORE', 'QRESYNC', 'ESEARCH', 'SEARCHRES', 'SORT', 'SORT=DISPLAY', 'ESORT',
  'CONTEXT=SEARCH', 'CONTEXT=SORT', 'THREAD=ORDEREDSUBJECT', 'THREAD=REFERENCES', 'BINARY', 'UTF8=ACCEPT',
  'STATUS=SIZE', 'I18NLEVEL=1', 'MULTIAPPEND', 'CATENATE', 'NOTIFY', 'UNAUTHENTICATE',
];

export function capabilityList(input: CapabilityInput): string[] {
  // Both: a client speaks IMAP4rev1 until it sends ENABLE IMAP4rev2 (RFC 9051 Appendix E).
  const caps = ['IMAP4rev1', 'IMAP4rev2'];
  const plaintextOk = mayLogIn(input.secure, input.settings);
  if (input.state === 'not-authenticated') {
    caps.push('LITERAL+', 'SASL-IR', 'ID', 'ENABLE', 'IDLE');
    if (!input.secure && !input.compressed) caps.push('STARTTLS');
    if (plaintextOk) {
      caps.push(...mechanisms({ cramMd5: input.settings.security.cramMd5Enabled }).map((m) => `AUTH=${m}`));
    } else {
      caps.push('LOGINDISABLED');
    }
    return caps;
  }
  caps.push(...EXTENSIONS, `APPENDLIMIT=${input.settings.imap.appendLimitBytes}`);
  if (input.settings.imap.compressEnabled && !input.compressed) caps.push('COMPRESS=DEFLATE');
  return caps;
}
