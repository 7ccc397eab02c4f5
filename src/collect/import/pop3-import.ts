/**
 * Pulls one POP3 account (RFC 1939) into INBOX: POP3 has no folders, flags or internal dates. Each
 * message's key is its UIDL (or, from a server without UIDL, a SHA-256 of its bytes); keys already
 * imported are skipped and new ones recorded in the append's transaction. The internal date is the
 * newest Received: date (when the old server got it), else the Date: header, else now. Nothing is
 * deleted from the old server.
 */
import { contentUid, Pop3Client } from '../pop3-client.ts';
import { appendOnce, countDone, describeRemoteError, ensureFolder, sourceKey, type AccountRun } from './account-import.ts';

/** The date a message arrived: the first (newest) Received: header's date, else Date:, else undefined. */
export function arrivalDate(raw: Buffer): number | undefined {
  const head = raw.subarray(0, 256 * 1024).toString('latin1').split(/\r?\n\r?\n/)[0] ?? '';
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const received = /^received:[^\n]*;\s*([^\r\n]+)/im.exec(unfolded)?.[1];
  const date = /^date:\s*([^\r\n]+)/im.exec(unfolded)?.[1];
  for (const v of [received, date]) {
    const t = v === undefined ? NaN : Date.parse(v.replace(/\s*\([^)]*\)\s*$/, ''));
    if (Number.isFinite(t)) return t;
  }
  return undefined;
}

export async function importPop3(run: AccountRun): Promise<void> {
  const a = run.account;
  const where = `${a.host}:${a.port}`;
  let client: Pop3Client;
  try {
    client = await Pop3Client.connect({
      host: a.host, port: a.port, tls: a.tls, requireStarttls: false, rejectUnauthorized: a.verifyTls,
      user: a.remoteUser, password: run.password, timeoutMs: 120_000,
      // The CLI's administrator may well migrate from a server on the private network; the web console's follows the setting.
      allowPrivateHosts: run.allowPrivateHosts,
    });
  } catch (err) {
    const reply = (err as { reply?: string }).reply;
    throw reply !== undefined
      ? describeRemoteError({ authenticationFailed: true, responseText: reply.replace(/^-ERR\s*/, '') }, where)
      : describeRemoteError(err, where);
  }
  const abort = () => client.close();
  run.signal.addEventListener('abort', abort);
  try {
    const sizes = await client.list();
    const uidl = await client.uidl();
    a.foldersTotal = 1;
    a.foldersDone = 0;
    a.messagesTotal = sizes.size;
    await run.store.tx((tx) => tx.imports.updateAccount(a.id, { foldersTotal: 1, foldersDone: 0, messagesTotal: a.messagesTotal, messagesDone: 0 }));
    run.changed();
    await ensureFolder(run, 'INBOX');
    const marker = await run.store.tx((tx) => tx.imports.putFolder({ userId: a.userId, source: sourceKey(a), folder: 'INBOX', localName: 'INBOX', uidvalidity: 0 }));
    const seen = await run.store.read((tx) => tx.imports.seenKeys(marker.id));
    const numbers = [...sizes.keys()].sort((x, y) => x - y);
    const todo = uidl ? numbers.filter((n) => !seen.has(`uidl:${uidl.get(n)}`)) : numbers;
    await countDone(run, numbers.length - todo.length);
    for (const n of todo) {
      if (run.signal.aborted) return;
      const raw = await client.retr(n);
      const key = uidl?.get(n) !== undefined ? `uidl:${uidl.get(n)}` : contentUid(raw);
      if (!uidl && seen.has(key)) {
        await countDone(run, 1);
        continue;
      }
      await appendOnce(run, marker, { raw, flags: [], internalDate: arrivalDate(raw) ?? Date.now() }, (tx) => tx.imports.markSeen(marker.id, key));
    }
    a.foldersDone = 1;
    await run.store.tx((tx) => tx.imports.updateAccount(a.id, { foldersDone: 1 }));
    run.changed();
    await client.quit().catch(() => undefined);
  } catch (err) {
    if (run.signal.aborted) return;
    throw describeRemoteError(err, where);
  } finally {
    run.signal.removeEventListener('abort', abort);
    client.close();
  }
}
