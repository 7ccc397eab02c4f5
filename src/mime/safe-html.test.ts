// The mail HTML sanitiser against a hostile corpus (OWASP's XSS filter evasion list, the
// DOMPurify test cases' families, mail-specific tricks). Each case says what must not survive in
// the output; the output is then parsed again (as the browser will) and walked: no element
// outside the allowed set, no on* attribute, no URL attribute with a scheme other than the
// allowed ones. The browser test (test/e2e/web/xss.e2e.test.ts) shows the same in chromium.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { JSDOM } from 'jsdom';
import { sanitiseMailHtml, textDocument, type SafeHtmlOptions } from './safe-html.ts';
import { cleanCss } from './safe-css.ts';

const T = 'http://tracker.test';
const blocked: SafeHtmlOptions = { allowRemoteImages: false, cids: { 'logo@x': '/api/folders/1/messages/2/attachments/0' } };
const X = 'parent.__xss=1';

/** [name, hostile HTML, strings that must not appear in the output (lower-cased)]. */
const CORPUS: Array<[string, string, string[]]> = [
  ['script', `<script>${X}</script>`, ['<script', X]],
  ['script src', `<script src="${T}/x.js"></script>`, ['<script', T]],
  ['split script', `<scr<script>ipt>${X}</scr</script>ipt>`, ['<script']],
  ['noscript mXSS', `<noscript><p title="</noscript><img src=x onerror=${X}>">`, ['onerror']],
  ['img onerror', `<img src=x onerror="${X}">`, ['onerror']],
  ['body onload', `<body onload="${X}">`, ['onload']],
  ['svg onload', `<svg onload="${X}">`, ['onload']],
  ['details ontoggle', `<details open ontoggle="${X}">`, ['ontoggle']],
  ['autofocus onfocus', `<input autofocus onfocus="${X}">`, ['onfocus', '<input']],
  ['javascript href', `<a href="javascript:${X}">x</a>`, ['javascript']],
  ['javascript with tab and entities', `<a href="jav&#x09;ascript&colon;${X}">x</a>`, ['ascript', X]],
  ['javascript upper case, spaces', `<a href="  JaVaScRiPt:${X}">x</a>`, ['script:']],
  ['vbscript', '<a href="vbscript:msgbox(1)">x</a>', ['vbscript']],
  ['data: html link', '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', ['data:']],
  ['data: svg image', '<img src="data:image/svg+xml;base64,PHN2Zz4=">', ['data:']],
  ['iframe', `<iframe src="${T}/f"></iframe>`, ['<iframe', T]],
  ['iframe srcdoc', `<iframe srcdoc="<script>${X}</script>"></iframe>`, ['<iframe', 'srcdoc']],
  ['object, embed, applet', `<object data="${T}/o"></object><embed src="${T}/e"><applet code="x"></applet>`, ['<object', '<embed', '<applet', T]],
  ['frameset', `<frameset><frame src="${T}/f"></frameset>`, ['<frame', T]],
  ['meta refresh', `<meta http-equiv="refresh" content="0;url=${T}/r">`, ['<meta http-equiv', 'refresh', T]],
  ['base', `<base href="${T}/"><img src="a.png"><a href="b">b</a>`, ['<base', T, 'a.png', 'href="b"']],
  ['link stylesheet', `<link rel="stylesheet" href="${T}/l.css">`, ['<link', T]],
  ['form', `<form action="${T}/f" method="post"><input name="p"><button formaction="${T}/g">go</button><textarea>t</textarea><select><option>o</option></select></form>`,
    ['<form', '<input', '<button', '<textarea', '<select', 'action', T]],
  ['svg script', `<svg><script>${X}</script></svg>`, ['<script', X]],
  ['svg use remote', `<svg><use href="${T}/u.svg#a"/></svg>`, [T]],
  ['svg image', `<svg><image href="${T}/i.png"/><feImage xlink:href="${T}/f.png"/></svg>`, [T]],
  ['svg a javascript', `<svg><a xlink:href="javascript:${X}"><text>x</text></a></svg>`, ['javascript']],
  ['svg animate to javascript', `<svg><a><animate attributeName="href" to="javascript:${X}"/><set attributeName="href" to="javascript:${X}"/></a></svg>`, ['javascript', '<animate', '<set']],
  ['svg foreignObject', `<svg><foreignObject><iframe src="${T}"></iframe></foreignObject></svg>`, ['foreignobject', '<iframe', T]],
  ['math mglyph mXSS', `<math><mtext><table><mglyph><style><img src=x onerror=${X}>`, ['onerror']],
  ['media', `<video poster="${T}/p.png" src="${T}/v"></video><audio src="${T}/a" autoplay></audio><picture><source srcset="${T}/s"></picture>`,
    ['<video', '<audio', '<source', 'poster', T]],
  ['srcset', `<img srcset="${T}/s.png 1x">`, ['srcset', T]],
  ['background attribute', `<table background="${T}/t.png"><tr><td background="${T}/d.png">x</td></tr></table>`, [T]],
  ['css url', `<p style="background:url(${T}/a.png)">x</p><style>p{background-image:url("${T}/b.png")}</style>`, [T]],
  ['css escaped url', `<p style="background:u\\72 l(${T}/a.png)">x</p><style>p{background:\\75 \\72 \\6c (${T}/b.png)}</style>`, [T]],
  ['css comment in url', `<style>p{background:url/**/(${T}/c.png)}</style>`, [T]],
  ['css @import', `<style>@import url(${T}/i.css); @import "${T}/j.css"; @\\69mport '${T}/k.css';</style>`, ['@import', T]],
  ['css font-face', `<style>@font-face{font-family:x;src:url(${T}/f.woff)}</style>`, ['@font-face', T]],
  ['css expression', '<p style="width:expression(alert(1))">x</p>', ['expression']],
  ['css behavior, binding', `<p style="behavior:url(${T}/x.htc);-moz-binding:url(${T}/x.xml#x)">x</p>`, ['behavior', 'binding', T]],
  // The URL stays as text inside an invalid function: the browser drops the whole declaration.
  ['css image-set', `<p style="background-image:image-set('${T}/s.png' 1x);background:-webkit-image-set(url(${T}/t.png) 1x)">x</p>`, ['image-set', `${T}/t.png`]],
  ['css javascript url', `<p style="background:url(javascript:${X})">x</p>`, ['javascript']],
  ['style breakout', '<style>p{color:red}\\3c /style\\3e \\3c script\\3e alert(1)</style>', ['</style><script', '<script']],
  ['relative image', '<img src="/api/session/logout"><img src="../x.png">', ['/api/session', 'x.png']],
  ['unknown cid', '<img src="cid:nope@x">', ['cid:']],
  ['target top', `<a href="${T}/ok" target="_top">x</a>`, ['_top']],
  ['ping', `<a href="${T}/ok" ping="${T}/ping">x</a>`, ['ping']],
  ['dom clobbering', '<form id="location"><img name="cookie"></form><img name="getElementById">', ['<form']],
  ['data attributes forged', '<img data-yj-blocked src="data:image/gif;base64,R0lGODlh">', ['data-yj-blocked']],
];

