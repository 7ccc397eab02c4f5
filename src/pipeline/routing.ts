/**
 * A passing message's routing (stage.ts Routing: the content filter's redirect, copies,
 * notifications and folder) as the queue submissions that carry it out. The caller queues them
 * all in one transaction (QueueService.submitAll), so a crash loses none of them or all of them
 * before 250 is answered. Copies and notifications come from the null sender: a failure to deliver
 * one never bounces to the original sender, who should not learn of monitoring or archiving.
 */
import type { Submission } from '../queue/queue.ts';
import type { Routing } from './stage.ts';

/** The message itself (unless the routing leaves it no recipients), then its copies and messages. */
export function routedSubmissions(main: Submission, r: Routing | undefined): Submission[] {
  if (!r) return [main];
  const out: Submission[] = [];
  const recipients = r.recipients ?? main.recipients;
  if (recipients.length > 0) {
    out.push({ ...main, recipients, meta: { ...main.meta, ...(r.folder !== undefined ? { folder: r.folder } : {}), ...(r.recipients ? { redirectedFrom: main.recipients } : {}) } });
  }
  for (const c of r.copies) {
    if (c.to.length === 0) continue;
    out.push({ sender: '', recipients: [...new Set(c.to)], raw: c.subjectTag ? tagSubject(main.raw, c.subjectTag) : main.raw, meta: { copyOf: c.reason } });
  }
  for (const m of r.messages) {
    if (m.to.length === 0) continue;
    out.push({ sender: '', recipients: [...new Set(m.to)], raw: m.raw, meta: { notice: m.reason } });
  }
  return out;
}

/** The message with `tag` before its subject (encoded as an RFC 2047 word when not ASCII); a Subject is added when missing. */
export function tagSubject(raw: Buffer, tag: string): Buffer {
  const word = /^[\x20-\x7e]*$/.test(tag) ? tag : `=?UTF-8?B?${Buffer.from(tag, 'utf8').toString('base64')}?=`;
  const end = raw.indexOf('\r\n\r\n');
  const head = raw.subarray(0, end < 0 ? raw.length : end + 2).toString('latin1');
  const rest = raw.subarray(end < 0 ? raw.length : end + 2);
  const m = /^subject:[ \t]?/im.exec(head);
  const tagged = m
    ? head.slice(0, m.index + m[0].length) + `${word} ` + head.slice(m.index + m[0].length)
    : `Subject: ${word}\r\n${head}`;
  return Buffer.concat([Buffer.from(tagged, 'latin1'), rest]);
}
