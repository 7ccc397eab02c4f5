/**
 * Mailboxes (folders) over SQL. Counters (messages, unseen, bytes) and uidnext/highestmodseq are
 * kept on the row by messages.ts in the same transaction, so STATUS never counts rows.
 * uidvalidity comes from a counter that only grows (max of the clock's seconds and last + 1), so a
 * mailbox deleted and re-created under the same name never reuses one (RFC 3501 §2.3.1.1).
 */
import type { MailboxId, UserId } from '../../core/ids.ts';
import type { Mailbox, MailboxRepo, SpecialUse } from '../store.ts';
import type { Row } from './conn.ts';
import type { RepoCtx } from './ctx.ts';
import { bool, insertUnique, num, releaseBlobs, str } from './rows.ts';

export const toMailbox = (r: Row): Mailbox => ({
  id: num(r.id) as MailboxId,
  userId: num(r.user_id) as UserId,
  name: str(r.name),
  specialUse: (r.special_use ?? null) as SpecialUse | null,
  uidvalidity: num(r.uidvalidity),
  uidnext: num(r.uidnext),
  highestmodseq: num(r.highestmodseq),
  firstRecentUid: num(r.first_recent_uid),
  subscribed: bool(r.subscribed),
  messages: num(r.messages),
  unseen: num(r.unseen),
  bytes: num(r.bytes),
});

export function mailboxRepo({ db, now }: RepoCtx): MailboxRepo {
  return {
    async create(userId, name, opts = {}) {
      const seconds = Math.floor(now() / 1000);
      const c = await db.get<Row>(
        `UPDATE counters SET value = CASE WHEN value + 1 > ? THEN value + 1 ELSE ? END
          WHERE name = 'uidvalidity' RETURNING value`, [seconds, seconds]);
      // A name subscribed before (kept after a DELETE) stays subscribed when the mailbox comes back.
      const before = await db.get('SELECT 1 AS x FROM subscriptions WHERE user_id = ? AND name = ?', [userId, name]);
      const subscribed = opts.subscribed !== false || before !== undefined;
      const r = await insertUnique(`mailbox ${name}`, () => db.get(
        'INSERT INTO mailboxes (user_id, name, special_use, uidvalidity, subscribed) VALUES (?, ?, ?, ?, ?) RETURNING *',
        [userId, name, opts.specialUse ?? null, num(c!.value), subscribed ? 1 : 0]));
      if (subscribed && !before) await db.run('INSERT INTO subscriptions (user_id, name) VALUES (?, ?) ON CONFLICT DO NOTHING', [userId, name]);
      return toMailbox(r!);
    },
    async get(id) {
      const r = await db.get('SELECT * FROM mailboxes WHERE id = ?', [id]);
      return r && toMailbox(r);
    },
    async byName(userId, name) {
      const r = await db.get('SELECT * FROM mailboxes WHERE user_id = ? AND name = ?', [userId, name]);
      return r && toMailbox(r);
    },
    async list(userId) {
      return (await db.all('SELECT * FROM mailboxes WHERE user_id = ? ORDER BY name', [userId])).map(toMailbox);
    },
    async rename(id, name) {
      const old = await db.get<Row>('SELECT user_id, name, subscribed FROM mailboxes WHERE id = ?', [id]);
      const r = await insertUnique(`mailbox ${name}`, () =>
        db.get('UPDATE mailboxes SET name = ? WHERE id = ? RETURNING *', [name, id]));
      // The subscription goes with the mailbox it names.
      if (old && bool(old.subscribed)) {
        await db.run('DELETE FROM subscriptions WHERE user_id = ? AND name = ?', [old.user_id, old.name]);
        await db.run('INSERT INTO subscriptions (user_id, name) VALUES (?, ?) ON CONFLICT DO NOTHING', [old.user_id, name]);
      }
      return r && toMailbox(r);
    },
    async subscriptions(userId) {
      return (await db.all<Row>('SELECT name FROM subscriptions WHERE user_id = ? ORDER BY name', [userId])).map((r) => str(r.name));
    },
    async setSubscription(userId, name, subscribed) {
      if (subscribed) await db.run('INSERT INTO subscriptions (user_id, name) VALUES (?, ?) ON CONFLICT DO NOTHING', [userId, name]);
      else await db.run('DELETE FROM subscriptions WHERE user_id = ? AND name = ?', [userId, name]);
      await db.run('UPDATE mailboxes SET subscribed = ? WHERE user_id = ? AND name = ?', [subscribed ? 1 : 0, userId, name]);
    },
    async claimRecent(id, upTo) {
      // Compare-and-set: of two sessions (or nodes) reading the same first_recent_uid, one wins.
      for (;;) {
        const r = await db.get<Row>('SELECT first_recent_uid FROM mailboxes WHERE id = ?', [id]);
        if (!r) return undefined;
        const from = num(r.first_recent_uid);
        if (from >= upTo) return undefined;
        if ((await db.run('UPDATE mailboxes SET first_recent_uid = ? WHERE id = ? AND first_recent_uid = ?', [upTo, id, from])) > 0) return from;
      }
    },
    async delete(id) {
      await releaseBlobs(db, 'SELECT blob_id FROM messages WHERE mailbox_id = ?', [id], now());
      return (await db.run('DELETE FROM mailboxes WHERE id = ?', [id])) > 0;
    },
  };
}
