/**
 * Runtime settings: everything the admin consoles edit, stored in the store as dotted keys
 * ('smtp.maxRcptPerMessage' → 50) and served as one typed, deep-frozen snapshot (STYLE §1.8).
 * A session takes `current()` when it starts and keeps it; `set()` and `reload()` swap in a new
 * snapshot without a restart. Another process (the CLI) writing a key is seen by polling the
 * source's version number. Schemas, defaults and docs live in config/schema/; this file only
 * validates, merges and swaps. It does not know the store: main.ts adapts SettingsRepo to
 * SettingsSource. Unknown stored keys are ignored; invalid stored values fall back to the default.
 */
import type { z } from 'zod';
import { MailError } from '../core/errors.ts';
import { formatIssues, issueMessage } from './issues.ts';
import { SETTINGS_SECTIONS, SettingsSchema, type Settings } from './schema/index.ts';

export type { Settings } from './schema/index.ts';

/** Where settings are kept. The store adapter implements it; tests use a Map. */
export interface SettingsSource {
  /** Every stored key with its value, e.g. { 'smtp.maxRcptPerMessage': 50 }. Keys not stored take defaults. */
  load(): Promise<Record<string, unknown>>;
  /** Stores one key durably and bumps the version. Rejects if it could not be stored. */
  save(key: string, value: unknown): Promise<void>;
  /** A number that changes whenever any key changes (in any process). Cheap: it is polled. */
  version(): Promise<number>;
}

/** Called after a new snapshot is in place, with the dotted paths whose values changed. */
export type SettingsListener = (next: Readonly<Settings>, changed: readonly string[]) => void;

export interface SettingsOptions {
  /** How often to check the source's version, in ms. 0 turns polling off. Default 2000. */
  pollMs?: number;
  /** Told about stored values that were ignored, failed reloads and throwing listeners. */
  warn?: (message: string) => void;
}

export interface SettingDescription {
  path: string;
  default: unknown;
  description: string;
}

type FieldSchema = z.ZodType;
type Field = { section: keyof Settings; key: string; schema: FieldSchema };

/** The schema of one dotted path, or undefined when no such setting exists. */
function fieldOf(path: string): Field | undefined {
  const [section, key, ...rest] = path.split('.');
  if (section === undefined || key === undefined || rest.length > 0) return undefined;
  if (!Object.hasOwn(SETTINGS_SECTIONS, section)) return undefined;
  const shape = SETTINGS_SECTIONS[section as keyof Settings].shape as Record<string, FieldSchema>;
  if (!Object.hasOwn(shape, key)) return undefined;
  return { section: section as keyof Settings, key, schema: shape[key] as FieldSchema };
}

function deepFreeze<T>(v: T): Readonly<T> {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    for (const child of Object.values(v)) deepFreeze(child);
    Object.freeze(v);
  }
  return v;
}

const sameValue = (a: unknown, b: unknown): boolean => Object.is(a, b) || JSON.stringify(a) === JSON.stringify(b);

/**
 * Builds a full Settings from stored keys: defaults, overlaid with every stored value that is a
 * known key and validates. Others are reported through `warn` (invalid) or skipped (unknown:
 * another version of Youju, or keys that belong to other services).
 */
export function settingsFrom(stored: Record<string, unknown>, warn: (m: string) => void = () => {}): Settings {
  const out = SettingsSchema.parse({});
  for (const [path, value] of Object.entries(stored)) {
    const f = fieldOf(path);
    if (!f) continue;
    const r = f.schema.safeParse(value, { error: issueMessage, reportInput: true });
    if (r.success) {
      (out[f.section] as Record<string, unknown>)[f.key] = r.data;
    } else {
      const def = (out[f.section] as Record<string, unknown>)[f.key];
      warn(`setting ${formatIssues(r.error.issues, { prefixPath: path })}; using the default ${JSON.stringify(def)}`);
    }
  }
  return out;
}

/** Every setting with its default and description, in schema order: for docs and the admin UI. */
export function describeSettings(): SettingDescription[] {
  const out: SettingDescription[] = [];
  for (const [section, schema] of Object.entries(SETTINGS_SECTIONS)) {
    for (const [key, field] of Object.entries(schema.shape as Record<string, FieldSchema>)) {
      out.push({ path: `${section}.${key}`, default: field.parse(undefined), description: field.description ?? '' });
    }
  }
  return out;
}

