/**
 * A webmail user's own options (FEATURES W14, manual part 2 §1.17): profile (个人资料), signatures
 * (签名: several, one default), preferences (参数设置), and the mail rules the delivery engine
 * applies (来信分类 filters, 自动回复, 自动转发; delivery/local/user-rules.ts owns their schemas and
 * storage, and this service only checks who asks). Every method checks the actor on entry
 * (owner.ts: the user themself or the system; anyone else gets NOT_FOUND). Profile changes are
 * audited; preferences and signatures are personal data like contacts and are not.
 * Not here: password and security question (account-security.ts), POP accounts (pop-options.ts).
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { MailError } from '../core/errors.ts';
import type { UserId } from '../core/ids.ts';
import { recordAudit, type Actor } from '../directory/actor.ts';
import {
  formatPath, loadUserRules, saveUserRules, userScope, type UserRules, type UserRulesPatch,
} from '../delivery/local/user-rules.ts';
import type { Store, StoreTx } from '../store/store.ts';
import {
  MAX_SIGNATURES, OPTION_KEYS, PreferencesPatchSchema, PreferencesSchema, ProfileExtrasPatchSchema, ProfileExtrasSchema, SignatureBookSchema,
  SignatureInputSchema, SignaturePatchSchema, type Preferences, type ProfileExtras, type Signature, type SignatureBook, type SignatureInput, type SignaturePatch,
} from './option-schemas.ts';
import { loadOwner, requireSelf } from './owner.ts';

export interface Profile extends ProfileExtras {
  address: string;
  realName: string;
  /** The org unit's name, '' when in none (set by admins, shown read-only). */
  department: string;
  quotaBytes: number;
  createdAt: number;
  lastLoginAt: number | null;
}
export type ProfilePatch = Partial<ProfileExtras> & { realName?: string };

export interface SignatureList {
  signatures: Signature[];
  defaultId: string | null;
}

/** What compose reads when it opens: the signatures (default marked) and the preferences it follows. */
export interface ComposeOptions extends SignatureList {
  preferences: Preferences;
}

/** Parses with schema; INVALID_INPUT names the first bad field (`details.field`), as the routes do. */
export function parseOption<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = issue.code === 'unrecognized_keys' ? issue.keys[0]! : formatPath(issue.path);
  throw new MailError('INVALID_INPUT', `${field || 'value'}: ${issue.message}`, { details: { field } });
}

/** A stored value, or the defaults when missing or unreadable (a broken value never locks the user out). */
async function readKey<S extends z.ZodType>(tx: StoreTx, ownerId: UserId, key: string, schema: S, fallback: z.output<S>): Promise<z.output<S>> {
  let stored: unknown;
  try {
    stored = await tx.settings.get(userScope(ownerId), key);
  } catch (err) {
    if (err instanceof SyntaxError) return fallback;
    throw err;
  }
  const r = schema.safeParse(stored ?? undefined);
  return stored === undefined || stored === null || !r.success ? fallback : r.data;
}

const emptyBook = (): SignatureBook => ({ items: [], defaultId: null });
const listOf = (b: SignatureBook): SignatureList => ({ signatures: b.items, defaultId: b.defaultId });

export class UserOptions {
  constructor(private readonly store: Store) {}

  // Profile

  async profile(actor: Actor, ownerId: UserId): Promise<Profile> {
    requireSelf(actor, ownerId);
    return this.store.read((tx) => this.readProfile(tx, ownerId));
  }

  /** Changes the real name (the user row) and the extras given. INVALID_INPUT names the field. */
  async setProfile(actor: Actor, ownerId: UserId, patch: ProfilePatch): Promise<Profile> {
    requireSelf(actor, ownerId);
    const { realName, ...extras } = patch;
    const name = realName === undefined ? undefined : parseOption(z.strictObject({ realName: z.string().trim().max(64) }), { realName }).realName;
    const checked = parseOption(ProfileExtrasPatchSchema, extras);
    return this.store.tx(async (tx) => {
      const { address } = await loadOwner(tx, ownerId);
      if (name !== undefined) await tx.users.update(ownerId, { realName: name });
      const current = await readKey(tx, ownerId, OPTION_KEYS.profile, ProfileExtrasSchema, ProfileExtrasSchema.parse({}));
      const next = { ...current, ...Object.fromEntries(Object.entries(checked).filter(([, v]) => v !== undefined)) };
      await tx.settings.set(userScope(ownerId), OPTION_KEYS.profile, next);
      await recordAudit(tx, actor, 'user.profile', address, { ...(name !== undefined ? { realName: name } : {}), fields: Object.keys(checked) });
      return this.readProfile(tx, ownerId);
    });
  }

  private async readProfile(tx: StoreTx, ownerId: UserId): Promise<Profile> {
    const { user, address } = await loadOwner(tx, ownerId);
    const unit = user.orgUnitId === null ? undefined : await tx.orgUnits.get(user.orgUnitId);
    const extras = await readKey(tx, ownerId, OPTION_KEYS.profile, ProfileExtrasSchema, ProfileExtrasSchema.parse({}));
    return {
      address, realName: user.realName, department: unit?.name ?? '', quotaBytes: user.quotaBytes,
      createdAt: user.createdAt, lastLoginAt: user.lastLoginAt, ...extras,
    };
  }

  // Preferences

  async preferences(actor: Actor, ownerId: UserId): Promise<Preferences> {
    requireSelf(actor, ownerId);
    return this.store.read((tx) => this.readPreferences(tx, ownerId));
  }