const URL_ATTRS = ['href', 'xlink:href', 'src', 'background', 'action', 'formaction', 'poster', 'srcset', 'data'];
const ALLOWED_URL = /^(?:https?:|mailto:|tel:|#|data:image\/(?:png|jpeg|gif|webp)|\/api\/folders\/1\/messages\/2\/attachments\/0$)/i;

/** Parses the output as the browser will and checks every element and attribute. */
function assertClean(html: string, what: string): void {
  const doc = new JSDOM(html).window.document;
  for (const el of doc.querySelectorAll('*')) {
    const tag = el.localName.toLowerCase();
    assert.ok(!['script', 'iframe', 'frame', 'object', 'embed', 'form', 'input', 'base', 'link', 'foreignobject'].includes(tag), `${what}: <${tag}> left`);
    if (tag === 'meta') assert.ok(!el.hasAttribute('http-equiv'), `${what}: meta http-equiv left`);
    for (const a of el.attributes) {
      assert.ok(!a.name.toLowerCase().startsWith('on'), `${what}: ${a.name} left on <${tag}>`);
      if (URL_ATTRS.includes(a.name.toLowerCase())) assert.match(a.value.trim(), ALLOWED_URL, `${what}: ${a.name}="${a.value}" on <${tag}>`);
    }
  }
}

describe('sanitiseMailHtml', () => {
  for (const [name, html, banned] of CORPUS) {
    it(`removes: ${name}`, async () => {
      const out = await sanitiseMailHtml(html, blocked);
      const body = out.html.slice(out.html.indexOf('</style>', out.html.indexOf('youju-remote-images')) + 8).toLowerCase();
      for (const b of banned) assert.equal(body.includes(b.toLowerCase()), false, `${name}: "${b}" left in ${body}`);
      assertClean(out.html, name);
    });
  }

  it('blocks remote images and counts them; shows them when allowed', async () => {
    const html = `<p style="background:url(${T}/a.png)">x</p><img src="${T}/b.png" alt="b" width="10"><img src="//tracker.test/c.png">`;
    const off = await sanitiseMailHtml(html, blocked);
    assert.equal(off.remoteImages, 3);
    assert.ok(!off.html.includes('tracker.test'));
    assert.match(off.html, /<img alt="b" width="10" data-yj-blocked="">/, 'placeholder keeps alt and size, marked blocked');
    assert.match(off.html, /<meta name="youju-remote-images" content="3">/);
    const on = await sanitiseMailHtml(html, { ...blocked, allowRemoteImages: true });
    assert.equal(on.remoteImages, 3);
    for (const u of ['/a.png', '/b.png', '//tracker.test/c.png']) assert.ok(on.html.includes(u), u);
    assert.ok(!on.html.includes('data-yj-blocked=""'));
  });

  it('points cid: images at their inline part, case-insensitively; keeps data: images', async () => {
    const out = await sanitiseMailHtml('<img src="cid:LOGO@x"><p style="background:url(cid:logo@x)">x</p><img src="data:image/png;base64,iVBOR">', blocked);
    assert.match(out.html, /<img src="\/api\/folders\/1\/messages\/2\/attachments\/0">/);
    assert.match(out.html, /url\(&quot;\/api\/folders\/1\/messages\/2\/attachments\/0&quot;\)/);
    assert.match(out.html, /<img src="data:image\/png;base64,iVBOR">/);
    assert.equal(out.remoteImages, 0);
  });

  it('opens links in a new tab with rel=noopener noreferrer; keeps mailto, tel and fragments', async () => {
    const out = await sanitiseMailHtml('<a href="https://example.com/a">a</a><a href="mailto:x@y.cn">m</a><a href="tel:+861">t</a><a href="#top">f</a><a>n</a>', blocked);
    assert.match(out.html, /<a href="https:\/\/example.com\/a" target="_blank" rel="noopener noreferrer">a<\/a>/);
    assert.match(out.html, /<a href="mailto:x@y.cn" target="_blank" rel="noopener noreferrer">m<\/a>/);
    assert.match(out.html, /<a href="tel:\+861" target="_blank" rel="noopener noreferrer">t<\/a>/);
    assert.match(out.html, /<a href="#top">f<\/a><a>n<\/a>/);
  });

  it("keeps the sender's layout: head styles, body attributes, tables, classes", async () => {
    const out = await sanitiseMailHtml('<html><head><style>.c{color:#c00}</style></head><body bgcolor="#eee"><table width="600" class="c"><tr><td align="center">中文</td></tr></table></body></html>', blocked);
    assert.match(out.html, /<style>\.c\{color:#c00\}<\/style><\/head><body bgcolor="#eee"><table width="600" class="c"><tbody><tr><td align="center">中文<\/td><\/tr><\/tbody><\/table><\/body>/);
    assert.match(out.html, /^<!doctype html><html><head><meta charset="utf-8"><meta name="referrer" content="no-referrer">/);
  });

  it('adds the meta the reading pane reads', async () => {
    const out = await sanitiseMailHtml('<p>x</p>', { ...blocked, meta: { 'youju-sender': 'a"b@x.cn' } });
    assert.match(out.html, /<meta name="youju-sender" content="a&quot;b@x.cn">/);
  });

  it('the text fallback escapes everything', () => {
    const out = textDocument('<script>alert(1)</script> & "x"');
    assert.match(out.html, /<pre>&#60;script&#62;alert\(1\)&#60;\/script&#62; &#38; &#34;x&#34;<\/pre>/);
    assert.match(out.html, /youju-html-fallback/);
  });
});

describe('cleanCss', () => {
  const ctx = () => ({ allowRemote: false, cidUrl: () => undefined, remote: 0 });
  it('decodes escapes before looking, and escapes < so no text closes the <style>', () => {
    const c = ctx();
    assert.equal(cleanCss('a{b:\\75 rl(http://t/x.png)} </style>', c), 'a{b:none} \\3c /style>');
    assert.equal(c.remote, 1);
  });
  it('handles unterminated url( and quotes', () => {
    const c = ctx();
    assert.equal(cleanCss('a{background:url("http://t/x.png', c), 'a{background:none');
    assert.equal(cleanCss("a{background:url('http://t/y.png')}", c), 'a{background:none}');
    assert.equal(c.remote, 2);
  });
});
