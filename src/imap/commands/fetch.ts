/**
 * FETCH and UID FETCH (RFC 3501 §6.4.5, §7.4.2): every item — FLAGS, UID, INTERNALDATE, RFC822.SIZE,
 * ENVELOPE, BODY, BODYSTRUCTURE, RFC822[.HEADER/.TEXT], BODY[section]<partial>, BODY.PEEK — plus
 * BINARY[.PEEK/.SIZE] (RFC 3516), MODSEQ and CHANGEDSINCE/VANISHED (RFC 7162). Work is in batches:
 * UID/FLAGS/MODSEQ come from the session's view, message rows are read only when an item needs
 * them, message bytes only when an item needs those, and the client's reading paces the batches.
 * A non-PEEK body fetch sets \Seen (not in EXAMINE) and reports the new FLAGS.
 */
import type { BlobId } from '../../core/ids.ts';
import { bodyStructure } from '../../mime/bodystructure.ts';
import { imapMeta } from '../../mime/imap-meta.ts';
import { parseMimeTree, type MimePart } from '../../mime/mime-tree.ts';
import { extractBinary, extractSection, type Section } from '../../mime/sections.ts';
import type { BlobMeta, Message, MessageMeta } from '../../store/store.ts';
import type { SummaryCache } from '../summary-cache.ts';
import { bad, no, ok, type Completion, type ImapContext, type SelectedMailbox } from '../context.ts';
import type { FetchCommand } from '../protocol/command.ts';
import { formatDateTime } from '../protocol/date-time.ts';
import type { BodySection, FetchAttribute } from '../protocol/parse-fetch.ts';
import { fetchItemName } from '../protocol/parse-fetch.ts';
import { atom, fetchResponse, formatSequenceSet, Literal, raw, untaggedData, type ImapValue } from '../protocol/serializer.ts';
import { LINE_BLOCK, LINE_BLOCK_SHIFT } from '../mailbox-view.ts';
import { flagsValue } from '../updates.ts';
import { resolveSet, toUidSet } from './uids.ts';

const BATCH = 200;

const ROW_ITEMS = new Set(['INTERNALDATE', 'RFC822.SIZE']);
/** Items the session's view answers alone (the common "what changed" sync). */
const VIEW_ITEMS = new Set(['UID', 'FLAGS', 'MODSEQ']);
/** Items answered from the view plus one indexed query per thousand messages (the listing a client builds). */
const META_ITEMS = new Set([...VIEW_ITEMS, 'RFC822.SIZE', 'INTERNALDATE', 'ENVELOPE', 'BODYSTRUCTURE']);
const META_BATCH = 1000;
/** Output is written in pieces of about this size. */
const CHUNK_CHARS = 64 * 1024;
/** Output of FETCH (UID FLAGS) goes out in writes of about this size. */
const CHUNK_BYTES = 256 * 1024;
const BYTE_ITEMS = new Set(['ENVELOPE', 'BODY', 'BODYSTRUCTURE', 'RFC822', 'RFC822.HEADER', 'RFC822.TEXT', 'BODY[]', 'BINARY', 'BINARY.SIZE']);

const setsSeen = (a: FetchAttribute) =>
  ((a.name === 'BODY[]' || a.name === 'BINARY') && !a.peek) || a.name === 'RFC822' || a.name === 'RFC822.TEXT';

/**
 * Messages another session expunged after this one last heard of it have no data left: the others
 * are answered and the command completes OK (RFC 2180 §4.1.2, as Dovecot does), so a client does
 * not take a busy mailbox for a broken one; the EXPUNGE comes with the next update.
 */
/**
 * A literal for BODY[]/RFC822 data: IMAP4rev1 literals cannot carry NUL (RFC 3501 §4.3), so a NUL
 * in stored bytes goes out as 0x80, as Dovecot sends it (same length: sizes and partial offsets
 * hold). Clients that want the exact octets ask with BINARY, which sends literal8 (RFC 3516).
 */
