/**
 * The DSN parameters of a queue entry (RFC 3461): RET and ENVID given on MAIL, NOTIFY and ORCPT on
 * each RCPT, as SMTP recorded them in meta.dsn ({ ret, envid, rcpts: { address: { notify, orcpt } } }).
 * Read by the queue runner (which notices to send) and by remote delivery (what to pass on).
 * Without NOTIFY a recipient gets failure and delay notices, never success (RFC 3461 §4.1 leaves
 * the default to us; FAILURE,DELAY is what Postfix and Sendmail do).
 */

export type DsnNotify = 'SUCCESS' | 'FAILURE' | 'DELAY';

export interface DsnRecipientParams {
  /** undefined: not given; [] : NOTIFY=NEVER. */
  notify?: DsnNotify[];
  /** The ORCPT value, xtext decoded (addr-type;address), e.g. 'rfc822;bob+x@example.com'. */
  orcpt?: string;
}

export interface DsnParams {
  ret?: 'FULL' | 'HDRS';
  envid?: string;
  /** Keyed by the lower-cased recipient address. */
  rcpts: Record<string, DsnRecipientParams>;
}

const NOTIFY = new Set(['SUCCESS', 'FAILURE', 'DELAY']);
const DEFAULT_NOTIFY: DsnNotify[] = ['FAILURE', 'DELAY'];

/** The DSN parameters in a queue entry's meta; empty when it has none (or they are malformed). */
export function dsnParamsOf(meta: Record<string, unknown>): DsnParams {
  const d = meta.dsn as { ret?: unknown; envid?: unknown; rcpts?: unknown } | undefined | null;
  const out: DsnParams = { rcpts: {} };
  if (!d || typeof d !== 'object') return out;
  const ret = typeof d.ret === 'string' ? d.ret.toUpperCase() : '';
  if (ret === 'FULL' || ret === 'HDRS') out.ret = ret;
  if (typeof d.envid === 'string' && d.envid !== '') out.envid = d.envid;
  if (d.rcpts && typeof d.rcpts === 'object') {
    for (const [addr, p] of Object.entries(d.rcpts as Record<string, { notify?: unknown; orcpt?: unknown }>)) {
      const r: DsnRecipientParams = {};
      if (Array.isArray(p?.notify)) {
        r.notify = p.notify.map((n) => String(n).toUpperCase()).filter((n): n is DsnNotify => NOTIFY.has(n));
      }
      if (typeof p?.orcpt === 'string' && p.orcpt.includes(';')) r.orcpt = p.orcpt;
      out.rcpts[addr.toLowerCase()] = r;
    }
  }
  return out;
}

/** Whether the sender asked for this kind of notice about rcpt. */
export function wantsNotice(d: DsnParams, rcpt: string, kind: DsnNotify): boolean {
  return (d.rcpts[rcpt.toLowerCase()]?.notify ?? DEFAULT_NOTIFY).includes(kind);
}

/** The Original-Recipient of rcpt ('rfc822;bob+x@example.com'); undefined when not given. */
export function originalRecipient(d: DsnParams, rcpt: string): string | undefined {
  return d.rcpts[rcpt.toLowerCase()]?.orcpt;
}

/** RFC 3461 §4 xtext: '+', '=', controls, space and bytes above 126 become "+HH". */
export function encodeXtext(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    out += b < 0x21 || b > 0x7e || b === 0x2b || b === 0x3d ? `+${b.toString(16).toUpperCase().padStart(2, '0')}` : String.fromCharCode(b);
  }
  return out;
}
