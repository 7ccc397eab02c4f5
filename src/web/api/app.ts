/**
 * The web application (fastify 5): the JSON API under /api/ (one route module per area: session,
 * folders, mail), its OpenAPI document at /api/openapi.json, the webmail at /webmail/ (the
 * manual's address; `/` redirects there), security headers on every answer, and errors from the
 * one catalogue. Routes call services (UserService, UserMail, WebSessions), never the store.
 * One app per listener: `secure` says whether it is served over TLS (Secure cookies, HSTS).
 */
import { ssoRoutes } from './routes/sso.ts';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import { MailError } from '../../core/errors.ts';
import type { WebDeps } from './deps.ts';
import { sendError } from './errors.ts';
import { openApiDocument } from './openapi.ts';
import { registerRoutes, type AnyRoute } from './route.ts';
import { composeRoutes } from './routes/compose.ts';
import { eventRoutes } from './routes/events.ts';
import { folderRoutes } from './routes/folders.ts';
import { mailRoutes } from './routes/mail.ts';
import { sessionRoutes } from './routes/session.ts';
import { registrationRoutes } from './routes/register.ts';
import { contactRoutes } from './routes/contacts.ts';
import { directoryRoutes } from './routes/directory.ts';
import { adminSessionRoutes } from './routes/admin-session.ts';
import { adminUserRoutes } from './routes/admin-users.ts';
import { adminDomainRoutes } from './routes/admin-domain.ts';
import { adminSuperRoutes } from './routes/admin-super.ts';
import { adminCustomerRoutes } from './routes/admin-customers.ts';
import { adminShareRoutes } from './routes/admin-shares.ts';
import { customerRoutes } from './routes/customers.ts';
import { adminWebmailRoutes } from './routes/admin-webmail.ts';
import { adminMonitorRoutes } from './routes/admin-monitors.ts';
import { adminOpsRoutes } from './routes/admin-ops.ts';
import { adminOrgRoutes } from './routes/admin-org.ts';
import { adminListRoutes } from './routes/admin-lists.ts';
import { optionRoutes } from './routes/options.ts';
import { searchRoutes } from './routes/search.ts';
import { AdminAuth } from './admin-cookies.ts';
import { addSecurityHeaders } from './security-headers.ts';
import { registerAutoconfig } from './autoconfig.ts';
import { WebAuth } from './session-cookies.ts';
import { serveWebmail } from './webmail-static.ts';


/** JSON bodies of the API are small: a move of 1,000 uids is ~10 KB. */
const BODY_LIMIT = 256 * 1024;

export function apiRoutes(deps: WebDeps, auth: WebAuth, adminAuth?: AdminAuth, onShutdown?: (f: () => void) => void): AnyRoute[] {
  const consoles = deps.consoles && adminAuth ? [...adminSessionRoutes(deps, deps.consoles, adminAuth), ...adminUserRoutes(deps.consoles),
    ...adminDomainRoutes(deps.consoles), ...adminOrgRoutes(deps.consoles), ...adminListRoutes(deps.consoles), ...adminSuperRoutes(deps.consoles), ...adminWebmailRoutes(deps.consoles),
    ...adminCustomerRoutes(deps.consoles), ...adminShareRoutes(deps.consoles),
    ...adminMonitorRoutes(deps.consoles), ...adminOpsRoutes(deps.consoles)] : [];
  return [...sessionRoutes(deps, auth), ...folderRoutes(deps), ...mailRoutes(deps), ...composeRoutes(deps), ...eventRoutes(deps, onShutdown), ...registrationRoutes(deps),
    ...contactRoutes(deps), ...customerRoutes(deps), ...directoryRoutes(deps), ...consoles, ...optionRoutes(deps), ...searchRoutes(deps)];
}

export type { WebDeps } from './deps.ts';

export async function buildWebApp(deps: WebDeps, opts: { secure: boolean; https?: { key: Buffer; cert: Buffer } }): Promise<FastifyInstance> {
  const app = Fastify({
    ...(opts.https ? { https: opts.https } : {}),
    // Warnings and errors only: fastify's own info lines ("Server listening at …") would repeat what `youju start` prints.
    ...(deps.logger ? { loggerInstance: deps.logger.child({ role: 'web' }, { level: 'warn' }) } : {}),
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    trustProxy: false,
    return503OnClosing: true,
    // Closing ends every socket, idle keep-alive ones included: a server that stops does not wait out keepAliveTimeout.
    forceCloseConnections: true,
  }) as unknown as FastifyInstance;
  // Before any route or awaited plugin: a route takes the error handler in force when the plugins
  // before it load (the webmail's @fastify/static is awaited), and a later one would miss those routes.
  app.setErrorHandler(async (err, req, reply) => {
    if (!(err instanceof MailError) && !((err as { statusCode?: number }).statusCode! < 500)) req.log.error({ err }, 'web request failed');
    return sendError(reply, err);
  });
  // Only JSON bodies: a cross-site form can send text/plain or form data without a preflight.
  app.removeContentTypeParser(['text/plain']);
  // Attachment uploads send their bytes as they are; a cross-site page cannot send this type without a preflight.
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  await app.register(cookie);
  addSecurityHeaders(app, { secure: opts.secure });

  const auth = new WebAuth(deps.sessions, deps.users, opts.secure);
  const adminAuth = deps.consoles ? new AdminAuth(deps.consoles.sessions, deps.consoles.admins, opts.secure) : undefined;
  const shutdown: Array<() => void> = [];
  const routes = apiRoutes(deps, auth, adminAuth, (f) => shutdown.push(f));
  // Push streams never end by themselves: end them, or closing would wait for every browser.
  app.addHook('preClose', async () => { for (const f of shutdown) f(); });
  registerRoutes(app, routes, auth, adminAuth, deps.modules);
  // Single sign-on's form posts, in a scope of their own (the only place form bodies are read).
  await app.register(ssoRoutes(deps, auth));
  const doc = openApiDocument(routes, { version: deps.version });
  app.get('/api/openapi.json', async (_req, reply) => reply.type('application/json; charset=utf-8').send(doc));

  app.get('/', async (_req, reply) => reply.redirect('/webmail/', 302));
  if (deps.mail) registerAutoconfig(app, deps.mail);
  await serveWebmail(app, deps.uiDir);

  app.setNotFoundHandler(async (req, reply) => {
    if (req.url.startsWith('/api/')) return sendError(reply, new MailError('NOT_FOUND', `no route ${req.method} ${req.url}`));
    return reply.code(404).type('text/plain; charset=utf-8').send('Not found');
  });
  return app;
}
