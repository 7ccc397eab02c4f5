/**
 * Pulls every folder of one IMAP account (RFC 3501 / 9051) with imapflow: LIST with STATUS for the
 * totals, then per folder, read-only, the UIDs above the folder's marker in UID order, fetched in
 * batches (flags, INTERNALDATE, the raw message) and appended one at a time with their flags and
 * internal date (\Recent dropped). The marker is the folder's UIDVALIDITY + last imported UID. When
 * UIDVALIDITY changed (the old folder was re-created), UIDs start over and messages already here
 * are recognised by Message-ID, internal date and size instead.
 */
import type { FetchMessageObject, ImapFlow } from 'imapflow';
import { summarise } from '../../mime/summary.ts';
import type { SpecialUse } from '../../store/store.ts';
import { appendOnce, countDone, describeRemoteError, ensureFolder, sourceKey, type AccountRun } from './account-import.ts';
import { planFolders } from './folder-map.ts';
import { resolvePublicHost } from '../host-guard.ts';

/** A batch: at most 50 messages or 16 MB, so memory stays bounded whatever the mailbox holds. */
const BATCH_MESSAGES = 50;
const BATCH_BYTES = 16 * 1024 * 1024;

const fingerprint = (messageId: string, internalDate: number, size: number) => `${messageId}|${Math.floor(internalDate / 1000)}|${size}`;

export async function importImap(run: AccountRun): Promise<void> {
  const a = run.account;
  const where = `${a.host}:${a.port}`;
  // Loaded on first use: every `youju` command and the server start import this module, few import mail.
  const { ImapFlow } = await import('imapflow');
  // A host a web console admin typed is connected to at the address that was checked (host-guard.ts).
  let address = a.host;
  if (!run.allowPrivateHosts) address = await resolvePublicHost(a.host).catch((err: unknown) => { throw describeRemoteError(err, where); });
  const client = new ImapFlow({
    host: address, port: a.port, ...(address !== a.host ? { servername: a.host } : {}), secure: a.tls === 'tls', auth: { user: a.remoteUser, pass: run.password },
    tls: { rejectUnauthorized: a.verifyTls }, logger: false, disableAutoIdle: true,
    connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 10 * 60_000,
  });
  client.on('error', () => undefined); // failures surface through the pending command
  const abort = () => { client.close(); };
  run.signal.addEventListener('abort', abort);
  try {
    try {
      await client.connect();
    } catch (err) {
      throw describeRemoteError(err, where);
    }
    const listed = await client.list({ statusQuery: { messages: true } }).catch((err: unknown) => { throw describeRemoteError(err, where); });
    const ours: Partial<Record<SpecialUse, string>> = {};
    for (const m of await run.mailboxes.list(a.userId)) if (m.specialUse && !ours[m.specialUse]) ours[m.specialUse] = m.name;
    const plans = planFolders(listed, ours, client.namespace?.prefix ?? '');
    const totals = new Map(listed.map((f) => [f.path, f.status?.messages ?? 0]));
    a.foldersTotal = plans.length;
    a.foldersDone = 0;
    a.messagesTotal = plans.reduce((n, p) => n + (totals.get(p.remote) ?? 0), 0);
    await run.store.tx((tx) => tx.imports.updateAccount(a.id, { foldersTotal: a.foldersTotal, foldersDone: 0, messagesTotal: a.messagesTotal, messagesDone: 0 }));
    run.changed();

    for (const plan of plans) {
      if (run.signal.aborted) return;
      await ensureFolder(run, plan.local);
      const lock = await client.getMailboxLock(plan.remote, { readOnly: true }).catch((err: unknown) => { throw describeRemoteError(err, where); });
      try {
        await importFolder(run, client, plan.remote, plan.local, totals.get(plan.remote) ?? 0);
      } finally {
        lock.release();
      }
      a.foldersDone += 1;
      await run.store.tx((tx) => tx.imports.updateAccount(a.id, { foldersDone: a.foldersDone, messagesTotal: a.messagesTotal }));
      run.changed();
    }
    await client.logout().catch(() => undefined);
  } catch (err) {
    if (run.signal.aborted) return;
    throw describeRemoteError(err, where);
  } finally {
    run.signal.removeEventListener('abort', abort);
    client.close();
  }
}

async function importFolder(run: AccountRun, client: ImapFlow, remote: string, local: string, listedTotal: number): Promise<void> {
  const a = run.account;
  const box = client.mailbox;
  if (!box) return;
  const uidvalidity = Number(box.uidValidity);
  const before = await run.store.read((tx) => tx.imports.folder(a.userId, sourceKey(a), remote));
  const marker = await run.store.tx((tx) => tx.imports.putFolder({ userId: a.userId, source: sourceKey(a), folder: remote, localName: local, uidvalidity }));
  // The folder may have changed since LIST counted it: correct the total.
  a.messagesTotal += box.exists - listedTotal;
  if (box.exists === 0) return;
  const all = (await client.fetchAll('1:*', { uid: true, size: true })).map((m) => ({ uid: m.uid, size: m.size ?? 0 }));
  const todo = all.filter((m) => m.uid > marker.lastUid).sort((x, y) => x.uid - y.uid);
  await countDone(run, all.length - todo.length);

  // A re-created remote folder: recognise what an earlier uidvalidity already brought over.
  let known: Set<string> | undefined;
  if (before && before.uidvalidity !== uidvalidity && before.imported > 0) {
    const here = await run.mailboxes.get(a.userId, local);
    known = new Set((here ? await run.mailboxes.messages(here.id) : []).map((m) => fingerprint(m.messageIdHeader, m.internalDate, m.size)));
  }

  for (let i = 0; i < todo.length && !run.signal.aborted;) {
    let bytes = 0;
    let j = i;
    while (j < todo.length && j - i < BATCH_MESSAGES && (j === i || bytes + todo[j]!.size <= BATCH_BYTES)) bytes += todo[j++]!.size;
    const batch = todo.slice(i, j);
    i = j;
    const fetched = await client.fetchAll(batch.map((m) => m.uid).join(','), { uid: true, flags: true, internalDate: true, source: true }, { uid: true });
    fetched.sort((x, y) => x.uid - y.uid);
    for (const m of fetched) {
      if (run.signal.aborted) return;
      await importMessage(run, marker, m, known);
    }
  }
}

async function importMessage(run: AccountRun, marker: Parameters<typeof appendOnce>[1], m: FetchMessageObject, known: Set<string> | undefined): Promise<void> {
  const raw = m.source ?? Buffer.alloc(0);
  const internalDate = m.internalDate ? new Date(m.internalDate).getTime() : Date.now();
  if (known) {
    const id = summarise(raw).messageIdHeader;
    if (id !== '' && known.has(fingerprint(id, internalDate, raw.length))) {
      await run.store.tx((tx) => tx.imports.advanceFolder(marker.id, m.uid)).catch(() => undefined);
      await countDone(run, 1);
      return;
    }
  }
  const flags = [...(m.flags ?? [])].filter((f) => f.toLowerCase() !== '\\recent');
  await appendOnce(run, marker, { raw, flags, internalDate }, (tx) => tx.imports.advanceFolder(marker.id, m.uid));
}
