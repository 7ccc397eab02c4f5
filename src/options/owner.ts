/**
 * The one check every options service makes on entry: the actor may reach this user's personal
 * settings (auth/permissions.ts mayReachPersonal: the user themself or the system), and the user
 * exists. Anything else answers NOT_FOUND, exactly like an id that does not exist, so a changed id
 * in a URL reveals nothing.
 */
import { mayReachPersonal } from '../auth/permissions.ts';
import { MailError } from '../core/errors.ts';
import type { UserId } from '../core/ids.ts';
import type { Actor } from '../directory/actor.ts';
import type { Domain, StoreTx, User } from '../store/store.ts';

export function requireSelf(actor: Actor, ownerId: UserId): void {
  if (!mayReachPersonal(actor, ownerId)) throw new MailError('NOT_FOUND', `no options of user #${ownerId} for ${actor.who}`);
}

/** The owner's row, domain and address, inside tx. */
export async function loadOwner(tx: StoreTx, ownerId: UserId): Promise<{ user: User; domain: Domain; address: string }> {
  const user = await tx.users.get(ownerId);
  const domain = user && (await tx.domains.get(user.domainId));
  if (!user || !domain) throw new MailError('NOT_FOUND', `user #${ownerId} does not exist`);
  return { user, domain, address: `${user.localPart}@${domain.name}` };
}
