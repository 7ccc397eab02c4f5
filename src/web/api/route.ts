/**
 * How a route is declared: method, URL, zod schemas for params, query, body and the answer, the
 * catalogue errors it may give, and whether it needs a logged-in user. `registerRoutes` turns the
 * declarations into fastify routes that (in this order) resolve the session (AUTH_REQUIRED, 401),
 * check the CSRF token on every state change (CSRF_REJECTED, 403), validate the input
 * (INVALID_INPUT, 400, naming the field; the handler never runs on bad input, so nothing is half
 * written), run the handler, and pass the answer through its schema (a public view: unknown keys
 * are dropped). The same declarations make the OpenAPI document (openapi.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { MailError, type ErrorCode } from '../../core/errors.ts';
import type { WebAuth, WebUser } from './session-cookies.ts';
import type { AdminAuth, WebAdmin } from './admin-cookies.ts';
import { sendError } from './errors.ts';
import type { ModuleSwitchService, WebmailModule } from '../../directory/modules.ts';

type Schema = z.ZodType;
type In<S> = S extends Schema ? z.output<S> : undefined;
type Out<R> = R extends Schema ? z.input<R> : FastifyReply;

export interface RouteContext<P, Q, B> {
  params: In<P>;
  query: In<Q>;
  body: In<B>;
  req: FastifyRequest;
  reply: FastifyReply;
  /** The logged-in user (routes with auth: true always have one). */
  who(): WebUser;
  /** The logged-in console admin (routes with auth: 'admin' always have one). */
  admin(): WebAdmin;
}

export interface RouteSpec<P = undefined, Q = undefined, B = undefined, R extends Schema | 'raw' = Schema> {
  /** PUT and DELETE are state changes like POST: registerRoutes checks their CSRF token too. */
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  summary: string;
  tag: string;
  /** true: a webmail user's session; 'admin': a console admin's session (the two never stand in for each other). */
  auth: boolean | 'admin';
  params?: P;
  query?: Q;
  body?: B;
  /** The JSON answer's schema (200), or 'raw' for answers the handler sends itself (`produces` says the type). */
  response: R;
  produces?: string;
  /** A larger body than the app's default for this route alone, in bytes (an import, compose's HTML, an upload). */
  bodyLimit?: number;
  /** The body is bytes (application/octet-stream), handed to the handler as `req.body` unparsed. */
  rawBody?: boolean;
  /** Catalogue codes this route answers with besides the ones every route can give. */
  errors: ErrorCode[];
  /** The webmail module (前台模块设置) the route belongs to: FORBIDDEN when the user's domain switched it off. */
  module?: WebmailModule;
  handler(ctx: RouteContext<P, Q, B>): Promise<Out<R>>;
}

/** A declared route with its types erased, for the route table. */
export type AnyRoute = RouteSpec<Schema | undefined, Schema | undefined, Schema | undefined, Schema | 'raw'>;

export const defineRoute = <P extends Schema | undefined = undefined, Q extends Schema | undefined = undefined,
  B extends Schema | undefined = undefined, R extends Schema | 'raw' = Schema>(spec: RouteSpec<P, Q, B, R>): AnyRoute => spec as unknown as AnyRoute;

/** Parses one part of the request; INVALID_INPUT names the first bad field. */
function parse(schema: Schema | undefined, value: unknown, part: string): unknown {
  if (!schema) return undefined;
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const unknownKey = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
  const field = unknownKey ?? (issue.path.length > 0 ? issue.path.join('.') : part);
  throw new MailError('INVALID_INPUT', `${field}: ${issue.message}`, { details: { field } });
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function registerRoutes(app: FastifyInstance, routes: readonly AnyRoute[], auth: WebAuth, adminAuth?: AdminAuth, modules?: ModuleSwitchService): void {
  for (const spec of routes) {
    app.route({
      method: spec.method,
      url: spec.url,
      ...(spec.bodyLimit ? { bodyLimit: spec.bodyLimit } : {}),
      handler: async (req, reply) => {
        try {
          const admin = spec.auth === 'admin' ? await requireAdmin(adminAuth, req) : undefined;
          const user = spec.auth === true ? await auth.require(req) : undefined;
          if (spec.module && user && modules) await modules.require(user.user.domainId, spec.module);
          if (STATE_CHANGING.has(spec.method)) {
            if (admin) adminAuth!.checkCsrf(req, admin);
            else auth.checkCsrf(req, user);
          }
          const ctx: RouteContext<unknown, unknown, unknown> = {
            params: parse(spec.params, req.params, 'params') as never,
            query: parse(spec.query, req.query, 'query') as never,
            body: (spec.rawBody ? undefined : parse(spec.body, req.body, 'body')) as never,
            req, reply,
            who: () => {
              if (!user) throw new MailError('AUTH_REQUIRED', 'this route needs a logged-in user');
              return user;
            },
            admin: () => {
              if (!admin) throw new MailError('AUTH_REQUIRED', 'this route needs a logged-in admin');
              return admin;
            },
          };
          const out = await (spec.handler as (c: typeof ctx) => Promise<unknown>)(ctx);
          if (spec.response === 'raw') return reply;
          return reply.type('application/json; charset=utf-8').send(spec.response.parse(out));
        } catch (err) {
          if (!(err instanceof MailError)) req.log.error({ err }, `${spec.method} ${spec.url} failed`);
          return sendError(reply, err);
        }
      },
    });
  }
}

function requireAdmin(adminAuth: AdminAuth | undefined, req: FastifyRequest): Promise<WebAdmin> {
  if (!adminAuth) throw new MailError('AUTH_REQUIRED', 'the admin consoles are not served here');
  return adminAuth.require(req);
}