function textLiteral(bytes: Buffer): Literal {
  if (!bytes.includes(0)) return new Literal(bytes);
  const copy = Buffer.from(bytes);
  for (let i = copy.indexOf(0); i !== -1; i = copy.indexOf(0, i + 1)) copy[i] = 0x80;
  return new Literal(copy);
}

const EXPUNGED_MEANWHILE = 'FETCH completed; some messages were expunged meanwhile';

export async function fetch(ctx: ImapContext, cmd: FetchCommand): Promise<Completion> {
  const sel = ctx.selected!;
  const condstore = ctx.enabled.has('CONDSTORE');
  if (cmd.vanished && (!cmd.uid || cmd.changedSince === undefined || !ctx.enabled.has('QRESYNC'))) {
    return bad('VANISHED needs UID FETCH, CHANGEDSINCE and QRESYNC enabled');
  }
  // CHANGEDSINCE and the MODSEQ item are CONDSTORE enabling (RFC 7162 §3.1): later untagged FETCH carry MODSEQ.
  if (cmd.changedSince !== undefined || cmd.attributes.some((a) => a.name === 'MODSEQ')) ctx.enabled.add('CONDSTORE');
  const attrs = [...cmd.attributes];
  const has = (name: string) => attrs.some((a) => a.name === name);
  if (cmd.uid && !has('UID')) attrs.unshift({ name: 'UID' });
  if ((cmd.changedSince !== undefined || (condstore && has('FLAGS'))) && !has('MODSEQ')) attrs.push({ name: 'MODSEQ' });

  let uids = resolveSet(sel, cmd.sequenceSet, cmd.uid);
  if (cmd.changedSince !== undefined) {
    const since = Number(cmd.changedSince);
    uids = uids.filter((u) => (sel.view.message(u)?.modseq ?? 0) > since);
    if (cmd.vanished) await reportVanished(ctx, cmd, since);
  }
  if (attrs.every((a) => VIEW_ITEMS.has(a.name)) && !cmd.attributes.some(setsSeen)) {
    await fetchFromView(ctx, sel, attrs.map((a) => a.name), uids);
    return ok('FETCH completed');
  }
  if (attrs.every((a) => META_ITEMS.has(a.name)) && !cmd.attributes.some(setsSeen)) {
    const missing = await fetchMeta(ctx, sel, attrs.map((a) => a.name), uids);
    return ok(missing ? EXPUNGED_MEANWHILE : 'FETCH completed');
  }
  const needBytes = attrs.some((a) => BYTE_ITEMS.has(a.name));
  const needMeta = attrs.some((a) => a.name === 'ENVELOPE' || a.name === 'BODYSTRUCTURE');
  const needRow = needBytes || attrs.some((a) => ROW_ITEMS.has(a.name));
  const markSeen = !sel.readOnly && attrs.some(setsSeen);

  let missing = false;
  let cteError = false;
  for (let i = 0; i < uids.length; i += BATCH) {
    const batch = uids.slice(i, i + BATCH);
    if (markSeen) await markBatchSeen(ctx, sel, batch);
    const rows = needRow ? new Map((await ctx.deps.mailboxes.messages(sel.mailbox.id, { uids: toUidSet(batch) })).map((m) => [m.uid, m])) : undefined;
    const metas = rows && needMeta ? await ctx.deps.mailboxes.blobMeta([...rows.values()].map((r) => r.blobId)) : undefined;
    const computed: Array<[BlobId, BlobMeta]> = [];
    for (const uid of batch) {
      const seq = sel.view.seqOf(uid);
      const viewMessage = sel.view.message(uid);
      if (seq === 0 || !viewMessage) continue;
      const row = rows?.get(uid);
      if (rows && !row) {
        missing = true;
        continue;
      }
      const items: Array<[string, ImapValue]> = [];
      const message = row && needBytes ? new LazyMessage(ctx, row, metas?.get(row.blobId), computed) : undefined;
      for (const a of attrs) {
        const item = await fetchItem(ctx, sel, a, uid, viewMessage, row, message);
        if (item === 'unknown-cte') {
          cteError = true;
          continue;
        }
        items.push(item);
      }
      if (markSeen && !has('FLAGS')) items.push(['FLAGS', flagsValue(sel, uid, viewMessage.flags)]);
      ctx.write(fetchResponse(seq, items, ctx.wire));
    }
    await ctx.deps.mailboxes.saveBlobMeta(computed);
    await ctx.drain();
  }
  if (cteError) return no('A part has an unknown Content-Transfer-Encoding', 'UNKNOWN-CTE');
  return ok(missing ? EXPUNGED_MEANWHILE : 'FETCH completed');
}

