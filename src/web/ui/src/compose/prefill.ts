/**
 * Where a compose window starts (the URL hash says it: #compose?to=…, ?reply=F/U, ?replyAll=F/U,
 * ?forward=F/U, ?forwardAttached=F/U, ?draft=F/U) and the fields it starts with: a reply goes to the
 * Reply-To or the sender, "Re: " once, the original quoted below; reply all adds To and Cc less the
 * user; a forward keeps the original's attachments (attachmentsFrom) or attaches it whole.
 */
import type { TFunction } from 'i18next';
import { api, type Address, type ComposeBody, type MessageRef, type OpenedMessage, type Signature } from '../api.ts';

export type ComposeStart =
  | { kind: 'new'; to: string[] }
  | { kind: 'reply' | 'replyAll' | 'forward' | 'forwardAttached'; ref: MessageRef }
  | { kind: 'draft'; ref: MessageRef };

export interface ComposeFields {
  to: string[]; cc: string[]; bcc: string[]; subject: string;
  /** The editor's starting HTML (rich) and text (plain). */
  html: string; text: string;
  extra: Pick<ComposeBody, 'inReplyTo' | 'references' | 'original' | 'attachmentsFrom' | 'forwardAttached'>;
  /** An existing draft and its attachments. */
  draft?: MessageRef;
  attachments: Array<{ index: number; fileName: string; size: number }>;
}

const REF = /^(\d+)\/(\d+)$/;

export function parseStart(hash: string): ComposeStart {
  const q = new URLSearchParams(hash.replace(/^#compose\??/, ''));
  for (const kind of ['reply', 'replyAll', 'forward', 'forwardAttached', 'draft'] as const) {
    const m = REF.exec(q.get(kind) ?? '');
    if (m) return { kind, ref: { folderId: Number(m[1]), uid: Number(m[2]) } } as ComposeStart;
  }
  return { kind: 'new', to: (q.get('to') ?? '').split(/[,;]/).map((s) => s.trim()).filter(Boolean) };
}

const person = (a: Address) => (a.name ? `${a.name} <${a.address}>` : a.address);
const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const prefixed = (subject: string, prefix: 'Re' | 'Fwd') =>
  new RegExp(`^\\s*(${prefix === 'Re' ? 're|回复|答复' : 'fwd?|转发'})\\s*[:：]`, 'i').test(subject) ? subject : `${prefix}: ${subject}`;

/** The default signature under a separator, as HTML and as text (none for a draft: it has one already). */
function signatureBlock(sig: Signature | undefined): { html: string; text: string } {
  if (!sig || !sig.content.trim()) return { html: '', text: '' };
  const text = sig.format === 'text' ? sig.content : sig.content.replace(/<br\s*\/?>|<\/p>/gi, '\n').replace(/<[^>]*>/g, '').trim();
  return { html: `<p></p><p>-- </p>${sig.format === 'html' ? sig.content : textToHtml(sig.content)}`, text: `\n\n-- \n${text}` };
}

export async function prefill(start: ComposeStart, me: string, t: TFunction, signature?: Signature): Promise<ComposeFields> {
  const sig = signatureBlock(signature);
  const withSig = (f: ComposeFields): ComposeFields => ({ ...f, html: sig.html + f.html, text: sig.text + f.text });
  const empty: ComposeFields = { to: [], cc: [], bcc: [], subject: '', html: '', text: '', extra: {}, attachments: [] };
  if (start.kind === 'new') return withSig({ ...empty, to: start.to });
  if (start.kind === 'draft') {
    const d = await api.draft(start.ref);
    return {
      ...empty, to: d.to, cc: d.cc, bcc: d.bcc, subject: d.subject, text: d.text,
      html: d.html ?? textToHtml(d.text), draft: start.ref,
      extra: { ...(d.inReplyTo ? { inReplyTo: d.inReplyTo } : {}), ...(d.references.length ? { references: d.references } : {}) },
      attachments: d.attachments,
    };
  }
  const m: OpenedMessage = await api.message(start.ref.folderId, start.ref.uid);
  const c = m.content;
  const quoteHead = [t('compose.original'), `${t('read.from')}: ${c.from.map(person).join(', ')}`,
    `${t('read.date')}: ${c.date ? new Date(c.date).toLocaleString() : ''}`, `${t('read.to')}: ${c.to.map(person).join(', ')}`,
    `${t('compose.subject')}: ${c.subject}`];
  const quotedText = `\n\n${quoteHead.join('\n')}\n\n${c.text.split('\n').map((l) => `> ${l}`).join('\n')}`;
  const quotedHtml = `<p></p><p></p><p>${quoteHead.map(escapeHtml).join('<br>')}</p><blockquote>${textToHtml(c.text)}</blockquote>`;
  const isMe = (a: Address) => a.address.toLowerCase() === me.toLowerCase();
  if (start.kind === 'reply' || start.kind === 'replyAll') {
    const to = (c.replyTo.length ? c.replyTo : c.from).map(person);
    const others = start.kind === 'replyAll' ? [...c.to, ...c.cc].filter((a) => !isMe(a) && !to.includes(person(a))).map(person) : [];
    return withSig({
      ...empty, to,
      cc: start.kind === 'replyAll' ? others : [], subject: prefixed(c.subject, 'Re'), html: quotedHtml, text: quotedText,
      extra: {
        ...(c.messageId ? { inReplyTo: c.messageId, references: [...c.references, c.messageId] } : {}),
        original: { ...start.ref, action: 'reply' },
      },
    });
  }
  const forward = { ...empty, subject: prefixed(c.subject, 'Fwd'), extra: { original: { ...start.ref, action: 'forward' as const } } };
  if (start.kind === 'forwardAttached') return withSig({ ...forward, extra: { ...forward.extra, forwardAttached: [start.ref] } });
  return withSig({
    ...forward, html: quotedHtml, text: quotedText,
    extra: { ...forward.extra, ...(c.attachments.some((a) => !a.inline) ? { attachmentsFrom: start.ref } : {}) },
  });
}

export function textToHtml(text: string): string {
  return text.split(/\r?\n/).map((l) => `<p>${escapeHtml(l) || '<br>'}</p>`).join('');
}
