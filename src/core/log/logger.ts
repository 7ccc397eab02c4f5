/**
 * The structured logger: pino writing one JSON object per line to stdout (DESIGN §7).
 * Secrets never reach the output: any key named like a password, pass, secret, token,
 * authorization or cookie is removed at any depth, in log objects and in child bindings.
 * pino's own path-based `redact` only reaches fixed depths, so the scrub is done here with one
 * recursive walk that copies only what it changes. Message strings are not inspected: never put a
 * secret in a message. Protocol transcripts go to session logs (core/log/session-log.ts), not here.
 */
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type Logger = PinoLogger;

/**
 * What counts as a secret field. Matched against the key lower-cased with `-` and `_` removed:
 * exact names, plus any key containing "password"/"secret" or ending in "token" (accessToken,
 * clientSecret, passwordHash, x-auth-token).
 */
export const REDACT = {
  exact: ['pass', 'passwd', 'pwd', 'authorization', 'proxyauthorization', 'cookie', 'setcookie'],
  contains: ['password', 'secret'],
  suffix: ['token'],
  /** Removed keys leave no trace; depth beyond this is replaced by a marker (cycles, hostile input). */
  maxDepth: 20,
} as const;

export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[-_]/g, '');
  return (REDACT.exact as readonly string[]).includes(k)
    || REDACT.contains.some((w) => k.includes(w))
    || REDACT.suffix.some((w) => k.endsWith(w));
}

/**
 * Returns `value` with every secret key removed at any depth. Plain objects and arrays are copied
 * only when something inside them changes; other objects (Error, Date, Buffer) pass through
 * untouched except Errors, whose own enumerable secret properties are dropped too.
 */
export function redactSecrets<T>(value: T): T {
  return scrub(value, 0, new WeakSet()) as T;
}

function scrub(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '[Circular]';
  if (depth >= REDACT.maxDepth) return '[Too deep]';
  if (Array.isArray(value)) {
    seen.add(value);
    let out: unknown[] | undefined;
    value.forEach((item, i) => {
      const s = scrub(item, depth + 1, seen);
      if (s !== item) (out ??= value.slice())[i] = s;
    });
    seen.delete(value);
    return out ?? value;
  }
  const proto = Object.getPrototypeOf(value) as object | null;
  const isPlain = proto === Object.prototype || proto === null;
  if (!isPlain && !(value instanceof Error)) return value;
  seen.add(value);
  let out: Record<string, unknown> | undefined;
  const src = value as Record<string, unknown>;
  for (const key of Object.keys(src)) {
    if (isSecretKey(key)) {
      out ??= copyOf(src);
      delete out[key];
      continue;
    }
    const s = scrub(src[key], depth + 1, seen);
    if (s !== src[key]) (out ??= copyOf(src))[key] = s;
  }
  seen.delete(value);
  return out ?? value;
}

/** A plain copy; for an Error keep what pino's serializer reads (type, message, stack). */
function copyOf(src: Record<string, unknown>): Record<string, unknown> {
  if (src instanceof Error) {
    return { ...src, type: src.name, message: src.message, stack: src.stack };
  }
  return { ...src };
}

/**
 * A pino logger writing JSON lines to stdout (or `destination`, for tests). Child loggers made
 * with `.child(bindings)` have their bindings scrubbed the same way.
 */
export function createLogger(opts: { level: LogLevel | 'silent'; name?: string; destination?: DestinationStream }): Logger {
  const logger = pino({
    level: opts.level,
    ...(opts.name === undefined ? {} : { name: opts.name }),
    formatters: {
      log: (obj) => redactSecrets(obj),
      bindings: (b) => redactSecrets(b),
    },
  }, opts.destination ?? pino.destination({ dest: 1, sync: false }));
  // Children inherit this method through the prototype chain (pino builds a child with
  // Object.create(parent)), so grandchildren are covered as well.
  const childOf = logger.child;
  logger.child = function scrubbedChild(this: Logger, bindings, options) {
    return childOf.call(this, redactSecrets(bindings), options);
  } as Logger['child'];
  return logger;
}
