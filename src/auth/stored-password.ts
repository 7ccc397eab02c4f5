/**
 * What a user's stored password is and how it is checked: a scrypt hash (password.ts), or, for a
 * user a batch add made (issue #14) and the background role (pending-hashes.ts) has not hashed yet,
 * the password sealed with the server's SecretBox. Every check of a user's password goes through
 * verifyStoredPassword. A sealed value is opened and compared in constant time (SHA-256 of both,
 * NFC like scrypt's input); a dummy scrypt runs beside it, so a pending account takes as long to
 * check as any other. A value sealed with another key fails, never throws.
 * Not here: sealing at batch add (directory/users.ts), hashing the pending values (pending-hashes.ts).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { dummyHash, hashPassword, verifyPassword } from './password.ts';
import { SecretBox } from './secret-box.ts';

/** Whether the stored value still awaits hashing (sealed by a batch add). */
export const isPendingHash = (stored: string): boolean => SecretBox.isSealed(stored);

/** True when plain is the password the stored value (scrypt hash or sealed password) was made from. */
export async function verifyStoredPassword(plain: string, stored: string, box: SecretBox | undefined): Promise<boolean> {
  if (!isPendingHash(stored)) return verifyPassword(plain, stored);
  const sameCost = verifyPassword(plain, await dummyHash());
  let ok = false;
  try {
    ok = box !== undefined && timingSafeEqual(digest(plain), digest(box.decrypt(stored)));
  } catch {
    ok = false; // sealed with another key, or damaged
  }
  await sameCost;
  return ok;
}

/** The scrypt hash a pending value becomes. Throws CONFIG_INVALID when the box cannot open it. */
export async function hashPending(stored: string, box: SecretBox): Promise<string> {
  return hashPassword(box.decrypt(stored));
}

const digest = (s: string): Buffer => createHash('sha256').update(s.normalize('NFC'), 'utf8').digest();
