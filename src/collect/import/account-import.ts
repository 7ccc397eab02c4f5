/**
 * One account of an import job: what the IMAP and POP3 importers share. `appendOnce` puts a
 * message in with MailboxService.append (so the quota applies) and, in the same transaction, moves
 * the folder's progress marker and the account's counters; a marker that says "already imported"
 * rolls the append back, so crashes, resumes and races never make a second copy.
 */
import { isMailError, MailError } from '../../core/errors.ts';
import type { MailboxService } from '../../mailbox/mailbox-service.ts';
import type { ImportAccount, ImportFolder, Store } from '../../store/store.ts';

export interface AccountRun {
  /** Counters here are kept current for progress reports. */
  account: ImportAccount;
  password: string;
  store: Store;
  mailboxes: MailboxService;
  signal: AbortSignal;
  /**
   * Reach loopback, private and link-local source hosts (host-guard.ts): jobs made with the CLI by
   * the machine's administrator may; jobs made in the web console follow collect.allowPrivateHosts.
   */
  allowPrivateHosts: boolean;
  /** Called whenever account's counters moved. */
  changed(): void;
}

/** The marker key of the remote account: no port or TLS, so imaps → imap on the same server continues. */
export const sourceKey = (a: Pick<ImportAccount, 'protocol' | 'remoteUser' | 'host'>): string => `${a.protocol}://${a.remoteUser}@${a.host}`;

/** Makes the local folder if missing (parents too); a concurrent create is fine. */
export async function ensureFolder(run: AccountRun, name: string): Promise<void> {
  const { userId } = run.account;
  if (await run.mailboxes.get(userId, name)) return;
  await run.mailboxes.create(userId, name).catch((err: unknown) => {
    if (!isMailError(err, 'ALREADY_EXISTS')) throw err;
  });
}

/** Counts messages found already imported (by an earlier run) as done. */
export async function countDone(run: AccountRun, n: number): Promise<void> {
  if (n === 0) return;
  run.account.messagesDone += n;
  await run.store.tx((tx) => tx.imports.updateAccount(run.account.id, { messagesDone: run.account.messagesDone }));
  run.changed();
}

/**
 * Appends one message unless the marker says it is in already. `mark` records it (advanceFolder
 * for IMAP UIDs, markSeen for POP3 keys) and throws CONFLICT when it was. Returns whether it was
 * appended. Over quota becomes an error naming the account, the folder and how far it got.
 */
export async function appendOnce(run: AccountRun, folder: ImportFolder,
  msg: { raw: Buffer; flags: string[]; internalDate: number },
  mark: (tx: Parameters<NonNullable<Parameters<MailboxService['append']>[2]['also']>>[0]) => Promise<void>): Promise<boolean> {
  const a = run.account;
  try {
    await run.mailboxes.append(a.userId, folder.localName, {
      raw: msg.raw, flags: msg.flags, internalDate: msg.internalDate,
      also: async (tx) => {
        await mark(tx);
        await tx.imports.countImported(a.id, { messages: 1, bytes: msg.raw.length });
      },
    });
  } catch (err) {
    if (isMailError(err, 'CONFLICT')) return false;
    if (isMailError(err, 'QUOTA_EXCEEDED')) {
      throw new MailError('QUOTA_EXCEEDED', `over quota: the local mailbox is full after ${a.imported} new messages (stopped in folder "${folder.folder}")`, { cause: err });
    }
    throw err;
  }
  a.messagesDone += 1;
  a.imported += 1;
  a.bytes += msg.raw.length;
  run.changed();
  return true;
}

/** A readable reason from a client library's error (connection refused, login refused, timeouts). */
export function describeRemoteError(err: unknown, where: string): MailError {
  if (err instanceof MailError) return err;
  const e = err as { code?: string; message?: string; authenticationFailed?: boolean; responseText?: string };
  if (e.authenticationFailed) return new MailError('AUTH_FAILED', `${where} refused the login${e.responseText ? `: ${e.responseText}` : ''}`);
  if (e.code && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(e.code)) {
    return new MailError('STORE_UNAVAILABLE', `the certificate of ${where} is not trusted: ${e.message ?? e.code} (youju import --insecure-tls accepts it)`);
  }
  if (e.code === 'EPRIVATEHOST') return new MailError('FORBIDDEN', e.message ?? `${where} is a private address`);
  if (e.code && /^E[A-Z]+$/.test(e.code)) return new MailError('STORE_UNAVAILABLE', `cannot reach ${where}: ${e.message ?? e.code}`);
  return new MailError('STORE_UNAVAILABLE', `${where}: ${e.responseText ?? e.message ?? String(err)}`);
}
