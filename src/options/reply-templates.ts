/**
 * Reply templates (常用回复模板; issue #12 "templates for frequent replies", beyond the manual): each
 * user keeps up to MAX_TEMPLATES named bodies (HTML from the editor, or plain text) of at most
 * MAX_TEMPLATE_BYTES, which compose inserts at the cursor. Every method checks the actor on entry
 * (owner.ts: the user themself or the system; anyone else, and an id of another user's template,
 * gets NOT_FOUND). Personal data like signatures: not audited. Storage: migration 025.
 */
import { z } from 'zod';
import { MailError } from '../core/errors.ts';
import type { ReplyTemplateId, UserId } from '../core/ids.ts';
import type { Actor } from '../directory/actor.ts';
import type { ReplyTemplate, Store } from '../store/store.ts';
import { loadOwner, requireSelf } from './owner.ts';
import { parseOption } from './user-options.ts';

export const MAX_TEMPLATES = 100;
/** A template body's size in UTF-8 bytes (64 KiB): a long letter with HTML markup fits. */
export const MAX_TEMPLATE_BYTES = 64 * 1024;

const templateFields = {
  name: z.string().trim().min(1).max(60).describe('What the templates menu shows'),
  format: z.enum(['html', 'text']).describe('html: rich text from the editor; text: plain lines'),
  body: z.string().min(1).refine((s) => Buffer.byteLength(s, 'utf8') <= MAX_TEMPLATE_BYTES, `at most ${MAX_TEMPLATE_BYTES / 1024} KiB`)
    .describe(`The text compose inserts, at most ${MAX_TEMPLATE_BYTES / 1024} KiB`),
};
export const TemplateInputSchema = z.strictObject({ ...templateFields, format: templateFields.format.default('text') });
export const TemplatePatchSchema = z.strictObject(templateFields).partial();
export type TemplateInput = z.input<typeof TemplateInputSchema>;
export type TemplatePatch = z.input<typeof TemplatePatchSchema>;

export const TemplateSchema = z.object({
  id: z.number().int(), name: z.string(), format: z.enum(['html', 'text']), body: z.string(), updatedAt: z.number(),
});
/** The public view of a template (no owner id). */
export type TemplateView = z.output<typeof TemplateSchema>;

const view = (t: ReplyTemplate): TemplateView => ({ id: t.id, name: t.name, format: t.format, body: t.body, updatedAt: t.updatedAt });
const notFound = (id: number) => new MailError('NOT_FOUND', `no template ${id}`);

export class ReplyTemplates {
  constructor(private readonly store: Store) {}

  /** The user's templates, oldest first. */
  async list(actor: Actor, ownerId: UserId): Promise<TemplateView[]> {
    requireSelf(actor, ownerId);
    return this.store.read(async (tx) => {
      await loadOwner(tx, ownerId);
      return (await tx.replyTemplates.list(ownerId)).map(view);
    });
  }

  async get(actor: Actor, ownerId: UserId, id: number): Promise<TemplateView> {
    requireSelf(actor, ownerId);
    const t = await this.store.read((tx) => tx.replyTemplates.get(ownerId, id as ReplyTemplateId));
    if (!t) throw notFound(id);
    return view(t);
  }

  /** Adds a template. INVALID_INPUT names the field; LIMIT_REACHED (field `templates`) past MAX_TEMPLATES. */
  async add(actor: Actor, ownerId: UserId, input: TemplateInput): Promise<TemplateView> {
    requireSelf(actor, ownerId);
    const fields = parseOption(TemplateInputSchema, input);
    return this.store.tx(async (tx) => {
      await loadOwner(tx, ownerId);
      if ((await tx.replyTemplates.count(ownerId)) >= MAX_TEMPLATES) {
        throw new MailError('LIMIT_REACHED', `at most ${MAX_TEMPLATES} templates`, { details: { field: 'templates' } });
      }
      return view(await tx.replyTemplates.create({ userId: ownerId, ...fields }));
    });
  }

  /** Changes the fields given. NOT_FOUND for an id the user does not own. */
  async update(actor: Actor, ownerId: UserId, id: number, patch: TemplatePatch): Promise<TemplateView> {
    requireSelf(actor, ownerId);
    const fields = parseOption(TemplatePatchSchema, patch);
    const t = await this.store.tx((tx) => tx.replyTemplates.update(ownerId, id as ReplyTemplateId, fields));
    if (!t) throw notFound(id);
    return view(t);
  }

  async remove(actor: Actor, ownerId: UserId, id: number): Promise<void> {
    requireSelf(actor, ownerId);
    if (!(await this.store.tx((tx) => tx.replyTemplates.delete(ownerId, id as ReplyTemplateId)))) throw notFound(id);
  }
}
