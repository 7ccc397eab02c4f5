/**
 * A user's own password and security question (manual part 2 §1.17.2 密码 / 修改密码提示问题) and
 * the login page's "forgot password" that the question unlocks (§1.1 忘记密码). Changing the
 * password needs the old one; setting the question needs the password too, since the answer can
 * replace the password later (both checked by UserService.passwordMatches, which also knows a
 * batch-added password not hashed yet). The answer is kept only as a password hash (auth/password.ts) of its
 * normalised form (option-schemas.ts normaliseAnswer). New passwords go through UserService.setPassword,
 * so the domain's password policy applies and the change is audited there.
 * The forgot-password calls take no session: the caller (the web route) throttles them per IP with
 * the failed-login throttle, and a user without a question answers like one that does not exist.
 */
import { dummyHash, hashPassword, verifyPassword } from '../auth/password.ts';
import { MailError } from '../core/errors.ts';
import type { UserId } from '../core/ids.ts';
import { recordAudit, type Actor } from '../directory/actor.ts';
import { requireUser, type UserService } from '../directory/users.ts';
import { userScope } from '../delivery/local/user-rules.ts';
import type { Store, StoreTx } from '../store/store.ts';
import { normaliseAnswer, OPTION_KEYS, SecurityQuestionInputSchema, StoredQuestionSchema } from './option-schemas.ts';
import { loadOwner, requireSelf } from './owner.ts';
import { parseOption } from './user-options.ts';

const NO_QUESTION = 'no security question is set for this address';

export class AccountSecurity {
  constructor(private readonly store: Store, private readonly users: Pick<UserService, 'setPassword' | 'passwordMatches'>) {}

  /**
   * Changes the owner's password. A wrong old password is INVALID_INPUT naming `oldPassword`
   * (the session stays; it is not a login); a weak new one PASSWORD_WEAK (domain policy).
   */
  async changePassword(actor: Actor, ownerId: UserId, oldPassword: string, newPassword: string, opts: { keepSession?: string } = {}): Promise<void> {
    requireSelf(actor, ownerId);
    const { user, address } = await this.store.read((tx) => loadOwner(tx, ownerId));
    if (!(await this.users.passwordMatches(user, oldPassword))) {
      throw new MailError('INVALID_INPUT', 'oldPassword: the current password is wrong', { details: { field: 'oldPassword' } });
    }
    if (newPassword === oldPassword) {
      throw new MailError('INVALID_INPUT', 'newPassword: the new password is the same as the old one', { details: { field: 'newPassword' } });
    }
    await this.users.setPassword(actor, address, newPassword, opts);
  }

  /** The owner's question, null when none is set (the answer never comes back). */
  async question(actor: Actor, ownerId: UserId): Promise<{ question: string | null }> {
    requireSelf(actor, ownerId);
    return this.store.read(async (tx) => {
      await loadOwner(tx, ownerId);
      return { question: (await readQuestion(tx, ownerId))?.question ?? null };
    });
  }

  /** Sets the question and answer; needs the current password (INVALID_INPUT naming `password`). */
  async setQuestion(actor: Actor, ownerId: UserId, input: { password: string; question: string; answer: string }): Promise<{ question: string }> {
    requireSelf(actor, ownerId);
    const { password, question, answer } = parseOption(SecurityQuestionInputSchema, input);
    const { user } = await this.store.read((tx) => loadOwner(tx, ownerId));
    if (!(await this.users.passwordMatches(user, password))) {
      throw new MailError('INVALID_INPUT', 'password: the current password is wrong', { details: { field: 'password' } });
    }
    const answerHash = await hashPassword(normaliseAnswer(answer));
    await this.store.tx(async (tx) => {
      const { address } = await loadOwner(tx, ownerId);
      await tx.settings.set(userScope(ownerId), OPTION_KEYS.securityQuestion, { question, answerHash });
      await recordAudit(tx, actor, 'user.security-question', address, { set: true });
    });
    return { question };
  }

  async clearQuestion(actor: Actor, ownerId: UserId): Promise<void> {
    requireSelf(actor, ownerId);
    await this.store.tx(async (tx) => {
      const { address } = await loadOwner(tx, ownerId);
      if (await tx.settings.delete(userScope(ownerId), OPTION_KEYS.securityQuestion)) {
        await recordAudit(tx, actor, 'user.security-question', address, { set: false });
      }
    });
  }

  /** Forgot password, step 1: the question of the user at address. NOT_FOUND when there is no such user or no question. */
  async questionFor(address: string): Promise<{ question: string }> {
    const stored = await this.store.read(async (tx) => {
      const found = await requireUser(tx, address).catch(() => undefined);
      return found && (await readQuestion(tx, found.user.id));
    });
    if (!stored) throw new MailError('NOT_FOUND', NO_QUESTION);
    return { question: stored.question };
  }

  /**
   * Forgot password, step 2: a right answer sets newPassword (under the domain's policy). A wrong
   * answer, an unknown user and a user without a question all give AUTH_FAILED, after the same work.
   */
  async resetWithAnswer(address: string, answer: string, newPassword: string, from: string): Promise<void> {
    const found = await this.store.read(async (tx) => {
      const u = await requireUser(tx, address).catch(() => undefined);
      return u && { ...u, stored: await readQuestion(tx, u.user.id) };
    });
    const ok = await verifyPassword(normaliseAnswer(answer), found?.stored?.answerHash ?? (await dummyHash()));
    if (!found?.stored || !ok) throw new MailError('AUTH_FAILED', 'the answer does not match');
    const full = `${found.user.localPart}@${found.domain.name}`;
    const actor: Actor = { who: `user:${full}`, from, role: { kind: 'user', userId: found.user.id, domainId: found.user.domainId } };
    await this.users.setPassword(actor, full, newPassword);
  }
}

async function readQuestion(tx: StoreTx, ownerId: UserId): Promise<{ question: string; answerHash: string } | undefined> {
  const stored = await tx.settings.get(userScope(ownerId), OPTION_KEYS.securityQuestion).catch((err: unknown) => {
    if (err instanceof SyntaxError) return undefined; // a corrupt value: as if none were set
    throw err;
  });
  const r = StoredQuestionSchema.safeParse(stored);
  return r.success ? r.data : undefined;
}
