/**
 * A webmail user's own MultiPOP boxes (manual part 2 §1.17.5 POP 邮件): list, add, change, remove
 * and test, over the engine the CLI and the collector use (collect/pop-accounts.ts: sealing,
 * validation, audit). Every method checks the actor on entry, and an account of another user
 * answers NOT_FOUND like one that does not exist. Passwords never come back out: views carry
 * `hasPassword` only. "Test" logs in to the remote server with the stored password, reads STAT and
 * quits, collecting nothing; its answer says how many messages wait or why it failed.
 * Collecting itself is collect-worker.ts's schedule (collect.intervalMin).
 */
import { Pop3Client } from '../collect/pop3-client.ts';
import type { PopAccountChanges, PopAccountInput, PopAccountService, PopAccountView } from '../collect/pop-accounts.ts';
import type { CollectSettings } from '../config/schema/collect.ts';
import { MailError } from '../core/errors.ts';
import type { PopAccountId, UserId } from '../core/ids.ts';
import type { Actor } from '../directory/actor.ts';
import type { Store } from '../store/store.ts';
import { loadOwner, requireSelf } from './owner.ts';

/** What a user sees of an account: no owner (it is theirs), no lease, no password. */
export type MyPopAccount = Omit<PopAccountView, 'owner' | 'leaseUntil' | 'kind' | 'userId'>;

export interface PopTestResult {
  ok: boolean;
  /** Messages waiting on the remote server (when ok). */
  messages?: number;
  bytes?: number;
  /** Why it failed: the remote server's refusal or the connection error, at most 200 characters. */
  error?: string;
}

/** A test waits at most this long for each reply, whatever collect.timeoutSec says: a person is waiting. */
const TEST_TIMEOUT_MS = 15_000;

export class PopOptions {
  constructor(
    private readonly store: Store,
    private readonly accounts: PopAccountService,
    private readonly secrets: { decrypt(sealed: string): string },
    private readonly settings: () => Pick<CollectSettings, 'timeoutSec' | 'verifyCertificates' | 'allowPrivateHosts'>,
  ) {}

  async list(actor: Actor, ownerId: UserId): Promise<MyPopAccount[]> {
    const owner = await this.owner(actor, ownerId);
    return (await this.accounts.list(owner)).map(mine);
  }

  /** Adds an account (host, username and password needed; INVALID_INPUT otherwise). */
  async add(actor: Actor, ownerId: UserId, input: PopAccountInput): Promise<MyPopAccount> {
    const owner = await this.owner(actor, ownerId);
    return mine(await this.accounts.add(actor, owner, input));
  }

  /** Changes an account; a password left out stays as it was. */
  async update(actor: Actor, ownerId: UserId, id: PopAccountId, changes: PopAccountChanges): Promise<MyPopAccount> {
    await this.requireOwn(actor, ownerId, id);
    return mine(await this.accounts.update(actor, id, changes));
  }

  async remove(actor: Actor, ownerId: UserId, id: PopAccountId): Promise<void> {
    await this.requireOwn(actor, ownerId, id);
    await this.accounts.remove(actor, id);
  }

  /** Logs in to the remote server with the stored settings and password, reads STAT, and quits. */
  async test(actor: Actor, ownerId: UserId, id: PopAccountId): Promise<PopTestResult> {
    await this.requireOwn(actor, ownerId, id);
    const a = await this.store.read((tx) => tx.popAccounts.get(id));
    if (!a) throw new MailError('NOT_FOUND', `POP account #${id} does not exist`);
    const s = this.settings();
    let client: Pop3Client | undefined;
    try {
      client = await Pop3Client.connect({
        host: a.host, port: a.port, tls: a.tls, user: a.username, password: this.secrets.decrypt(a.passwordEnc), apop: a.useApop,
        rejectUnauthorized: s.verifyCertificates, timeoutMs: Math.min(s.timeoutSec * 1000, TEST_TIMEOUT_MS),
        allowPrivateHosts: s.allowPrivateHosts,
      });
      const stat = await client.stat();
      await client.quit();
      client = undefined;
      return { ok: true, messages: stat.count, bytes: stat.size };
    } catch (err) {
      return { ok: false, error: String((err as Error).message ?? err).slice(0, 200) };
    } finally {
      client?.close();
    }
  }

  private async owner(actor: Actor, ownerId: UserId): Promise<string> {
    requireSelf(actor, ownerId);
    return (await this.store.read((tx) => loadOwner(tx, ownerId))).address;
  }

  private async requireOwn(actor: Actor, ownerId: UserId, id: PopAccountId): Promise<void> {
    requireSelf(actor, ownerId);
    const a = await this.store.read((tx) => tx.popAccounts.get(id));
    if (!a || a.kind !== 'user' || a.userId !== ownerId) throw new MailError('NOT_FOUND', `POP account #${id} does not exist`);
  }
}

function mine(v: PopAccountView): MyPopAccount {
  const { owner: _owner, leaseUntil: _lease, kind: _kind, userId: _user, ...rest } = v;
  return rest;
}
