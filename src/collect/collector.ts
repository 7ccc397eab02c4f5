/**
 * One collection run of one external POP3 account (MultiPOP or DomainPOP): log in, list by UIDL,
 * download each message not collected before, route it, and queue it for local delivery through
 * the normal path (QueueService → queue runner → local transport: filters and quota apply). The
 * UIDL is recorded in the SAME transaction that queues the message, so a message is queued at most
 * once however runs crash or overlap (a second record of a UIDL fails and rolls its transaction
 * back). Deletion on the remote server comes after that commit: when the account does not leave
 * mail on the server, or leaves it only leaveDays days. UIDLs gone from the server are forgotten.
 * Messages over the size limit are not downloaded; they are recorded as `large:<uidl>` so that
 * onLarge (delete, warn the postmaster) runs once. A server without UIDL (optional, RFC 1939 §7):
 * every message is downloaded and keyed by the SHA-256 of its bytes (pop3-client.ts contentUid), a
 * large one by its number and size. Not here: scheduling and limits (collect-worker.ts).
 */
import type { Clock } from '../core/clock.ts';
import type { PopAccount, Store } from '../store/store.ts';
import type { QueueService } from '../queue/queue.ts';
import { isMailError } from '../core/errors.ts';
import { withoutInternalHeaders } from '../mime/header-check.ts';
import { routedSubmissions } from '../pipeline/routing.ts';
import { contentUid, Pop3Client } from './pop3-client.ts';

export interface Sealer {
  decrypt(sealed: string): string;
}

export interface CollectorDeps {
  store: Store;
  queue: Pick<QueueService, 'prepare' | 'enqueue' | 'wake'>;
  secrets: Sealer;
  clock: Clock;
  hostname: string;
}

export interface CollectOptions {
  timeoutMs: number;
  verifyCertificates: boolean;
  /** collect.allowPrivateHosts: reach loopback/private/link-local hosts (host-guard.ts). */
  allowPrivateHosts: boolean;
  /** 0 = no limit. */
  maxMessageBytes: number;
  /** Where a message goes: local addresses (none = drop it) and, for the duplicate check, its Message-ID. */
  route(raw: Buffer): Promise<{ recipients: string[]; messageId?: string }>;
  /** Called once per message over maxMessageBytes; true deletes it from the server. */
  onLarge?(size: number, head: string): Promise<boolean>;
  /** Download smaller messages before larger ones (manual: 在下载大邮件之前先下载小邮件). */
  smallFirst?: boolean;
  /** Keeps a copy of each downloaded message (DomainPOP archive); its failure is logged, not fatal. */
  archive?(raw: Buffer, uid: string): Promise<void>;
  /** Where the archive copy of a collected message goes (contentFilter.archive), queued with it in one transaction. */
  archiveCopy?(): { to: string[]; subjectTag?: string } | undefined;
  /** 'multipop' or 'domainpop', kept in the queue entry's meta. */
  via: string;
  log?(line: string): void;
}

export interface RunResult {
  fetched: number;
  deleted: number;
  duplicates: number;
  large: number;
  /** '' when the run went well. */
  error: string;
}

const DAY_MS = 86_400_000;

