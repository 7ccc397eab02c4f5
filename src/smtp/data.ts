/**
 * DATA: read the message, check it, stamp it and queue it; answer 250 only once the queue entry is
 * durable (DESIGN §4). Line endings are normalised (bare LF or CR become CRLF) so that nothing we
 * relay can be read as an end of data by another server (SMTP smuggling; smtp-server itself ends
 * DATA only on CRLF.CRLF). Adds Received, and Message-ID / Date when a client omitted them (RFC 6409
 * §8). Too many Received headers is a loop (RFC 5321 §6.3). Too large is 552 5.3.4 (RFC 1870).
 * A header section with a NUL or a field name with control characters is refused (554 5.6.0), and
 * Youju's internal `X-Youju-*` fields are removed from whatever a client sends.
 * The protection pipeline's end-of-DATA stages then decide: deliver (with the headers they add),
 * hold in the queue, quarantine, drop, or refuse with the reply they give.
 */
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { SMTPServerSession } from 'smtp-server';
import { rfc5322Date } from '../mime/date.ts';
import { headerDefect, withoutInternalHeaders } from '../mime/header-check.ts';
import type { ByteRate } from '../core/byte-rate.ts';
import { routedSubmissions } from '../pipeline/routing.ts';
import { sessionByteRate } from '../screening/bandwidth.ts';
import type { QueueIntake } from '../queue/queue.ts';
import { smtpError, smtpErrorFrom } from './reply.ts';
import type { SessionState } from './session-policy.ts';

export interface DataDeps {
  hostname: string;
  queue: QueueIntake;
  now(): number;
}

/** Reads the DATA stream; never more than limit + 1 bytes are kept. */
export async function readData(stream: Readable, limit: number, rate?: ByteRate): Promise<{ raw: Buffer; tooBig: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooBig = false;
  for await (const chunk of stream) {
    // 带宽限制: not reading on holds the client back (the stream pauses the socket).
    if (rate) await rate.pace((chunk as Buffer).length);
    size += (chunk as Buffer).length;
    if (limit > 0 && size > limit) tooBig = true;
    if (!tooBig) chunks.push(chunk as Buffer);
  }
  return { raw: Buffer.concat(chunks), tooBig: tooBig || (stream as Readable & { sizeExceeded?: boolean }).sizeExceeded === true };
}

/** CRLF everywhere: a lone LF or a lone CR becomes CRLF. */
export function normaliseLineEndings(raw: Buffer): Buffer {
  // Fast path: most messages are already clean, and only their line breaks need a look.
  let clean = true;
  for (let i = raw.indexOf(0x0a); clean && i >= 0; i = raw.indexOf(0x0a, i + 1)) clean = i > 0 && raw[i - 1] === 0x0d;
  for (let i = raw.indexOf(0x0d); clean && i >= 0; i = raw.indexOf(0x0d, i + 1)) clean = raw[i + 1] === 0x0a;
  if (clean) return raw;
  return Buffer.from(raw.toString('latin1').replace(/\r\n|\r|\n/g, '\r\n'), 'latin1');
}

/** The header block (without the empty line) and where the body starts. */
export function headerBlock(raw: Buffer): { header: string; bodyStart: number } {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return { header: raw.toString('latin1'), bodyStart: raw.length };
  return { header: raw.subarray(0, end + 2).toString('latin1'), bodyStart: end + 4 };
}

const countHeader = (header: string, name: string) =>
  (header.match(new RegExp(`^${name}:`, 'gim')) ?? []).length;

