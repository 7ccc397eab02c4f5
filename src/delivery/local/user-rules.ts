/**
 * A user's own mail rules (FEATURES W14, manual part 2 §1.17.6–1.17.8): inbox filters (来信分类),
 * auto-reply (自动回复) and auto-forward (自动转发), kept as JSON in the store's settings under
 * scope `user:<id>`, keys `filters`, `autoreply`, `forward`. This module owns the schema, the
 * defaults and load/save; it does not apply the rules (filters.ts, autoreply.ts, forward.ts do).
 * Loading never fails on bad stored data: an invalid key falls back to its defaults, so a broken
 * rule cannot block delivery. Saving validates and names the offending field.
 */
import { z } from 'zod';
import type { UserId } from '../../core/ids.ts';
import { MailError } from '../../core/errors.ts';
import { normaliseAddress } from '../../directory/address.ts';
import type { Store, StoreTx } from '../../store/store.ts';

export const MAX_FILTERS = 100;
export const MAX_CONDITIONS = 20;
export const MAX_ACTIONS = 20;
export const MAX_FORWARD_TARGETS = 20;

const TEXT_OPS = ['contains', 'not-contains', 'equals', 'starts-with', 'ends-with', 'matches'] as const;
const SIZE_OPS = ['greater-than', 'less-than'] as const;
// RFC 5322 §3.6.8 field-name: printable US-ASCII except ':'; 76 keeps it on one folded line.
const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]{1,76}$/;

/** An address for forwarding: trimmed, lower-cased, IDN domain as punycode (directory/address.ts). */
const ForwardAddress = z.string().transform((s, ctx) => {
  try {
    return normaliseAddress(s);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message, input: s });
    return z.NEVER;
  }
});

export const ConditionSchema = z.strictObject({
  field: z.enum(['from', 'to', 'cc', 'subject', 'size', 'header', 'tag'])
    .describe('What to test: an address header, the subject, the size in bytes, any header by name, or the sub-address tag the mail came to (user+tag@domain).'),
  header: z.string().optional().describe('The header name when field is "header", e.g. "X-Priority".'),
  op: z.enum([...TEXT_OPS, ...SIZE_OPS])
    .describe('Text tests are case-insensitive; "matches" is a glob (* any run, ? one character). Sizes: greater-than / less-than.'),
  value: z.union([z.string().max(500), z.number()]),
}).superRefine((c, ctx) => {
  if (c.field === 'header') {
    if (c.header === undefined || !FIELD_NAME.test(c.header)) {
      ctx.addIssue({ code: 'custom', path: ['header'], message: 'a header name (printable ASCII, no colon) is required when field is "header"' });
    }
  } else if (c.header !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['header'], message: 'only allowed when field is "header"' });
  }
  if (c.field === 'size') {
    if (!(SIZE_OPS as readonly string[]).includes(c.op)) {
      ctx.addIssue({ code: 'custom', path: ['op'], message: `size takes ${SIZE_OPS.join(' or ')}` });
    }
    const n = typeof c.value === 'number' ? c.value : /^\d+$/.test(c.value.trim()) ? Number(c.value) : NaN;
    if (!Number.isSafeInteger(n) || n < 0) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'size must be a whole number of bytes' });
    }
  } else {
    if (!(TEXT_OPS as readonly string[]).includes(c.op)) {
      ctx.addIssue({ code: 'custom', path: ['op'], message: `${c.field} takes ${TEXT_OPS.join(', ')}` });
    }
    if (typeof c.value !== 'string' || c.value.trim() === '') {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'must be non-empty text' });
    }
  }
}).transform((c) => (c.field === 'size' ? { ...c, value: Number(c.value) } : { ...c, value: String(c.value) }));

export const ActionSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('move'), folder: z.string().trim().min(1).max(255) }),
  z.strictObject({ kind: z.literal('mark-read') }),
  z.strictObject({ kind: z.literal('flag') }),
  z.strictObject({ kind: z.literal('delete') }),
  z.strictObject({ kind: z.literal('forward'), to: z.array(ForwardAddress).min(1).max(MAX_FORWARD_TARGETS) }),
  z.strictObject({ kind: z.literal('stop') }),
]);

export const FilterSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  enabled: z.boolean().default(true),
  match: z.enum(['all', 'any']).default('all').describe('"all": every condition must hold; "any": one is enough.'),
  conditions: z.array(ConditionSchema).min(1).max(MAX_CONDITIONS),
  actions: z.array(ActionSchema).min(1).max(MAX_ACTIONS)
    .describe('Applied in order when the filter matches; "stop" skips the filters after this one.'),
});

export const FiltersSchema = z.array(FilterSchema).max(MAX_FILTERS);

export const AutoreplySchema = z.strictObject({
  enabled: z.boolean().default(false),
  subject: z.string().max(200).default('自动回复: {subject}')
    .describe('Subject of the reply; {subject} is replaced by the subject of the message answered.'),
  body: z.string().max(64 * 1024).default('').describe('Plain-text body of the reply.'),
  html: z.string().max(256 * 1024).optional().describe('Optional HTML body, sent beside the text.'),
  startsAt: z.int().min(0).optional().describe('Reply only from this time on (ms since the epoch).'),
  endsAt: z.int().min(0).optional().describe('Reply only before this time (ms since the epoch).'),
  intervalDays: z.int().min(1).max(365).default(1)
    .describe('At most one reply per sender per this many days (RFC 3834 §2: 7 is suggested, 1 is the manual\'s habit).'),
  onlyToContacts: z.boolean().default(false).describe('Reply only to senders in the personal address book.'),
}).refine((a) => a.startsAt === undefined || a.endsAt === undefined || a.endsAt > a.startsAt,
  { path: ['endsAt'], message: 'must be after startsAt' });