/**
 * FETCH of UID/FLAGS/MODSEQ only: straight from the view, as text, no store reads — a client
 * re-syncing flags of 100,000 messages gets them in one pass.
 */
async function fetchFromView(ctx: ImapContext, sel: SelectedMailbox, names: readonly string[], uids: readonly number[]): Promise<void> {
  const view = sel.view;
  const recent = sel.recent.size > 0 ? sel.recent : undefined;
  const uidFlags = names.length === 2 && names[0] === 'UID' && names[1] === 'FLAGS';
  // "FETCH 1:* (UID FLAGS)": whole blocks of unchanged messages go out as serialized once (mailbox-view.ts).
  let recentBlocks: Set<number> | undefined;
  if (uidFlags && recent) {
    recentBlocks = new Set();
    for (const u of recent) {
      const s = view.seqOf(u);
      if (s > 0) recentBlocks.add((s - 1) >> LINE_BLOCK_SHIFT);
    }
  }
  const pieces: Buffer[] = [];
  let pending = 0;
  const flush = async (): Promise<void> => {
    if (chunk !== '') {
      const b = Buffer.from(chunk, 'utf8');
      pieces.push(b);
      pending += b.length;
      chunk = '';
    }
    if (pieces.length > 0) ctx.write(pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces, pending));
    pieces.length = 0;
    pending = 0;
    await ctx.drain();
  };
  let chunk = '';
  let seq = 0;
  for (let j = 0; j < uids.length; j++) {
    const uid = uids[j]!;
    // The uids come in sequence order: the next one is mostly at the next sequence number.
    seq = view.uidOf(seq + 1) === uid ? seq + 1 : view.seqOf(uid);
    if (seq === 0) continue;
    if (uidFlags && ((seq - 1) & (LINE_BLOCK - 1)) === 0 && j + LINE_BLOCK <= uids.length) {
      const last = seq + LINE_BLOCK - 1;
      const k = (seq - 1) >> LINE_BLOCK_SHIFT;
      // uids are ascending and distinct: the block's last one in place means all of it is asked for.
      const block = uids[j + LINE_BLOCK - 1] === view.uidOf(last) && !recentBlocks?.has(k) ? view.uidFlagsBlock(k) : undefined;
      if (block) {
        if (chunk !== '') {
          const b = Buffer.from(chunk, 'utf8');
          pieces.push(b);
          pending += b.length;
          chunk = '';
        }
        pieces.push(block);
        pending += block.length;
        if (pending >= CHUNK_BYTES) await flush();
        j += LINE_BLOCK - 1;
        seq = last;
        continue;
      }
    }
    let flags = view.flagsTextAt(seq);
    if (recent?.has(uid)) flags = flags === '' ? '\\Recent' : `${flags} \\Recent`;
    if (uidFlags) {
      // The common listing sync, "FETCH 1:* (UID FLAGS)": one concatenation per message.
      chunk += '* ' + seq + ' FETCH (UID ' + uid + ' FLAGS (' + flags + '))\r\n';
    } else {
      let items = '';
      for (const name of names) {
        if (items !== '') items += ' ';
        if (name === 'UID') items += `UID ${uid}`;
        else if (name === 'MODSEQ') items += `MODSEQ (${view.modseqAt(seq)})`;
        else items += `FLAGS (${flags})`;
      }
      chunk += `* ${seq} FETCH (${items})\r\n`;
    }
    if (chunk.length + pending >= CHUNK_CHARS) await flush();
  }
  if (chunk !== '' || pieces.length > 0) {
    if (chunk !== '') pieces.push(Buffer.from(chunk, 'utf8'));
    ctx.write(pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces));
  }
}

