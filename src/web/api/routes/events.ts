/**
 * Server push for the webmail (issue #12): GET /api/events is a Server-Sent Events stream of the
 * logged-in user's mailbox changes, fed by the mailbox bus (which crosses cluster nodes), so new
 * mail shows without a reload. Events name the folder and its new uidnext, never contents; changes
 * to one folder within PUSH_COALESCE_MS go out as one event. Every HEARTBEAT_MS a comment line keeps
 * proxies from closing the stream and the session is checked without counting as activity: a
 * session that ended (logout, idle expiry) ends its stream with a `session-ended` event. At most
 * MAX_STREAMS_PER_USER streams per user on a node; the oldest is closed for a new one.
 */
import { PassThrough } from 'node:stream';
import type { UserId } from '../../../core/ids.ts';
import { defineRoute, type AnyRoute } from '../route.ts';
import type { WebDeps } from '../deps.ts';

const PUSH_COALESCE_MS = 200;
const HEARTBEAT_MS = 25_000;
const MAX_STREAMS_PER_USER = 8;

/** `onShutdown` gets the function that ends every open stream (the app calls it before closing). */
export function eventRoutes(deps: WebDeps, onShutdown: (closeAll: () => void) => void = () => undefined): AnyRoute[] {
  const bus = deps.bus;
  if (!bus) return [];
  const open = new Map<UserId, Set<(shutdown?: boolean) => void>>();
  onShutdown(() => { for (const set of [...open.values()]) for (const close of [...set]) close(true); });
  return [
    defineRoute({
      method: 'GET', url: '/api/events', tag: 'mail', auth: true, errors: [],
      summary: "Server-Sent Events: `mailbox` {folderId, uidnext} when one of the user's folders changed, `folders` when the folder list did",
      response: 'raw', produces: 'text/event-stream',
      handler: async ({ who, req, reply }) => {
        const me = who();
        const userId = me.user.id;
        const stream = new PassThrough();
        const pending = new Map<number, number>();
        let flushTimer: NodeJS.Timeout | undefined;
        const write = (event: string, data: unknown) => { stream.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`); };
        const flush = () => {
          flushTimer = undefined;
          for (const [folderId, uidnext] of pending) write('mailbox', { folderId, uidnext });
          pending.clear();
        };
        const stopChanges = bus.on('mailbox.changed', (e) => {
          if (e.userId !== userId) return;
          pending.set(e.mailboxId, e.uidnext);
          flushTimer ??= setTimeout(flush, PUSH_COALESCE_MS);
        });
        const stopList = bus.on('mailboxes.changed', (e) => { if (e.userId === userId) write('folders', {}); });
        // Events may have been missed while the cluster relay was down: the page reloads its lists.
        const stopResync = bus.on('cluster.resync', () => write('folders', {}));
        const heartbeat = setInterval(() => {
          stream.write(': ping\n\n');
          void deps.sessions.alive(me.token).then((alive) => { if (!alive) { write('session-ended', {}); close(); } }, () => undefined);
        }, HEARTBEAT_MS);
        const mine = open.get(userId) ?? new Set<(shutdown?: boolean) => void>();
        open.set(userId, mine);
        let closed = false;
        /** Ends the stream; at shutdown its socket goes too, or the server's close would wait for it. */
        function close(shutdown = false): void {
          if (shutdown) reply.raw.destroy();
          if (closed) return;
          closed = true;
          stopChanges(); stopList(); stopResync();
          clearInterval(heartbeat);
          if (flushTimer) clearTimeout(flushTimer);
          mine.delete(close);
          if (mine.size === 0) open.delete(userId);
          stream.end();
        }
        if (mine.size >= MAX_STREAMS_PER_USER) [...mine][0]!();
        mine.add(close);
        reply.raw.on('close', () => close());
        stream.write('retry: 5000\n\n');
        return reply.type('text/event-stream; charset=utf-8').header('cache-control', 'no-store').header('x-accel-buffering', 'no')
          // Not kept alive once ended: a stream ended at shutdown would otherwise hold its socket idle
          // until the keep-alive timeout, and the server's close waits for every socket.
          .header('connection', 'close').send(stream);
      },
    }),
  ];
}
