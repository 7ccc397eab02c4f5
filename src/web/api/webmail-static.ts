/**
 * The webmail's address, /webmail/ (manual part 2 §1.1): the single-page app built from
 * src/web/ui into its dist folder, served as files; unknown paths under /webmail/ get index.html
 * (the app routes in the browser); the build's .br/.gz copies go to browsers that accept them.
 * Without a build, a short page says so and points to the API.
 */
import { existsSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';

const NOT_BUILT = `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>Youju webmail</title>
<p>The webmail's browser app (src/web/ui) is not built on this server yet; the API is at <a href="/api/openapi.json">/api/</a>.</p>
<p>网页邮箱的浏览器端（src/web/ui）尚未构建；接口见 <a href="/api/openapi.json">/api/</a>。</p></html>`;

export async function serveWebmail(app: FastifyInstance, uiDir: string | undefined): Promise<void> {
  app.get('/webmail', async (_req, reply) => reply.redirect('/webmail/', 301));
  if (!uiDir || !existsSync(`${uiDir}/index.html`)) {
    app.get('/webmail/*', async (_req, reply) => reply.type('text/html; charset=utf-8').send(NOT_BUILT));
    return;
  }
  const { default: fastifyStatic } = await import('@fastify/static');
  await app.register(fastifyStatic, { root: uiDir, prefix: '/webmail/', index: ['index.html'], wildcard: false, preCompressed: true });
  app.get('/webmail/*', async (_req, reply) => reply.sendFile('index.html'));
}