/** A FETCH of listing items over at least this many messages reads the node's summary cache (below). */
const CACHED_META_MIN = 1000;
/** The summary cache's memo kind for a blob's ENVELOPE and BODYSTRUCTURE text. */
const META_MEMO = 'imap.meta';

/**
 * FETCH of listing items (ENVELOPE, BODYSTRUCTURE, RFC822.SIZE, INTERNALDATE with UID/FLAGS/MODSEQ):
 * rows and cached metadata come a thousand at a time from one range query; a message whose
 * metadata is not cached yet is parsed once and its metadata saved. A large FETCH (a client's
 * first listing of a folder, "1:*") reads the rows from the node's summary cache and each blob's
 * ENVELOPE/BODYSTRUCTURE from its memo (a blob never changes), so a second listing of the folder,
 * by any session, reads no row; a batch with a message not in memory yet is read from the store
 * and remembered. Returns whether some messages were gone.
 */
async function fetchMeta(ctx: ImapContext, sel: SelectedMailbox, names: readonly string[], uids: readonly number[]): Promise<boolean> {
  let missing = false;
  let chunk = '';
  const wantMeta = names.includes('ENVELOPE') || names.includes('BODYSTRUCTURE');
  const cache = ctx.deps.summaries;
  const cached = uids.length >= CACHED_META_MIN && cache.fits(sel.view.exists) ? await cache.rows(ctx.deps.mailboxes, sel.mailbox.id, sel.view.maxUid) : undefined;
  for (let i = 0; i < uids.length; i += META_BATCH) {
    const part = uids.slice(i, i + META_BATCH);
    const byUid = (cached && fromCache(cache, cached, part, wantMeta))
      ?? await metaFromStore(ctx, sel, part, cached ? cache : undefined, wantMeta);
    for (const uid of part) {
      const seq = sel.view.seqOf(uid);
      const r = byUid.get(uid);
      if (seq === 0) continue;
      if (!r) {
        missing = true;
        continue;
      }
      let items = '';
      for (const name of names) {
        if (items !== '') items += ' ';
        switch (name) {
          case 'UID': items += `UID ${uid}`; break;
          case 'MODSEQ': items += `MODSEQ (${sel.view.modseqAt(seq)})`; break;
          case 'FLAGS': {
            const flags = sel.view.flagsTextAt(seq);
            items += `FLAGS (${sel.recent.has(uid) ? (flags === '' ? '\\Recent' : `${flags} \\Recent`) : flags})`;
            break;
          }
          case 'RFC822.SIZE': items += `RFC822.SIZE ${r.size}`; break;
          case 'INTERNALDATE': items += `INTERNALDATE ${formatDateTime(new Date(r.internalDate))}`; break;
          case 'ENVELOPE': items += `ENVELOPE ${r.envelope}`; break;
          case 'BODYSTRUCTURE': items += `BODYSTRUCTURE ${r.bodystructure}`; break;
        }
      }
      chunk += `* ${seq} FETCH (${items})\r\n`;
      if (chunk.length >= CHUNK_CHARS) {
        ctx.write(Buffer.from(chunk, 'latin1'));
        chunk = '';
        await ctx.drain();
      }
    }
  }
  if (chunk !== '') ctx.write(Buffer.from(chunk, 'latin1'));
  return missing;
}

