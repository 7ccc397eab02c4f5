/**
 * A message's HTML as the webmail shows it (issue #12), and the user's list of senders whose remote
 * images load without asking. Rendering opens the message through UserMail (so the same permission
 * and folder checks apply), decides whether remote images show (the user asked for this message
 * once, or the sender is on the list), and sanitises in the worker (mime/safe-html-worker.ts); HTML
 * too big or too slow to sanitise comes back as the text part in a <pre>. The document's head says
 * what the reading pane shows around it: <meta name="youju-remote-images">, "youju-images-shown"
 * (no | once | sender), "youju-sender" and, for the text fallback, "youju-html-fallback".
 *
 * The list is a user preference kept beside the user's mail rules: settings scope `user:<id>`
 * (delivery/local/user-rules.ts), key `remoteImageSenders`, lower-cased addresses, at most
 * MAX_IMAGE_SENDERS. Only the user (or the system) reads or changes it. The sender is the From
 * address, which a forger can copy: the list trades that for convenience, as every webmail's does.
 */
import { MailError } from '../core/errors.ts';
import type { MailboxId, UserId } from '../core/ids.ts';
import type { Actor } from '../directory/actor.ts';
import { normaliseAddress } from '../directory/address.ts';
import { userScope } from '../delivery/local/user-rules.ts';
import { textDocument } from '../mime/safe-html.ts';
import { TooHeavyError, type HtmlSanitiser } from '../mime/safe-html-worker.ts';
import type { Store } from '../store/store.ts';
import type { UserMail } from './user-mail.ts';

export const IMAGE_SENDERS_KEY = 'remoteImageSenders';
export const MAX_IMAGE_SENDERS = 1000;

export interface RenderedHtml {
  /** The whole sanitised document. */
  html: string;
  /** Remote image references in the mail (removed unless imagesShown). */
  remoteImages: number;
  /** Whether remote images were left in, and why. */
  imagesShown: 'no' | 'once' | 'sender';
  /** The sender whose list entry would show them (the first From address, lower-cased), '' when none. */
  sender: string;
  /** The HTML was too big or too slow to sanitise: `html` holds the text part instead. */
  fallback: boolean;
}

export interface RenderOptions {
  /** The user asked to show this message's remote images this once. */
  showImages: boolean;
  /** The URL the page loads attachment `index` from (an inline `cid:` image). */
  partUrl(index: number): string;
}

export class MailHtml {
  constructor(private readonly store: Store, private readonly userMail: UserMail, private readonly sanitiser: HtmlSanitiser) {}

  /** NOT_FOUND when the message has no HTML part (or is not the owner's). */
  async render(actor: Actor, ownerId: UserId, folderId: MailboxId, uid: number, opts: RenderOptions): Promise<RenderedHtml> {
    const msg = await this.userMail.open(actor, ownerId, folderId, uid);
    const { html, cids, text, from } = msg.content;
    if (html === null) throw new MailError('NOT_FOUND', 'the message has no HTML part');
    const sender = (from[0]?.address ?? '').toLowerCase();
    const listed = sender !== '' && (await this.readSenders(ownerId)).includes(sender);
    const imagesShown = listed ? 'sender' : opts.showImages ? 'once' : 'no';
    const urls = Object.fromEntries(Object.entries(cids).map(([cid, index]) => [cid, opts.partUrl(index)]));
    const meta = { 'youju-images-shown': imagesShown, 'youju-sender': sender };
    try {
      const safe = await this.sanitiser.sanitise(html, { allowRemoteImages: imagesShown !== 'no', cids: urls, meta });
      return { html: safe.html, remoteImages: safe.remoteImages, imagesShown, sender, fallback: false };
    } catch (err) {
      if (!(err instanceof TooHeavyError)) throw err;
      return { html: textDocument(text, { ...meta, 'youju-images-shown': 'no' }).html, remoteImages: 0, imagesShown: 'no', sender, fallback: true };
    }
  }

  /** The senders whose remote images the user always shows, sorted. */
  async imageSenders(actor: Actor, ownerId: UserId): Promise<string[]> {
    this.check(actor, ownerId);
    return this.readSenders(ownerId);
  }

  /** Adds or removes a sender (INVALID_INPUT naming `address`; LIMIT_REACHED past MAX_IMAGE_SENDERS); returns the list. */
  async setImageSender(actor: Actor, ownerId: UserId, address: string, allowed: boolean): Promise<string[]> {
    this.check(actor, ownerId);
    let normal: string;
    try {
      normal = normaliseAddress(address);
    } catch (err) {
      throw new MailError('INVALID_INPUT', (err as Error).message, { details: { field: 'address' } });
    }
    return this.store.tx(async (tx) => {
      const scope = userScope(ownerId);
      const list = new Set(asList(await tx.settings.get(scope, IMAGE_SENDERS_KEY)));
      if (allowed) list.add(normal);
      else list.delete(normal);
      if (list.size > MAX_IMAGE_SENDERS) throw new MailError('LIMIT_REACHED', `at most ${MAX_IMAGE_SENDERS} senders`);
      const sorted = [...list].sort();
      await tx.settings.set(scope, IMAGE_SENDERS_KEY, sorted);
      return sorted;
    });
  }

  private async readSenders(ownerId: UserId): Promise<string[]> {
    try {
      return asList(await this.store.read((tx) => tx.settings.get(userScope(ownerId), IMAGE_SENDERS_KEY)));
    } catch (err) {
      if (err instanceof SyntaxError) return []; // a corrupt stored value: as if none were listed
      throw err;
    }
  }

  /** A reading preference: the user's own, or the system's; an administrator has no say in it. */
  private check(actor: Actor, ownerId: UserId): void {
    const role = actor.role;
    if (role.kind === 'system' || (role.kind === 'user' && role.userId === ownerId)) return;
    throw new MailError('FORBIDDEN', `${actor.who} may not change the reading preferences of user ${ownerId}`);
  }
}

const asList = (v: unknown): string[] =>
  (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []).sort();