export const ForwardSchema = z.strictObject({
  enabled: z.boolean().default(false),
  to: z.array(ForwardAddress).max(MAX_FORWARD_TARGETS).default([]),
  keepCopy: z.boolean().default(true).describe('Keep a copy in this mailbox (在本站保存) as well as forwarding.'),
}).refine((f) => !f.enabled || f.to.length > 0, { path: ['to'], message: 'at least one address is needed when forwarding is on' });

/** What saveUserRules takes: each key given replaces the stored value whole; keys left out are kept. */
export const UserRulesPatchSchema = z.strictObject({
  filters: FiltersSchema.optional(),
  autoreply: AutoreplySchema.optional(),
  forward: ForwardSchema.optional(),
});

export type FilterCondition = z.output<typeof ConditionSchema>;
export type FilterAction = z.output<typeof ActionSchema>;
export type Filter = z.output<typeof FilterSchema>;
export type AutoreplyRules = z.output<typeof AutoreplySchema>;
export type ForwardRules = z.output<typeof ForwardSchema>;
export type UserRulesPatch = z.input<typeof UserRulesPatchSchema>;
export interface UserRules {
  filters: Filter[];
  autoreply: AutoreplyRules;
  forward: ForwardRules;
}

const KEYS = { filters: FiltersSchema, autoreply: AutoreplySchema, forward: ForwardSchema } as const;
type Key = keyof typeof KEYS;

/** The rules of a user who has set nothing: no filters, auto-reply and forwarding off. */
export function defaultUserRules(): UserRules {
  return { filters: [], autoreply: AutoreplySchema.parse({}), forward: ForwardSchema.parse({}) };
}

export const userScope = (userId: UserId): string => `user:${userId}`;

export interface LoadOptions {
  /** Told about each stored key that was unreadable or invalid and fell back to its defaults. */
  onInvalid?(key: Key, reason: string): void;
}

/**
 * The user's rules, with defaults for keys never set. A stored value that is not valid JSON or
 * fails the schema is replaced by that key's defaults (and reported to onInvalid); store failures
 * (e.g. STORE_UNAVAILABLE) do propagate, so the caller can defer delivery.
 */
export async function loadUserRules(store: Store, userId: UserId, opts: LoadOptions = {}): Promise<UserRules> {
  return store.read((tx) => readRules(tx, userId, opts));
}

/**
 * Validates patch and writes the keys it gives, in one transaction. Returns the user's rules as
 * now stored. Throws MailError INVALID_INPUT naming each bad field (`filters[2].conditions[0].field: …`).
 */
export async function saveUserRules(store: Store, userId: UserId, patch: UserRulesPatch): Promise<UserRules> {
  const parsed = UserRulesPatchSchema.safeParse(patch);
  if (!parsed.success) throw invalidRules(parsed.error);
  const scope = userScope(userId);
  return store.tx(async (tx) => {
    for (const key of Object.keys(KEYS) as Key[]) {
      const value = parsed.data[key];
      if (value !== undefined) await tx.settings.set(scope, key, value);
    }
    return readRules(tx, userId, {});
  });
}

async function readRules(tx: StoreTx, userId: UserId, opts: LoadOptions): Promise<UserRules> {
  const scope = userScope(userId);
  const rules = defaultUserRules();
  // One query for every key (each delivery reads them); a corrupt value makes it throw, and then
  // each key is read on its own so that only the corrupt one falls back to its defaults.
  let all: Record<string, unknown> | undefined;
  try {
    all = await tx.settings.all(scope);
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
  }
  for (const key of Object.keys(KEYS) as Key[]) {
    let stored: unknown;
    try {
      stored = all ? all[key] : await tx.settings.get(scope, key);
    } catch (err) {
      // The settings repo JSON.parses the stored text: corrupt text is a bad value, not a store failure.
      if (!(err instanceof SyntaxError)) throw err;
      opts.onInvalid?.(key, `not valid JSON: ${err.message}`);
      continue;
    }
    if (stored === undefined || stored === null) continue;
    const parsed = KEYS[key].safeParse(stored);
    if (parsed.success) (rules as Record<Key, unknown>)[key] = parsed.data;
    else opts.onInvalid?.(key, describeIssues(parsed.error));
  }
  return rules;
}

function invalidRules(error: z.ZodError): MailError {
  return new MailError('INVALID_INPUT', `invalid mail rules: ${describeIssues(error)}`, {
    details: { issues: error.issues.map((i) => ({ field: formatPath(i.path), message: i.message })) },
  });
}

/** `filters[2].conditions[0].field: Invalid option …; forward.to: …` (the first five issues). */
function describeIssues(error: z.ZodError): string {
  const shown = error.issues.slice(0, 5).map((i) => `${formatPath(i.path) || '(rules)'}: ${i.message}`);
  if (error.issues.length > 5) shown.push(`and ${error.issues.length - 5} more`);
  return shown.join('; ');
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out;
}
