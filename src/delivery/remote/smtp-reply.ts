/**
 * SMTP replies for remote delivery: parsing what a remote server said (RFC 5321 §4.2 multi-line
 * replies, RFC 2034/3463 enhanced status codes) into an SmtpReply that names the remote MTA, and
 * the catalogue of replies we make up ourselves when no server answered (DNS failures, refused
 * connections, null MX …), so the queue and DSN code see one shape. RFC 7505 §4.1 (null MX),
 * RFC 3463 §3.5 (X.4.x network and routing), §3.2 (X.1.x addressing). Reads no settings.
 */
import { reply, type SmtpReply } from '../transport.ts';

/** 'mx.example.net[192.0.2.1]', the form DSN Remote-MTA and logs use. */
export const remoteMtaName = (host: string, address: string): string =>
  (host === address ? `[${address}]` : `${host}[${address}]`);

/**
 * Parses a raw reply ('250-first\n250 2.0.0 Ok') into code, enhanced status and one line of
 * text. A reply without an enhanced code gets the class default ('4.0.0'); one whose enhanced
 * class contradicts the reply code is corrected to the code's class (RFC 3463 §2).
 */
export function parseReply(raw: string, remoteMta?: string): SmtpReply {
  const lines = raw.split(/\r?\n/).filter((l) => l.length > 0);
  const code = Number(/^([2-5]\d\d)/.exec(lines[0] ?? '')?.[1] ?? 0);
  let enhanced = '';
  const texts = lines.map((line, i) => {
    let text = line.replace(/^\d{3}[ -]?/, '');
    const m = /^([245])\.(\d{1,3})\.(\d{1,3})(?:\s+|$)/.exec(text);
    if (m) {
      if (i === 0) enhanced = `${m[1]}.${m[2]}.${m[3]}`;
      text = text.slice(m[0].length);
    }
    return text.trim();
  });
  const cls = Math.floor(code / 100);
  if (code === 0) return reply(451, '4.4.2', `unparsable reply: ${raw.slice(0, 200)}`, remoteMta);
  if (!enhanced) enhanced = `${cls}.0.0`;
  else if (enhanced[0] !== String(cls) && cls !== 3) enhanced = `${cls}${enhanced.slice(1)}`;
  return reply(code, enhanced, texts.filter(Boolean).join(' '), remoteMta);
}

/** Replies we write ourselves. No remote MTA said them, so remoteMta stays unset. */
export const LOCAL_REPLIES = {
  domainNotFound: (domain: string) => reply(550, '5.1.2', `domain not found: ${domain} does not exist`),
  domainNoMail: (domain: string) => reply(550, '5.1.2', `domain not found: ${domain} has no MX or A/AAAA record`),
  nullMx: (domain: string) => reply(556, '5.1.10', `${domain} does not accept mail (null MX, RFC 7505)`),
  badRecipient: (rcpt: string) => reply(553, '5.1.3', `bad destination mailbox address syntax: ${rcpt}`),
  badSender: (sender: string) => reply(553, '5.1.7', `bad sender mailbox address syntax: ${sender}`),
  dnsTemporary: (name: string, why: string) => reply(451, '4.4.3', `DNS lookup for ${name} failed temporarily (${why})`),
  noRoute: (domain: string) => reply(550, '5.4.4', `unable to route: no MX host of ${domain} has an address`),
  loopsToSelf: (domain: string) => reply(554, '5.4.6', `mail for ${domain} loops back to myself (MX points here)`),
  noAnswer: (where: string, why: string) => reply(451, '4.4.1', `no answer from ${where}: ${why}`),
  connectionLost: (where: string, why: string, remoteMta?: string) =>
    reply(451, '4.4.2', `lost connection with ${where}: ${why}`, remoteMta),
  tlsFailed: (where: string, why: string) => reply(451, '4.7.5', `TLS with ${where} failed: ${why}`),
  tooBig: (where: string, limit: number, remoteMta: string) =>
    reply(552, '5.3.4', `message larger than ${where} accepts (SIZE ${limit})`, remoteMta),
  smartHostMissing: () => reply(451, '4.3.5', 'delivery mode needs a smart host, but delivery.smartHost is not set'),
  interrupted: () => reply(451, '4.3.2', 'delivery interrupted (shutting down); will retry'),
} as const;