  /** Replaces the preferences given, keeping the others. */
  async setPreferences(actor: Actor, ownerId: UserId, patch: Partial<Preferences>): Promise<Preferences> {
    requireSelf(actor, ownerId);
    const checked = parseOption(PreferencesPatchSchema, patch);
    return this.store.tx(async (tx) => {
      await loadOwner(tx, ownerId);
      const next = parseOption(PreferencesSchema, {
        ...(await this.readPreferences(tx, ownerId)),
        ...Object.fromEntries(Object.entries(checked).filter(([, v]) => v !== undefined)),
      });
      await tx.settings.set(userScope(ownerId), OPTION_KEYS.preferences, next);
      return next;
    });
  }

  private readPreferences(tx: StoreTx, ownerId: UserId): Promise<Preferences> {
    return readKey(tx, ownerId, OPTION_KEYS.preferences, PreferencesSchema, PreferencesSchema.parse({}));
  }

  // Signatures

  async signatures(actor: Actor, ownerId: UserId): Promise<SignatureList> {
    requireSelf(actor, ownerId);
    return this.store.read(async (tx) => listOf(await this.readBook(tx, ownerId)));
  }

  /** Adds a signature (the first one becomes the default). LIMIT_REACHED past MAX_SIGNATURES. */
  async addSignature(actor: Actor, ownerId: UserId, input: SignatureInput): Promise<SignatureList> {
    requireSelf(actor, ownerId);
    const { isDefault, ...fields } = parseOption(SignatureInputSchema, input);
    return this.changeBook(ownerId, (book) => {
      if (book.items.length >= MAX_SIGNATURES) {
        throw new MailError('LIMIT_REACHED', `at most ${MAX_SIGNATURES} signatures`, { details: { field: 'signatures' } });
      }
      const id = randomBytes(6).toString('hex');
      book.items.push({ id, ...fields });
      if (isDefault || book.defaultId === null) book.defaultId = id;
    });
  }

  /** Changes a signature; isDefault true makes it the default, false leaves none. NOT_FOUND for an unknown id. */
  async updateSignature(actor: Actor, ownerId: UserId, id: string, input: SignaturePatch): Promise<SignatureList> {
    requireSelf(actor, ownerId);
    const { isDefault, ...fields } = parseOption(SignaturePatchSchema, input);
    return this.changeBook(ownerId, (book) => {
      const item = requireSignature(book, id);
      for (const [k, v] of Object.entries(fields)) if (v !== undefined) (item as Record<string, unknown>)[k] = v;
      if (isDefault === true) book.defaultId = id;
      else if (isDefault === false && book.defaultId === id) book.defaultId = null;
    });
  }

  /** Removes a signature; when it was the default, the first remaining one becomes the default. */
  async removeSignature(actor: Actor, ownerId: UserId, id: string): Promise<SignatureList> {
    requireSelf(actor, ownerId);
    return this.changeBook(ownerId, (book) => {
      requireSignature(book, id);
      book.items = book.items.filter((s) => s.id !== id);
      if (book.defaultId === id) book.defaultId = book.items[0]?.id ?? null;
    });
  }

  private readBook(tx: StoreTx, ownerId: UserId): Promise<SignatureBook> {
    return readKey(tx, ownerId, OPTION_KEYS.signatures, SignatureBookSchema, emptyBook());
  }

  private async changeBook(ownerId: UserId, change: (book: SignatureBook) => void): Promise<SignatureList> {
    return this.store.tx(async (tx) => {
      await loadOwner(tx, ownerId);
      const book = await this.readBook(tx, ownerId);
      change(book);
      await tx.settings.set(userScope(ownerId), OPTION_KEYS.signatures, book);
      return listOf(book);
    });
  }

  /** Compose's one read: signatures with the default, and the preferences it follows. */
  async composeOptions(actor: Actor, ownerId: UserId): Promise<ComposeOptions> {
    requireSelf(actor, ownerId);
    return this.store.read(async (tx) => ({ ...listOf(await this.readBook(tx, ownerId)), preferences: await this.readPreferences(tx, ownerId) }));
  }

  // Mail rules: filters, auto-reply, auto-forward (the delivery engine's own storage)

  async rules(actor: Actor, ownerId: UserId): Promise<UserRules> {
    requireSelf(actor, ownerId);
    await this.store.read((tx) => loadOwner(tx, ownerId));
    return loadUserRules(this.store, ownerId);
  }

  /** Replaces the rule keys given (INVALID_INPUT names the field, e.g. `filters[0].conditions[1].value`); audited without the texts. */
  async setRules(actor: Actor, ownerId: UserId, patch: UserRulesPatch): Promise<UserRules> {
    requireSelf(actor, ownerId);
    const { address } = await this.store.read((tx) => loadOwner(tx, ownerId));
    const saved = await saveUserRules(this.store, ownerId, patch).catch((err: unknown) => {
      const issue = err instanceof MailError ? (err.details?.issues as Array<{ field: string }> | undefined)?.[0] : undefined;
      if (issue) throw new MailError('INVALID_INPUT', err instanceof Error ? err.message : String(err), { details: { field: issue.field } });
      throw err;
    });
    await this.store.tx((tx) => recordAudit(tx, actor, 'user.rules', address, {
      keys: Object.keys(patch),
      ...(patch.forward ? { forwardEnabled: saved.forward.enabled, forwardTo: saved.forward.to } : {}),
      ...(patch.autoreply ? { autoreplyEnabled: saved.autoreply.enabled } : {}),
      ...(patch.filters ? { filters: saved.filters.length } : {}),
    }));
    return saved;
  }
}

function requireSignature(book: SignatureBook, id: string): Signature {
  const s = book.items.find((x) => x.id === id);
  if (!s) throw new MailError('NOT_FOUND', `no signature ${id}`);
  return s;
}
