/**
 * CATENATE (RFC 4469): builds one message for APPEND from TEXT literals and IMAP URLs (RFC 5092) of
 * messages and sections in the user's own mailboxes — `/INBOX;UIDVALIDITY=n/;UID=m/;SECTION=x`,
 * `imap://user@host/…` for the same user, or `;UID=m/…` relative to the selected mailbox. A URL
 * that does not parse, names another user, a stale UIDVALIDITY, a missing message or section, or
 * uses URLAUTH is NO [BADURL url] (§5); a result over APPENDLIMIT is NO [TOOBIG] (§5, RFC 7889).
 */
import { parseMimeTree } from '../../mime/mime-tree.ts';
import { extractSection } from '../../mime/sections.ts';
import type { ImapContext } from '../context.ts';
import type { CatenatePart } from '../protocol/command.ts';
import { parseImapUrl } from '../protocol/imap-url.ts';
import { decodeMailboxName } from '../protocol/mutf7.ts';
import { toUidSet } from './uids.ts';

/** A CATENATE that cannot be built: the response code and text to answer NO with. */
export class CatenateError extends Error {
  constructor(readonly code: { code: 'BADURL'; url: string } | 'TOOBIG', message: string) {
    super(message);
  }
}

/** The message the parts make, in order. Throws CatenateError. */
export async function catenate(ctx: ImapContext, parts: readonly CatenatePart[]): Promise<Buffer> {
  const limit = ctx.settings.imap.appendLimitBytes;
  const pieces: Buffer[] = [];
  let size = 0;
  for (const part of parts) {
    const bytes = part.kind === 'text' ? part.bytes : await resolveUrl(ctx, part.url);
    size += bytes.length;
    if (size > limit) throw new CatenateError('TOOBIG', 'Catenated message is larger than APPENDLIMIT');
    pieces.push(bytes);
  }
  return Buffer.concat(pieces, size);
}

async function resolveUrl(ctx: ImapContext, url: string): Promise<Buffer> {
  const bad = (why: string) => new CatenateError({ code: 'BADURL', url }, `Bad URL: ${why}`);
  const u = parseImapUrl(url);
  if (!u) throw bad('not an IMAP message URL this server can resolve');
  const user = ctx.user!;
  if (u.user !== undefined && u.user.toLowerCase() !== user.address.toLowerCase()) throw bad('it names another user');
  let box;
  if (u.mailbox === undefined) {
    if (!ctx.selected) throw bad('a relative URL needs a selected mailbox');
    box = ctx.selected.mailbox;
  } else {
    box = await ctx.deps.mailboxes.get(user.id, u.mailbox);
    if (!box && u.mailbox.includes('&')) {
      try {
        box = await ctx.deps.mailboxes.get(user.id, decodeMailboxName(u.mailbox)); // a modified UTF-7 name
      } catch {
        box = undefined;
      }
    }
    if (!box) throw bad('no such mailbox');
  }
  if (u.uidvalidity !== undefined && u.uidvalidity !== box.uidvalidity) throw bad('UIDVALIDITY has changed');
  const [row] = await ctx.deps.mailboxes.messages(box.id, { uids: toUidSet([u.uid]) });
  if (!row) throw bad('no such message');
  const raw = await ctx.deps.mailboxes.readMessage(row);
  const bytes = extractSection(raw, parseMimeTree(raw), u.section, u.partial);
  if (bytes === null) throw bad('no such section');
  return bytes;
}
