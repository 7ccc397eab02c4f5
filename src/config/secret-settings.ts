/**
 * Runtime settings that hold a secret (today the smart host's AUTH password, delivery.smartHost)
 * are sealed at rest with DATA/secret.key, like POP account passwords: the store holds the sealed
 * text, the in-memory snapshot the plain value, and every listing masks it. A value stored before
 * sealing existed is plain; it is sealed the next time settings load (sealStored).
 */

/** What seals: SecretBox (auth/secret-box.ts), passed in by the composition root. */
export interface Sealer {
  encrypt(plain: string): string;
  decrypt(sealed: string): string;
}

/** The settings keys (as stored: section.key) and which fields of their object value are secret. */
const SECRET_FIELDS: Record<string, readonly string[]> = {
  'delivery.smartHost': ['password'],
};

const SEALED = '$aesgcm$';
const isSealed = (v: unknown): v is string => typeof v === 'string' && v.startsWith(SEALED);

function mapSecrets(key: string, value: unknown, fn: (v: string) => string): unknown {
  const fields = SECRET_FIELDS[key];
  if (!fields || value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const f of fields) if (typeof out[f] === 'string' && out[f] !== '') out[f] = fn(out[f] as string);
  return out;
}

/** The value as it is stored: its secret fields sealed (a field already sealed is left as it is). */
export const sealSetting = (key: string, value: unknown, box: Sealer): unknown =>
  mapSecrets(key, value, (v) => (isSealed(v) ? v : box.encrypt(v)));

/** The value as the snapshot holds it: its secret fields opened. */
export const unsealSetting = (key: string, value: unknown, box: Sealer): unknown =>
  mapSecrets(key, value, (v) => (isSealed(v) ? box.decrypt(v) : v));

export function unsealAll(stored: Record<string, unknown>, box: Sealer): Record<string, unknown> {
  return Object.fromEntries(Object.entries(stored).map(([k, v]) => [k, unsealSetting(k, v, box)]));
}

/** The stored keys whose secret fields are still plain (written before sealing existed), to seal now. */
export function plainSecrets(stored: Record<string, unknown>): string[] {
  return Object.keys(stored).filter((k) => {
    const fields = SECRET_FIELDS[k];
    const v = stored[k] as Record<string, unknown> | null;
    return fields !== undefined && v !== null && typeof v === 'object'
      && fields.some((f) => typeof v[f] === 'string' && v[f] !== '' && !isSealed(v[f]));
  });
}