export async function acceptData(stream: Readable, session: SMTPServerSession, state: SessionState, deps: DataDeps): Promise<string> {
  const s = state.settings.smtp;
  const rate = session.user ? undefined : sessionByteRate('smtpIn', session.remoteAddress, state.settings);
  const { raw: received, tooBig } = await readData(stream, s.maxMessageBytes, rate);
  if (tooBig) throw smtpError(552, '5.3.4', `Message exceeds the maximum size of ${s.maxMessageBytes} bytes`);

  const defect = headerDefect(received);
  if (defect) throw smtpError(554, '5.6.0', `Message refused: ${defect}`);
  const raw = withoutInternalHeaders(normaliseLineEndings(received));
  const { header } = headerBlock(raw);
  const hops = countHeader(header, 'Received');
  if (hops >= s.hopLimit) throw smtpError(554, '5.4.6', `Too many hops (${hops} Received headers): mail loop?`);

  const verdict = state.pipeline ? await state.pipeline.data({ raw, header }) : { kind: 'deliver' as const, raw, headers: [] };
  if (verdict.kind === 'refuse') throw smtpError(verdict.reply.code, verdict.reply.enhanced, verdict.reply.text, verdict.close);
  if (verdict.kind === 'discard') return '2.0.0 Ok';

  const now = deps.now();
  const recipients = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
  const id = `${session.id}.${session.transaction}`;
  const add: string[] = [receivedHeader(session, state, deps.hostname, id, recipients, now), ...verdict.headers];
  if (!/^message-id:/im.test(header)) add.push(`Message-ID: <${now.toString(36)}.${randomBytes(6).toString('hex')}@${deps.hostname}>`);
  if (state.kind === 'submission' && !/^date:/im.test(header)) add.push(`Date: ${rfc5322Date(now)}`);
  const stamped = Buffer.concat([Buffer.from(add.join('\r\n') + '\r\n', 'utf8'), verdict.raw]);

  const mailFrom = session.envelope.mailFrom;
  const sender = state.sender?.address ?? (mailFrom ? mailFrom.address : '');
  try {
    const meta = {
      clientIp: session.remoteAddress,
      helo: session.hostNameAppearsAs,
      authUser: state.user?.address,
      listener: state.kind,
      sessionId: id,
      // RFC 3461: RET/ENVID of MAIL and each RCPT's NOTIFY/ORCPT (read by queue/dsn-params.ts).
      dsn: {
        ...session.envelope.dsn,
        rcpts: Object.fromEntries(session.envelope.rcptTo.filter((r) => r.dsn).map((r) => [r.address.toLowerCase(), r.dsn])),
      },
    };
    if (verdict.kind === 'quarantine') {
      const qid = await state.pipeline!.quarantine(stamped, { sender, recipients, stage: verdict.stage, reason: verdict.reason, clientIp: session.remoteAddress, meta });
      return `2.0.0 Ok: held for review as Q${qid}`;
    }
    const main = {
      sender,
      recipients,
      raw: stamped,
      priority: isPriority(header, state) ? 1 : 0,
      ...(state.user ? { sentBy: { userId: state.user.id, domainId: state.user.domainId } } : {}),
      ...(verdict.kind === 'hold' ? { state: 'holding' as const, meta: { ...meta, ...verdict.meta } } : { meta }),
    };
    if (verdict.kind === 'deliver' && verdict.routing) {
      // The content filter's redirect, copies and notifications: queued with the message in one transaction.
      const subs = routedSubmissions(main, verdict.routing);
      const ids = subs.length > 0 ? await deps.queue.submitAll(subs) : [];
      // The message itself is the first submission unless the filter left it no recipients (deleted).
      const kept = (verdict.routing.recipients ?? recipients).length > 0;
      return kept && ids[0] !== undefined ? `2.0.0 Ok: queued as ${ids[0]}` : '2.0.0 Ok';
    }
    const queueId = await deps.queue.submit(main);
    return `2.0.0 Ok: queued as ${queueId}`;
  } catch (err) {
    throw smtpErrorFrom(err);
  }
}

function isPriority(header: string, state: SessionState): boolean {
  const q = state.settings.queue;
  if (!q.priorityHeader) return false;
  const m = new RegExp(`^${q.priorityHeader.replace(/[^A-Za-z0-9-]/g, '')}:[ \\t]*(.*)$`, 'im').exec(header);
  if (!m) return false;
  const value = m[1]!.trim().toLowerCase();
  return q.priorityValues.some((v) => v.toLowerCase() === value);
}

/** RFC 5321 §4.4 trace header; `for` only names a single recipient (several would leak Bcc). */
function receivedHeader(session: SMTPServerSession, state: SessionState, hostname: string, id: string, rcpts: string[], now: number): string {
  const helo = (session.hostNameAppearsAs || 'unknown').replace(/[^\x21-\x7e]/g, '?');
  const rdns = session.clientHostname && !session.clientHostname.startsWith('[') ? session.clientHostname : 'unknown';
  const ip = session.remoteAddress.replace(/^::ffff:/, '');
  const protocol = `ESMTP${session.secure ? 'S' : ''}${state.user ? 'A' : ''}`;
  const forClause = rcpts.length === 1 ? `\r\n\tfor <${rcpts[0]}>` : '';
  return `Received: from ${helo} (${rdns} [${ip}])\r\n\tby ${hostname} (Youju) with ${protocol} id ${id}${forClause};\r\n\t${rfc5322Date(now)}`;
}
