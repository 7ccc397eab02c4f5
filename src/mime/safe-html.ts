/**
 * A sender's HTML mail made safe to show (issue #12): DOMPurify over jsdom, here on the server,
 * then the document the webmail's <iframe sandbox> loads. What goes: scripts, event handlers,
 * javascript:/vbscript: and non-image data: URLs, forms and their controls, meta (refresh), base,
 * link, iframes, objects, embeds, media elements, srcset/ping/action attributes, SVG scripts and
 * foreign objects, CSS that fetches (safe-css.ts). Remote (http/https) images are dropped and
 * counted unless the caller allows them; `cid:` images point at the message's inline part; links
 * keep http(s)/mailto/tel targets and open in a new tab with rel="noopener noreferrer".
 *
 * Why on the server (not in the page before a srcdoc write): a srcdoc frame inherits the app's CSP,
 * so showing remote images would mean loosening the whole app's img-src; served from its own URL
 * the sanitised document gets a CSP of its own (img-src opened only when the user allows images),
 * and the count of blocked images comes with it. Why jsdom: DOMPurify's authors support jsdom and
 * warn that other Node DOMs (happy-dom, linkedom) let XSS through. jsdom 29 is the newest that runs
 * on Node 20; it costs ~0.6 s to load (done on first use, in a worker: safe-html-worker.ts) and
 * ~1 ms per 1 KB of markup, which is why callers run this off the event loop. Not the only line of
 * defence: the frame's sandbox (no allow-scripts) and the route's CSP hold even if this misses.
 */
import type { DOMPurify as Purifier } from 'dompurify';
import { cleanCss, imageUrl, type CssContext } from './safe-css.ts';

export interface SafeHtmlOptions {
  /** Show http(s) images (the user allowed them for this message or its sender). */
  allowRemoteImages: boolean;
  /** Content-ID (without <>) → URL of that inline part; a cid: not listed is dropped. */
  cids: Record<string, string>;
  /** Extra <meta name content> for the head: what the reading pane reads from the frame (its own origin). */
  meta?: Record<string, string>;
}

export interface SafeHtml {
  /** A whole document (doctype, head with our base styles, the sender's styles, body). */
  html: string;
  /** Remote image references found: removed unless allowRemoteImages. */
  remoteImages: number;
}

/** Elements removed with their attributes (their text stays, as DOMPurify's KEEP_CONTENT does). */
const FORBID_TAGS = ['form', 'input', 'button', 'select', 'option', 'optgroup', 'textarea', 'datalist', 'output', 'keygen',
  'video', 'audio', 'source', 'track', 'picture', 'portal', 'dialog', 'template', 'slot', 'noscript', 'foreignobject'];
