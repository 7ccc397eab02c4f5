/**
 * Runtime settings that moved to another key. A value stored under the old key is carried over to
 * the new one (unless that was set already) and the old key removed, when any youju command opens
 * the store, so an upgrade keeps what an administrator chose.
 */
export const RENAMED_SETTINGS: Readonly<Record<string, string>> = {
  // One rule for every protocol's logins (issue #10 §2).
  'smtp.allowPlaintextAuth': 'security.allowPlaintextAuth',
};

/** What to write and delete so the stored settings use the new keys. */
export function renames(stored: Record<string, unknown>): { set: Array<[string, unknown]>; drop: string[] } {
  const set: Array<[string, unknown]> = [];
  const drop: string[] = [];
  for (const [from, to] of Object.entries(RENAMED_SETTINGS)) {
    if (!(from in stored)) continue;
    if (!(to in stored)) set.push([to, stored[from]]);
    drop.push(from);
  }
  return { set, drop };
}
