/**
 * A message parsed for reading in the webmail (FEATURES W5): the header fields a reader shows,
 * the text part, the HTML part as the sender wrote it (the web edge serves it only under a CSP
 * sandbox: see web/api/routes/mail.ts), and the attachments with safe names. mailparser does the
 * MIME work and the charsets (GBK, GB18030, Big5 via iconv). Inline `cid:` images stay as links
 * (skipImageLinks): nothing is expanded into the HTML. mailparser sets no depth or part-count limit
 * of its own: what bounds the work is the size limit every message passed on its way in.
 */
import { simpleParser, type AddressObject, type Attachment } from 'mailparser';
import { safeFileName } from './file-name.ts';

export interface DisplayAddress {
  name: string;
  address: string;
}

export interface DisplayAttachment {
  /** Position among the message's attachments, from 0. */
  index: number;
  fileName: string;
  contentType: string;
  size: number;
  /** Shown inside the HTML (a `cid:` image) rather than as an attachment. */
  inline: boolean;
}

export interface DisplayMessage {
  from: DisplayAddress[];
  to: DisplayAddress[];
  cc: DisplayAddress[];
  replyTo: DisplayAddress[];
  /** Only a message the user wrote (Sent, Drafts) keeps its Bcc. */
  bcc: DisplayAddress[];
  subject: string;
  /** Date header, ms; null when missing or unparsable. */
  date: number | null;
  messageId: string;
  /** In-Reply-To and References, for a reply or a draft opened again. */
  inReplyTo: string;
  references: string[];
  text: string;
  /** The HTML part unaltered, or null when there is none. Never put it in a page without a sandbox. */
  html: string | null;
  attachments: DisplayAttachment[];
  /** Content-ID (without <>) → index of the attachment, for the HTML's `cid:` images (safe-html.ts). */
  cids: Record<string, number>;
}

const addresses = (a: AddressObject | AddressObject[] | undefined): DisplayAddress[] =>
  (Array.isArray(a) ? a : a ? [a] : []).flatMap((o) => o.value.flatMap(function flat(v): DisplayAddress[] {
    if (v.group) return v.group.flatMap(flat);
    return [{ name: v.name ?? '', address: v.address ?? '' }];
  }));

const attachment = (a: Attachment, index: number): DisplayAttachment => ({
  index,
  fileName: safeFileName(a.filename, index),
  contentType: (a.contentType || 'application/octet-stream').toLowerCase(),
  size: a.size ?? a.content.length,
  inline: a.related === true || (a.contentDisposition === 'inline' && Boolean(a.cid)),
});

export async function readForDisplay(raw: Buffer): Promise<DisplayMessage> {
  const m = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true });
  const date = m.date?.getTime();
  return {
    from: addresses(m.from),
    to: addresses(m.to),
    cc: addresses(m.cc),
    replyTo: addresses(m.replyTo),
    bcc: addresses(m.bcc),
    subject: m.subject ?? '',
    date: date !== undefined && Number.isFinite(date) ? date : null,
    messageId: m.messageId ?? '',
    inReplyTo: m.inReplyTo ?? '',
    references: typeof m.references === 'string' ? [m.references] : (m.references ?? []),
    text: m.text ?? '',
    html: typeof m.html === 'string' ? m.html : null,
    attachments: m.attachments.map(attachment),
    cids: Object.fromEntries(m.attachments.flatMap((a, i) => (a.cid ? [[a.cid.replace(/^<|>$/g, ''), i]] : []))),
  };
}

/** Every attachment's bytes, in index order (a draft's attachments when it is sent). */
export async function readAttachments(raw: Buffer): Promise<Array<{ fileName: string; contentType: string; content: Buffer; cid?: string }>> {
  const m = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true, skipHtmlToText: true });
  return m.attachments.map((a, i) => ({ fileName: attachment(a, i).fileName, contentType: attachment(a, i).contentType, content: a.content, ...(a.cid ? { cid: a.cid } : {}) }));
}

/** The bytes of attachment `index`, with its safe name; undefined when there is no such attachment. */
export async function readAttachment(raw: Buffer, index: number): Promise<{ fileName: string; contentType: string; content: Buffer } | undefined> {
  const m = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true, skipHtmlToText: true });
  const a = m.attachments[index];
  if (!a) return undefined;
  const d = attachment(a, index);
  return { fileName: d.fileName, contentType: d.contentType, content: a.content };
}
