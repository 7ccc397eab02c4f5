/**
 * Who changes the directory, and the audit entry every change writes (DESIGN §4 rule 4: who, what,
 * when, from where). Services call `recordAudit` inside the transaction that makes the change, so
 * the change and its entry commit or vanish together. Details never hold passwords or hashes.
 */
import type { StoreTx } from '../store/store.ts';

export interface Actor {
  /** Who: 'cli:root', 'admin:administrator', 'admin:admin@x.cn', 'user:bob@x.cn', 'system'. */
  who: string;
  /** From where: a client IP, 'cli', 'scheduler'. */
  from: string;
}

/** The actor for changes the server makes by itself (first-run set-up, schedulers). */
export const SYSTEM_ACTOR: Actor = { who: 'system', from: 'internal' };

/** Writes one audit entry; `action` is verb-object ('user.freeze'), `target` usually an address or domain. */
export async function recordAudit(
  tx: StoreTx, actor: Actor, action: string, target: string, details: Record<string, unknown> = {},
): Promise<void> {
  await tx.audit.write({ actor: actor.who, source: actor.from, action, target, details });
}
