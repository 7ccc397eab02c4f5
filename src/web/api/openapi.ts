/**
 * The OpenAPI 3.1 document of the JSON API, made from the route declarations (route.ts) and
 * their zod schemas (zod's JSON Schema output is the 2020-12 dialect OpenAPI 3.1 uses), served
 * at /api/openapi.json. Every route lists the catalogue errors it may answer with.
 */
import { z } from 'zod';
import { ERRORS, type ErrorCode } from '../../core/errors.ts';
import type { AnyRoute } from './route.ts';
import { ErrorBody } from './errors.ts';
import { CSRF_HEADER, SESSION_COOKIE } from './session-cookies.ts';

type Json = Record<string, unknown>;

const jsonSchema = (s: z.ZodType, io: 'input' | 'output'): Json => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Json;
  return rest;
};

function parameters(s: z.ZodType | undefined, where: 'path' | 'query'): Json[] {
  if (!s) return [];
  const schema = jsonSchema(s, 'input') as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(schema.properties ?? {}).map(([name, p]) => ({
    name, in: where, required: where === 'path' || (schema.required ?? []).includes(name), schema: p,
    ...(typeof p.description === 'string' ? { description: p.description } : {}),
  }));
}

/** Errors any route can give: bad input, and the server failing. */
const COMMON: ErrorCode[] = ['INVALID_INPUT', 'INTERNAL'];

export function openApiDocument(routes: readonly AnyRoute[], info: { version: string }): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const r of routes) {
    const path = r.url.replace(/:([A-Za-z]+)/g, '{$1}');
    const codes = [...new Set([...COMMON, ...(r.auth ? ['AUTH_REQUIRED' as const] : []), ...(r.method !== 'GET' ? ['CSRF_REJECTED' as const] : []), ...(r.module ? ['FORBIDDEN' as const] : []), ...r.errors])];
    const responses: Record<string, Json> = {
      200: r.response === 'raw'
        ? { description: 'OK', content: { [r.produces ?? 'application/octet-stream']: {} } }
        : { description: 'OK', content: { 'application/json': { schema: jsonSchema(r.response, 'output') } } },
    };
    for (const code of codes) {
      const status = String(ERRORS[code].http);
      const existing = responses[status];
      const description = existing ? `${existing.description as string}, ${code}` : code;
      responses[status] = { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    }
    paths[path] ??= {};
    paths[path][r.method.toLowerCase()] = {
      summary: r.summary,
      tags: [r.tag],
      parameters: [
        ...parameters(r.params, 'path'), ...parameters(r.query, 'query'),
        ...(r.method !== 'GET' ? [{ name: CSRF_HEADER, in: 'header', required: true, schema: { type: 'string' } }] : []),
      ],
      ...(r.rawBody ? { requestBody: { required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } } } : {}),
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(r.body, 'input') } } } } : {}),
      responses,
      ...(r.auth ? { security: [{ session: [] }] } : {}),
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Youju web API', version: info.version, description: 'The JSON API behind the webmail. Errors come from one catalogue: { error: { code, message, field? } }.' },
    paths,
    components: {
      schemas: { Error: jsonSchema(ErrorBody, 'output') },
      securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE } },
    },
  };
}