/** A batch's rows from the summary cache and its blobs' memos; undefined if one is not in memory. */
function fromCache(cache: SummaryCache, rows: Map<number, Message>, part: readonly number[], wantMeta: boolean): Map<number, MessageMeta> | undefined {
  const out = new Map<number, MessageMeta>();
  for (const uid of part) {
    const m = rows.get(uid);
    if (!m) return undefined;
    const meta = wantMeta ? cache.peek<BlobMeta>(META_MEMO, m.blobId) : undefined;
    if (wantMeta && !meta) return undefined;
    out.set(uid, { uid, size: m.size, internalDate: m.internalDate, blobId: m.blobId, headerPrefix: m.headerPrefix,
      envelope: meta?.envelope ?? null, bodystructure: meta?.bodystructure ?? null });
  }
  return out;
}

/**
 * A batch's rows from one range query; metadata not stored yet is computed from the message and
 * saved. With `remember`, every blob's metadata is also kept in the summary cache's memo.
 */
async function metaFromStore(
  ctx: ImapContext, sel: SelectedMailbox, part: readonly number[], remember: SummaryCache | undefined, wantMeta: boolean,
): Promise<Map<number, MessageMeta>> {
  const rows = await ctx.deps.mailboxes.metaRange(sel.mailbox.id, part[0]!, part[part.length - 1]!);
  const computed: Array<[BlobId, BlobMeta]> = [];
  const asked = new Set(part);
  for (const r of rows) {
    if (wantMeta && (r.envelope === null || r.bodystructure === null) && asked.has(r.uid) && sel.view.seqOf(r.uid) !== 0) {
      const bytes = await ctx.deps.mailboxes.readMessage(r);
      const meta = imapMeta(bytes, parseMimeTree(bytes));
      r.envelope = meta.envelope;
      r.bodystructure = meta.bodystructure;
      computed.push([r.blobId, meta]);
    }
    if (remember && r.envelope !== null && r.bodystructure !== null) {
      remember.keep<BlobMeta>(META_MEMO, r.blobId, { envelope: r.envelope, bodystructure: r.bodystructure });
    }
  }
  await ctx.deps.mailboxes.saveBlobMeta(computed);
  return new Map(rows.map((r) => [r.uid, r]));
}

/** The message bytes and MIME tree, read once per message and only when an item asks. */
class LazyMessage {
  private bytes: Buffer | undefined;
  private parsed: MimePart | undefined;

  constructor(
    private readonly ctx: ImapContext,
    private readonly row: Message,
    private cached: BlobMeta | undefined,
    private readonly computed: Array<[BlobId, BlobMeta]>,
  ) {}

  /** ENVELOPE and BODYSTRUCTURE: from the blob's cached metadata, else computed once and queued for saving. */
  async meta(): Promise<BlobMeta> {
    if (!this.cached) {
      this.cached = imapMeta(await this.raw(), await this.tree());
      this.computed.push([this.row.blobId, this.cached]);
    }
    return this.cached;
  }

  async raw(): Promise<Buffer> {
    this.bytes ??= await this.ctx.deps.mailboxes.readMessage(this.row);
    return this.bytes;
  }

  async tree(): Promise<MimePart> {
    this.parsed ??= parseMimeTree(await this.raw());
    return this.parsed;
  }
}

