/**
 * The web role of `youju start` (server.ts): the WebServer over the Runtime's services, the node's
 * one failed-login throttle, the webmail session log, the server's certificate, and the built UI
 * (src/web/ui/dist) when `npm install` made it. Expired sessions are pruned hourly.
 */
import { fileURLToPath } from 'node:url';
import type { LoginThrottle } from '../../auth/login-throttle.ts';
import type { SessionLogs } from '../../core/log/session-log.ts';
import { youjuVersion } from '../../core/version.ts';
import type { Runtime } from '../../runtime.ts';
import { WebServer } from './web-server.ts';

// From the repository root, so the same path holds for src/web/api and the compiled dist/web/api.
export const WEBMAIL_DIST = fileURLToPath(new URL('../../../src/web/ui/dist', import.meta.url));


export function webServer(rt: Runtime, opts: { throttle: LoginThrottle; sessionLogs: SessionLogs; tls: { key: Buffer; cert: Buffer } }): WebServer {
  return new WebServer({
    users: rt.users, userMail: rt.userMail, submission: rt.submission, registration: rt.registration, bus: rt.bus, mailHtml: rt.mailHtml, sessions: rt.webSessions,
    throttle: opts.throttle, logger: rt.logger, uiDir: WEBMAIL_DIST, version: youjuVersion(), contacts: rt.contacts, options: rt.options, modules: rt.modules, sso: rt.sso,
    consoles: { admins: rt.admins, sessions: rt.adminSessions, users: rt.userAdmin, console: rt.console, imports: rt.imports },
    mail: { hostname: rt.config.hostname, ports: rt.config.ports, resolveDomain: (name) => rt.domains.resolveDomain(name) },
    log: (ip, line) => {
      const log = opts.sessionLogs.open('webmail', { ip });
      log.note(line);
      void log.close();
    },
  }, opts.tls, { prune: async () => (await rt.webSessions.prune()) + (await rt.adminSessions.prune()) });
}