export class SettingsService {
  readonly #src: SettingsSource;
  readonly #warn: (m: string) => void;
  readonly #listeners = new Set<SettingsListener>();
  #snapshot: Readonly<Settings>;
  #version: number;
  #timer: NodeJS.Timeout | undefined;
  #polling = false;
  /** set() and reload() run one at a time, so an old read never overwrites a newer write. */
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(src: SettingsSource, snapshot: Settings, version: number, warn: (m: string) => void) {
    this.#src = src;
    this.#snapshot = deepFreeze(snapshot);
    this.#version = version;
    this.#warn = warn;
  }

  /** Reads every stored setting and starts polling. Rejects if the source cannot be read. */
  static async open(src: SettingsSource, opts: SettingsOptions = {}): Promise<SettingsService> {
    const warn = opts.warn ?? (() => {});
    const version = await src.version(); // before load(): a write in between is picked up by the next poll
    const svc = new SettingsService(src, settingsFrom(await src.load(), warn), version, warn);
    const pollMs = opts.pollMs ?? 2000;
    if (pollMs > 0) {
      svc.#timer = setInterval(() => svc.#poll(), pollMs);
      svc.#timer.unref();
    }
    return svc;
  }

  /** The snapshot in force: deep-frozen, never changed in place. Keep it for a whole session. */
  current(): Readonly<Settings> {
    return this.#snapshot;
  }

  get<K extends keyof Settings>(section: K): Readonly<Settings[K]> {
    return this.#snapshot[section];
  }

  /**
   * Validates and stores one setting, then swaps in a snapshot with it. Throws MailError
   * INVALID_INPUT naming the path for an unknown path or a bad value (nothing is stored then);
   * a failing source rejects with its own error and the snapshot stays as it was.
   */
  async set(path: string, value: unknown): Promise<void> {
    const f = fieldOf(path);
    if (!f) throw new MailError('INVALID_INPUT', `unknown setting "${path}"`, { details: { path } });
    const r = f.schema.safeParse(value, { error: issueMessage, reportInput: true });
    if (!r.success) {
      throw new MailError('INVALID_INPUT', formatIssues(r.error.issues, { prefixPath: path }), { details: { path } });
    }
    await this.#serial(async () => {
      await this.#src.save(path, r.data);
      const next = structuredClone(this.#snapshot) as Settings;
      (next[f.section] as Record<string, unknown>)[f.key] = r.data;
      this.#swap(next);
    });
  }

  /** Re-reads the source if its version moved. Resolves true when it re-read. */
  async reload(): Promise<boolean> {
    return this.#serial(async () => {
      const version = await this.#src.version();
      if (version === this.#version) return false;
      const next = settingsFrom(await this.#src.load(), this.#warn);
      this.#version = version;
      this.#swap(next);
      return true;
    });
  }

  /** Listens for snapshot changes; returns the function that stops listening. */
  onChange(listener: SettingsListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Stops polling and drops listeners. current() keeps answering with the last snapshot. */
  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#listeners.clear();
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => {});
    return run;
  }

  #poll(): void {
    if (this.#polling) return; // a slow source must not pile up reloads
    this.#polling = true;
    this.reload()
      .catch((err: unknown) => this.#warn(`settings reload failed: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => { this.#polling = false; });
  }

  #swap(next: Settings): void {
    const prev = this.#snapshot;
    const changed: string[] = [];
    for (const section of Object.keys(SETTINGS_SECTIONS) as Array<keyof Settings>) {
      for (const key of Object.keys(next[section])) {
        const a = (prev[section] as Record<string, unknown>)[key];
        const b = (next[section] as Record<string, unknown>)[key];
        if (!sameValue(a, b)) changed.push(`${section}.${key}`);
      }
    }
    if (changed.length === 0) return;
    this.#snapshot = deepFreeze(next);
    for (const listener of this.#listeners) {
      try {
        listener(this.#snapshot, changed);
      } catch (err) {
        this.#warn(`settings listener failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
}