async function fetchItem(
  ctx: ImapContext, sel: SelectedMailbox, a: FetchAttribute, uid: number,
  viewMessage: { flags: string[]; modseq: number }, row: Message | undefined, message: LazyMessage | undefined,
): Promise<[string, ImapValue] | 'unknown-cte'> {
  switch (a.name) {
    case 'UID':
      return ['UID', uid];
    case 'FLAGS':
      return ['FLAGS', flagsValue(sel, uid, viewMessage.flags)];
    case 'MODSEQ':
      return ['MODSEQ', [viewMessage.modseq]];
    case 'INTERNALDATE':
      return ['INTERNALDATE', atom(formatDateTime(new Date(row!.internalDate)))];
    case 'RFC822.SIZE':
      return ['RFC822.SIZE', row!.size];
    case 'ENVELOPE':
      return ['ENVELOPE', raw((await message!.meta()).envelope)];
    case 'BODYSTRUCTURE':
      return ['BODYSTRUCTURE', raw((await message!.meta()).bodystructure)];
    case 'BODY':
      return ['BODY', raw(bodyStructure(await message!.tree(), { extensible: false }))];
    case 'RFC822':
      return ['RFC822', textLiteral(await message!.raw())];
    case 'RFC822.HEADER': {
      const tree = await message!.tree();
      return ['RFC822.HEADER', textLiteral((await message!.raw()).subarray(tree.headerStart, tree.headerEnd))];
    }
    case 'RFC822.TEXT': {
      const tree = await message!.tree();
      return ['RFC822.TEXT', textLiteral((await message!.raw()).subarray(tree.bodyStart, tree.bodyEnd))];
    }
    case 'BODY[]': {
      const bytes = extractSection(await message!.raw(), await message!.tree(), toSection(a.section),
        a.partial ? { origin: a.partial.offset, octets: a.partial.length } : undefined);
      return [fetchItemName(a), bytes === null ? '' : textLiteral(bytes)];
    }
    case 'BINARY':
    case 'BINARY.SIZE': {
      const r = extractBinary(await message!.raw(), await message!.tree(), a.part,
        a.name === 'BINARY' && a.partial ? { origin: a.partial.offset, octets: a.partial.length } : undefined);
      if (!r.ok) {
        if (r.reason === 'unknown-cte') return 'unknown-cte';
        return [fetchItemName(a), a.name === 'BINARY' ? null : 0];
      }
      return [fetchItemName(a), a.name === 'BINARY' ? new Literal(r.bytes, r.bytes.includes(0)) : r.bytes.length];
    }
  }
}

function toSection(s: BodySection): Section {
  return { path: s.part, text: s.text ?? '', fields: (s.fields ?? []).map((f) => f.toLowerCase()) };
}

/** Sets \Seen on the batch's unseen messages before their data goes out. */
async function markBatchSeen(ctx: ImapContext, sel: SelectedMailbox, batch: readonly number[]): Promise<void> {
  const unseen = batch.filter((u) => !sel.view.hasFlag(u, '\\Seen'));
  if (unseen.length === 0) return;
  const r = await ctx.deps.mailboxes.setFlags(sel.mailbox.id, toUidSet(unseen), 'add', ['\\Seen']);
  for (const c of r.changed) sel.view.update(c.uid, c.flags, c.modseq);
}

/** UID FETCH … (CHANGEDSINCE m VANISHED): the UIDs in the set expunged since m (RFC 7162 §3.2.6). */
async function reportVanished(ctx: ImapContext, cmd: FetchCommand, since: number): Promise<void> {
  const sel = ctx.selected!;
  const changes = await ctx.deps.mailboxes.changesSince(sel.mailbox.id, since);
  const gone = changes.filter((c) => c.flags === null).map((c) => c.uid)
    .filter((uid) => cmd.sequenceSet.ranges.some((r) => {
      const a = r.from === '*' ? sel.view.maxUid : r.from;
      const b = r.to === '*' ? sel.view.maxUid : r.to;
      return uid >= Math.min(a, b) && uid <= Math.max(a, b);
    }));
  if (gone.length > 0) ctx.write(untaggedData([atom('VANISHED'), [atom('EARLIER')], atom(formatSequenceSet(gone))]));
}

/** The FETCH responses NOTIFY's MessageNew asks for (RFC 5465 §5.2): messages from `fromUid` on, UID included. */
export async function fetchNew(ctx: ImapContext, fromUid: number, attributes: FetchAttribute[]): Promise<void> {
  const peek = attributes.map((a) => (a.name === 'BODY[]' || a.name === 'BINARY' ? { ...a, peek: true } : a));
  await fetch(ctx, { tag: '*', name: 'FETCH', uid: true, sequenceSet: { ranges: [{ from: fromUid, to: '*' }], saved: false }, attributes: peek, vanished: false });
}
