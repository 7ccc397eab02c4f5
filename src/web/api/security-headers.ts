/**
 * Security headers on every answer: a strict Content-Security-Policy (scripts only from this
 * origin, nothing framed by others, no plugins, no <base>), X-Frame-Options, nosniff, no referrer,
 * same-origin opener and resources, HSTS on TLS, and no caching of API answers. A route that
 * needs its own policy (a mail's HTML under a sandbox) sets Content-Security-Policy itself and
 * keeps it. Styles allow 'unsafe-inline' because Ant Design writes its styles at run time.
 */
import type { FastifyInstance } from 'fastify';

export const APP_CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:", "font-src 'self' data:",
  "connect-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'", "frame-src 'self'",
].join('; ');

/**
 * For a sender's HTML shown in the webmail's iframe: a sandbox (no scripts, no forms, no popups, an
 * opaque origin that cannot reach the API or the cookies) and nothing fetched from anywhere.
 */
export const SANDBOX_CSP = [
  'sandbox', "default-src 'none'", "style-src 'unsafe-inline'", 'img-src data:', 'font-src data:', "base-uri 'none'", "form-action 'none'",
  "frame-ancestors 'self'",
].join('; ');

/**
 * For a message's sanitised HTML (mailbox/mail-html.ts) in the webmail's iframe. The sandbox keeps
 * allow-same-origin so that the reading pane can measure the document (the frame takes its height)
 * and read its <meta> (how many remote images were blocked), and so that `cid:` images load from
 * the attachment route with the session cookie (a SameSite=Strict cookie is not sent from an opaque
 * origin, and the answer is CORP same-origin). That is safe only because nothing can run there: no
 * allow-scripts (neither here nor in the iframe's sandbox attribute), script-src falls back to
 * default-src 'none', and DOMPurify took the scripts out first. allow-popups and
 * allow-popups-to-escape-sandbox let a link open in a new tab (rel="noopener noreferrer"), as a
 * working page rather than a sandboxed one; no allow-top-navigation, no allow-forms. img-src: the
 * attachment route ('self') and data: images, plus http: and https: only when the user allowed
 * remote images for this message or its sender. Fonts, styles sheets, frames, media: nothing remote.
 */
export function mailHtmlCsp(remoteImages: boolean): string {
  return [
    'sandbox allow-same-origin allow-popups allow-popups-to-escape-sandbox', "default-src 'none'", "style-src 'unsafe-inline'",
    `img-src 'self' data:${remoteImages ? ' http: https:' : ''}`, 'font-src data:', "base-uri 'none'", "form-action 'none'",
    "frame-ancestors 'self'",
  ].join('; ');
}

export function addSecurityHeaders(app: FastifyInstance, opts: { secure: boolean }): void {
  app.addHook('onSend', async (req, reply, payload) => {
    if (!reply.hasHeader('content-security-policy')) {
      reply.header('content-security-policy', APP_CSP);
      reply.header('x-frame-options', 'DENY');
    } else if (!reply.hasHeader('x-frame-options')) {
      reply.header('x-frame-options', 'SAMEORIGIN');
    }
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cross-origin-opener-policy', 'same-origin');
    reply.header('cross-origin-resource-policy', 'same-origin');
    reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=(), payment=()');
    if (opts.secure) reply.header('strict-transport-security', 'max-age=31536000');
    if (req.url.startsWith('/api/') && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });
}