const FORBID_ATTR = ['srcset', 'ping', 'action', 'formaction', 'poster', 'lowsrc', 'dynsrc', 'longdesc', 'srcdoc', 'http-equiv', 'target'];
/** Attributes that name an image to fetch, on whatever element DOMPurify lets them stay. */
const IMAGE_ATTRS = new Set(['src', 'background']);
const LINK_SCHEMES = /^(?:https?:|mailto:|tel:|#)/i;

/** Head of every sanitised document: readable defaults the sender's own styles may override. */
const BASE_STYLE = [
  'html{color-scheme:light}',
  'body{margin:0;padding:12px 16px;font:14px/1.6 system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;overflow-wrap:anywhere}',
  'img{max-width:100%}',
  'img[data-yj-blocked]{display:inline-block;min-width:16px;min-height:16px;outline:1px dashed #bbb;outline-offset:-1px}',
  'pre{white-space:pre-wrap}',
].join('');

interface Run extends CssContext {
  blockedNodes: WeakSet<object>;
}

let purifier: Promise<Purifier> | undefined;
/** The state of the one sanitize() under way: DOMPurify is synchronous, so one slot is enough. */
let run: Run | undefined;

async function loadPurifier(): Promise<Purifier> {
  const [{ JSDOM }, { default: createDOMPurify }] = await Promise.all([import('jsdom'), import('dompurify')]);
  const purify = createDOMPurify(new JSDOM('').window as unknown as Parameters<typeof createDOMPurify>[0]);
  purify.addHook('uponSanitizeElement', (node, data) => {
    if (data.tagName === 'style' && run) node.textContent = cleanCss(node.textContent ?? '', run);
  });
  purify.addHook('uponSanitizeAttribute', (node, data) => {
    if (!run) return;
    const name = data.attrName;
    const tag = node.nodeName.toLowerCase();
    if (name === 'style') {
      data.attrValue = cleanCss(data.attrValue, run);
    } else if (IMAGE_ATTRS.has(name) || ((name === 'href' || name === 'xlink:href') && (tag === 'image' || tag === 'feimage'))) {
      const before = run.remote;
      const url = imageUrl(data.attrValue, run);
      if (run.remote > before && !run.allowRemote && tag === 'img') run.blockedNodes.add(node);
      if (url === undefined) data.keepAttr = false;
      else data.attrValue = url;
    } else if (name === 'href' || name === 'xlink:href') {
      const v = data.attrValue.trim();
      // Links may leave; any other href (SVG <use>, gradients) may only point inside the document.
      const ok = tag === 'a' || tag === 'area' ? LINK_SCHEMES.test(v) : v.startsWith('#');
      if (!ok) data.keepAttr = false;
    }
  });
  purify.addHook('afterSanitizeAttributes', (node) => {
    if (!run) return;
    if (run.blockedNodes.has(node)) node.setAttribute('data-yj-blocked', '');
    const tag = node.nodeName.toLowerCase();
    if ((tag === 'a' || tag === 'area') && (node.hasAttribute('href') || node.hasAttribute('xlink:href'))) {
      const href = node.getAttribute('href') ?? node.getAttribute('xlink:href') ?? '';
      if (!href.trim().startsWith('#')) {
        node.setAttribute('target', '_blank');
        node.setAttribute('rel', 'noopener noreferrer');
      }
    }
  });
  return purify;
}

/** Loads jsdom and DOMPurify now rather than at the first message (a worker calls it on start). */
export function preloadSanitiser(): Promise<unknown> {
  return (purifier ??= loadPurifier());
}

export async function sanitiseMailHtml(html: string, opts: SafeHtmlOptions): Promise<SafeHtml> {
  const purify = await (purifier ??= loadPurifier());
  const cids = new Map(Object.entries(opts.cids).map(([k, v]) => [k.toLowerCase(), v]));
  run = { allowRemote: opts.allowRemoteImages, cidUrl: (cid) => cids.get(cid.toLowerCase()), remote: 0, blockedNodes: new WeakSet() };
  try {
    const root = purify.sanitize(html, {
      WHOLE_DOCUMENT: true, RETURN_DOM: true, FORBID_TAGS, FORBID_ATTR, ALLOW_DATA_ATTR: false,
      ADD_URI_SAFE_ATTR: [], ALLOW_UNKNOWN_PROTOCOLS: false,
    });
    const doc = root.ownerDocument;
    const head = root.querySelector('head') ?? root.insertBefore(doc.createElement('head'), root.firstChild);
    const meta = (attrs: Record<string, string>) => {
      const m = doc.createElement('meta');
      for (const [k, v] of Object.entries(attrs)) m.setAttribute(k, v);
      return m;
    };
    const base = doc.createElement('style');
    base.textContent = BASE_STYLE;
    head.prepend(meta({ charset: 'utf-8' }), meta({ name: 'referrer', content: 'no-referrer' }),
      meta({ name: 'youju-remote-images', content: String(run.remote) }),
      ...Object.entries(opts.meta ?? {}).map(([name, content]) => meta({ name, content })), base);
    return { html: `<!doctype html>${root.outerHTML}`, remoteImages: run.remote };
  } finally {
    run = undefined;
  }
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The document shown instead when the HTML could not be sanitised in time or is too big: the text
 * part, escaped, in a <pre>, with `youju-html-fallback` in its head for the reading pane to say so.
 */
export function textDocument(text: string, meta: Record<string, string> = {}): SafeHtml {
  const metas = Object.entries({ ...meta, 'youju-html-fallback': '1' })
    .map(([name, content]) => `<meta name="${escapeHtml(name)}" content="${escapeHtml(content)}">`).join('');
  return {
    html: `<!doctype html><html><head><meta charset="utf-8">${metas}<style>${BASE_STYLE}</style></head>`
      + `<body><pre>${escapeHtml(text)}</pre></body></html>`,
    remoteImages: 0,
  };
}
