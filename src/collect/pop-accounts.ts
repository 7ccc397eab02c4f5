/**
 * External POP3 accounts as the consoles and the CLI manage them: a user's MultiPOP boxes (FEATURES
 * W14, manual §4.3 ⑦) and the one DomainPOP box (S5). Passwords are sealed on the way in
 * (auth/secret-box.ts) and never come back out of this service; every change is audited (DESIGN §4
 * rule 4) with the password left out. Collecting is collect-worker.ts's business.
 */
import { MailError } from '../core/errors.ts';
import type { PopAccountId } from '../core/ids.ts';
import { recordAudit, type Actor } from '../directory/actor.ts';
import { requireUser } from '../directory/users.ts';
import type { PopAccount, PopAccountPatch, PopTlsMode, Store, StoreTx } from '../store/store.ts';

export interface Sealing {
  encrypt(plain: string): string;
}

/** An account as shown: the owner's address instead of the sealed password. */
export type PopAccountView = Omit<PopAccount, 'passwordEnc'> & { owner: string | null };

export interface PopAccountInput {
  host: string;
  port?: number;
  tls?: PopTlsMode;
  username: string;
  password: string;
  useApop?: boolean;
  enabled?: boolean;
  leaveOnServer?: boolean;
  leaveDays?: number;
}
export type PopAccountChanges = Partial<PopAccountInput>;

const TLS_MODES: readonly PopTlsMode[] = ['none', 'starttls', 'tls'];

export class PopAccountService {
  constructor(private readonly store: Store, private readonly secrets: Sealing) {}

  /** Adds a MultiPOP account for the user at owner. Throws NOT_FOUND, INVALID_INPUT. */
  async add(actor: Actor, owner: string, input: PopAccountInput): Promise<PopAccountView> {
    const fields = this.fields(input, true) as Required<PopAccountPatch>;
    return this.store.tx(async (tx) => {
      const { user } = await requireUser(tx, owner);
      const a = await tx.popAccounts.create({ ...fields, kind: 'user', userId: user.id });
      const view = await toView(tx, a);
      await recordAudit(tx, actor, 'popaccount.create', view.owner ?? '', summary(a));
      return view;
    });
  }

  /** MultiPOP accounts, of one user or all. */
  async list(owner?: string): Promise<PopAccountView[]> {
    return this.store.read(async (tx) => {
      const userId = owner === undefined ? undefined : (await requireUser(tx, owner)).user.id;
      const rows = await tx.popAccounts.list({ kind: 'user', userId });
      return Promise.all(rows.map((a) => toView(tx, a)));
    });
  }

  async get(id: PopAccountId): Promise<PopAccountView> {
    return this.store.read(async (tx) => toView(tx, await requireAccount(tx, id)));
  }

  /** Changes settings of an account (MultiPOP or DomainPOP); a new password is sealed. */
  async update(actor: Actor, id: PopAccountId, changes: PopAccountChanges): Promise<PopAccountView> {
    const patch = this.fields(changes, false);
    return this.store.tx(async (tx) => {
      await requireAccount(tx, id);
      const a = (await tx.popAccounts.update(id, patch))!;
      const view = await toView(tx, a);
      const { passwordEnc, ...shown } = patch;
      await recordAudit(tx, actor, 'popaccount.update', view.owner ?? 'domainpop', { id, ...shown, ...(passwordEnc ? { password: '****' } : {}) });
      return view;
    });
  }

  async remove(actor: Actor, id: PopAccountId): Promise<void> {
    await this.store.tx(async (tx) => {
      const a = await requireAccount(tx, id);
      const view = await toView(tx, a);
      await tx.popAccounts.delete(id);
      await recordAudit(tx, actor, 'popaccount.delete', view.owner ?? 'domainpop', summary(a));
    });
  }

  /** The DomainPOP box, if one is set up. */
  async domainAccount(): Promise<PopAccountView | undefined> {
    return this.store.read(async (tx) => {
      const [a] = await tx.popAccounts.list({ kind: 'domain' });
      return a && toView(tx, a);
    });
  }

  /** Sets up the DomainPOP box, or changes it (the password may then be left out). */
  async setDomainAccount(actor: Actor, input: PopAccountChanges): Promise<PopAccountView> {
    const existing = await this.domainAccount();
    if (existing) return this.update(actor, existing.id, input);
    if (!input.host || !input.username || input.password === undefined) {
      throw new MailError('INVALID_INPUT', 'the DomainPOP box needs a host, a user name and a password');
    }
    const fields = this.fields(input as PopAccountInput, true) as Required<PopAccountPatch>;
    return this.store.tx(async (tx) => {
      const a = await tx.popAccounts.create({ ...fields, kind: 'domain', userId: null });
      await recordAudit(tx, actor, 'domainpop.create', 'domainpop', summary(a));
      return toView(tx, a);
    });
  }

  private fields(input: PopAccountChanges, creating: boolean): PopAccountPatch {
    const out: PopAccountPatch = {};
    if (input.host !== undefined) {
      if (!/^[A-Za-z0-9.:\-[\]]{1,253}$/.test(input.host)) throw new MailError('INVALID_INPUT', `host "${input.host}" is not a host name or IP address`);
      out.host = input.host.toLowerCase();
    }
    if (input.tls !== undefined && !TLS_MODES.includes(input.tls)) throw new MailError('INVALID_INPUT', `tls must be one of ${TLS_MODES.join(', ')}`);
    if (input.tls !== undefined || creating) out.tls = input.tls ?? 'tls';
    if (input.port !== undefined || creating) out.port = input.port ?? (out.tls === 'tls' ? 995 : 110);
    if (out.port !== undefined && (!Number.isInteger(out.port) || out.port < 1 || out.port > 65535)) throw new MailError('INVALID_INPUT', 'port must be 1–65535');
    if (input.username !== undefined) {
      if (input.username === '' || /[\s]/.test(input.username)) throw new MailError('INVALID_INPUT', 'the remote user name must be one word');
      out.username = input.username;
    }
    if (input.password !== undefined) {
      if (/[\r\n]/.test(input.password)) throw new MailError('INVALID_INPUT', 'the password must be one line');
      out.passwordEnc = this.secrets.encrypt(input.password);
    }
    if (input.leaveDays !== undefined && (!Number.isInteger(input.leaveDays) || input.leaveDays < 0)) throw new MailError('INVALID_INPUT', 'leave days must be a whole number ≥ 0');
    for (const k of ['useApop', 'enabled', 'leaveOnServer', 'leaveDays'] as const) if (input[k] !== undefined) (out as Record<string, unknown>)[k] = input[k];
    if (creating && (!out.host || !out.username || !out.passwordEnc)) throw new MailError('INVALID_INPUT', 'a POP account needs a host, a user name and a password');
    return out;
  }
}

async function requireAccount(tx: StoreTx, id: PopAccountId): Promise<PopAccount> {
  const a = await tx.popAccounts.get(id);
  if (!a) throw new MailError('NOT_FOUND', `POP account #${id} does not exist`);
  return a;
}

async function toView(tx: StoreTx, a: PopAccount): Promise<PopAccountView> {
  const { passwordEnc: _sealed, ...rest } = a;
  let owner: string | null = null;
  if (a.userId !== null) {
    const user = await tx.users.get(a.userId);
    const domain = user && (await tx.domains.get(user.domainId));
    owner = user && domain ? `${user.localPart}@${domain.name}` : null;
  }
  return { ...rest, owner };
}

const summary = (a: PopAccount) => ({ id: a.id, host: a.host, port: a.port, tls: a.tls, username: a.username, leaveOnServer: a.leaveOnServer });