export async function collectAccount(deps: CollectorDeps, a: PopAccount, o: CollectOptions): Promise<RunResult> {
  const r: RunResult = { fetched: 0, deleted: 0, duplicates: 0, large: 0, error: '' };
  const where = `${a.host}:${a.port}`;
  let client: Pop3Client | undefined;
  try {
    client = await Pop3Client.connect({
      host: a.host, port: a.port, tls: a.tls, rejectUnauthorized: o.verifyCertificates, user: a.username,
      password: deps.secrets.decrypt(a.passwordEnc), apop: a.useApop, timeoutMs: o.timeoutMs, allowPrivateHosts: o.allowPrivateHosts,
      maxMessageBytes: o.maxMessageBytes > 0 ? o.maxMessageBytes : undefined,
    });
    o.log?.(`logged in to ${where} as ${a.username}`);
    const uidl = await client.uidl();
    const sizes = await client.list();
    if (!uidl) o.log?.(`${where} has no UIDL: messages are told apart by a SHA-256 of their bytes`);
    // Without UIDL a message's key is known only once it is downloaded (undefined here).
    const uids = uidl ?? new Map<number, string | undefined>([...sizes.keys()].map((n) => [n, undefined]));
    const present = new Set<string>();
    const seen = await deps.store.read((tx) => tx.popAccounts.seen(a.id));
    const now = deps.clock.now();
    const expired = (at: number) => !a.leaveOnServer || (a.leaveDays > 0 && now - at >= a.leaveDays * DAY_MS);

    const order = [...uids];
    if (o.smallFirst) order.sort(([a], [b]) => (sizes.get(a) ?? 0) - (sizes.get(b) ?? 0));
    for (const [n, listed] of order) {
      const size = sizes.get(n) ?? 0;
      const isLarge = o.maxMessageBytes > 0 && size > o.maxMessageBytes;
      const raw = listed === undefined && !isLarge ? await client.retr(n) : undefined;
      const uid = listed ?? (raw ? contentUid(raw) : `${n}:${size}`);
      present.add(uid);
      const at = seen.get(uid);
      if (at !== undefined) {
        // Collected before: delete now if it should be gone (also after a crash between commit and QUIT).
        if (expired(at)) { await client.dele(n); r.deleted++; }
        continue;
      }
      if (isLarge) {
        if (seen.has(`large:${uid}`)) continue;
        r.large++;
        o.log?.(`message ${n} (${uid}) is ${size} bytes, over ${o.maxMessageBytes}: not collected`);
        const remove = o.onLarge ? await o.onLarge(size, `${where} message ${uid}`) : false;
        await deps.store.tx((tx) => tx.popAccounts.markSeen(a.id, `large:${uid}`, now));
        if (remove) { await client.dele(n); r.deleted++; }
        continue;
      }
      // Youju's own X-Youju-* fields never come in from outside, whichever way the mail arrives.
      const body = withoutInternalHeaders(raw ?? await client.retr(n));
      const route = await o.route(body);
      const trace = `Received: from ${a.host} by ${deps.hostname} with POP3 id ${uid.slice(0, 70)};\r\n\t${new Date(deps.clock.now()).toUTCString()}\r\n`;
      const prepared = route.recipients.length > 0
        ? await deps.queue.prepare({ sender: '', recipients: route.recipients, raw: Buffer.concat([Buffer.from(trace), body]), meta: { collectedBy: o.via, popAccount: a.id } })
        : undefined;
      const copyTo = prepared ? o.archiveCopy?.() : undefined;
      const archived = prepared && copyTo ? await deps.queue.prepare(routedSubmissions(
        { sender: '', recipients: route.recipients, raw: Buffer.concat([Buffer.from(trace), body]) },
        { recipients: [], copies: [{ to: copyTo.to, reason: 'archive', subjectTag: copyTo.subjectTag }], messages: [] })[0]!) : undefined;
      let queued = false;
      try {
        queued = await deps.store.tx(async (tx) => {
          await tx.popAccounts.markSeen(a.id, uid, now);
          if (route.messageId && !(await tx.popAccounts.recordMessageId(a.id, route.messageId, now))) return false;
          if (prepared) await deps.queue.enqueue(tx, prepared);
          if (archived) await deps.queue.enqueue(tx, archived);
          return prepared !== undefined;
        });
      } catch (err) {
        if (!isMailError(err, 'ALREADY_EXISTS')) throw err;
        continue; // another run collected it meanwhile
      }
      if (o.archive) {
        await o.archive(body, uid).catch((err) => o.log?.(`message ${n} (${uid}) not archived: ${String((err as Error).message ?? err)}`));
      }
      if (queued) {
        deps.queue.wake();
        r.fetched++;
        o.log?.(`message ${n} (${uid}, ${body.length} bytes) queued for ${route.recipients.join(', ')}`);
      } else {
        if (route.recipients.length > 0) r.duplicates++;
        o.log?.(`message ${n} (${uid}) ${route.recipients.length > 0 ? `is a duplicate of Message-ID <${route.messageId}>` : 'has no recipient'}: dropped`);
      }
      if (expired(now)) { await client.dele(n); r.deleted++; }
    }
    await client.quit();
    client = undefined;
    // UIDLs no longer on the server will not come back (RFC 1939 §7): forget them.
    const gone = [...seen.keys()].filter((k) => !present.has(k.replace(/^large:/, '')));
    if (gone.length > 0) await deps.store.tx((tx) => tx.popAccounts.forgetSeen(a.id, gone));
  } catch (err) {
    r.error = describe(err);
    o.log?.(`failed: ${r.error}`);
  } finally {
    client?.close();
  }
  return r;
}

/** One line an admin can act on; the client's errors already name host and port, never the password. */
function describe(err: unknown): string {
  const e = err as { message?: string; code?: string };
  return (e?.message ?? String(err)).split('\n')[0]!.slice(0, 300) + (e?.code && !e.message?.includes(e.code) ? ` (${e.code})` : '');
}
