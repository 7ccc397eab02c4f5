/**
 * The CSS of a sender's HTML mail (a <style> element's text or a style="" attribute) made safe to
 * show: every url() is an image reference that is kept (data: images), mapped (cid: → the inline
 * part's URL), kept only when remote images are allowed (http/https), or replaced by `none`;
 * @import, @font-face and the old script hooks (IE's behavior, Mozilla's -moz-binding) go; functions
 * that fetch without url() (image-set, cross-fade, image(), element(), src()), IE's expression()
 * and javascript: text are made invalid so the browser drops the declaration.
 *
 * Not a CSS parser: a parser of our own (or jsdom's, which drops properties it does not know and
 * disagrees with Chromium on broken rules) would change how the mail looks and still differ from the
 * browser. Instead the text is made plain first (comments out, escapes like `u\72 l(` decoded) and
 * every pattern that could fetch is rewritten wherever it stands. The html route's CSP is what
 * guarantees nothing remote loads; this keeps the count of blocked images honest and the mail
 * readable. `<` is escaped last so that no text can close a <style> element.
 */

export interface CssContext {
  /** http(s) images stay; otherwise each is dropped (replaced by `none` in CSS). */
  allowRemote: boolean;
  /** The URL for a `cid:` reference (an inline part), or undefined when the message has none such. */
  cidUrl(cid: string): string | undefined;
  /** Remote image references seen so far, kept or not (the reading pane's "N remote images"). */
  remote: number;
}

/** An image URL as found in src, background or url(): what to put in its place, or undefined to drop it. */
export function imageUrl(raw: string, ctx: CssContext): string | undefined {
  // The browser's URL parser drops tabs and newlines anywhere and C0 controls and spaces at the ends.
  const url = raw.replace(/[\t\n\r]/g, '').replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '');
  const lower = url.toLowerCase();
  if (/^data:image\/(?:png|jpeg|jpg|gif|webp|bmp|avif)[;,]/.test(lower)) return url;
  if (lower.startsWith('cid:')) return ctx.cidUrl(decodeCid(url.slice(4)));
  if (/^(?:https?:)?\/\/[^/]/.test(lower)) {
    ctx.remote += 1;
    return ctx.allowRemote ? url : undefined;
  }
  return undefined; // relative (would reach our own origin), javascript:, other data:, file:, …
}

const decodeCid = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** CSS escapes decoded (CSS Syntax §4.3.7): `\75 rl(` is `url(`; a lone backslash at the end goes. */
function decodeEscapes(css: string): string {
  return css.replace(/\\(?:([0-9a-fA-F]{1,6})(?:\r\n|[ \t\r\n\f])?|(\r\n|[\r\n\f])|([\s\S])|$)/g, (_m, hex: string | undefined, _nl, ch: string | undefined) => {
    if (hex !== undefined) {
      const cp = parseInt(hex, 16);
      return cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? '\ufffd' : String.fromCodePoint(cp);
    }
    return ch ?? '';
  });
}

const FETCHING_FUNCTIONS = /[a-z-]*(?:image-set|cross-fade|image|element|paint|src|expression)\s*\(/gi;
const URL_FUNCTION = /url\s*\(\s*(?:"([^"]*)"?|'([^']*)'?|([^)]*?))\s*(?:\)|$)/gi;

export function cleanCss(css: string, ctx: CssContext): string {
  let s = css.includes('\\') ? decodeEscapes(css) : css;
  s = s.replace(/\u0000/g, '\ufffd').replace(/\/\*[\s\S]*?(?:\*\/|$)/g, ' ');
  // Rules and declarations that only fetch (style sheets, fonts, IE/Mozilla script hooks) go whole,
  // before url() is looked at, so that only image references are counted.
  s = s.replace(/@import\b[^;]*(?:;|$)/gi, '').replace(/@font-face\s*\{[^}]*(?:\}|$)/gi, '');
  s = s.replace(/(?:behavior|-moz-binding)\s*:[^;}]*/gi, '');
  s = s.replace(URL_FUNCTION, (_m, dq: string | undefined, sq: string | undefined, bare: string | undefined) => {
    const url = imageUrl(dq ?? sq ?? bare ?? '', ctx);
    return url === undefined ? 'none' : `url("${url.replace(/["\\\n\r\f]/g, (c) => `\\${c.charCodeAt(0).toString(16)} `)}")`;
  });
  s = s.replace(FETCHING_FUNCTIONS, 'invalid(');
  s = s.replace(/(?:java|vb)script\s*:/gi, 'invalid:');
  return s.replace(/</g, '\\3c ');
}
