/**
 * Text to bytes in a message's own charset, for rewriters that add text to a part and want to keep
 * its charset: UTF-8, US-ASCII, ISO-8859-1, and the Chinese double-byte sets GB2312/GBK/GB18030
 * (two-byte GBK codes) and Big5. Node's TextEncoder only writes UTF-8 and iconv-lite is not ours
 * to import, so the double-byte tables are built once, lazily (~20 ms), by inverting Node's own
 * WHATWG decoders. Every result is checked by decoding it back: a character the charset cannot
 * carry gives undefined, and the caller falls back to UTF-8.
 */

type Table = Map<string, number>;
const tables = new Map<string, Table>();

function buildTable(label: string, leads: Array<[number, number]>, trails: Array<[number, number]>): Table {
  const decoder = new TextDecoder(label);
  const table: Table = new Map();
  const pair = Buffer.alloc(2);
  for (const [l0, l1] of leads) {
    for (let lead = l0; lead <= l1; lead++) {
      for (const [t0, t1] of trails) {
        for (let trail = t0; trail <= t1; trail++) {
          pair[0] = lead;
          pair[1] = trail;
          const ch = decoder.decode(pair);
          // One code point, not the replacement character; the first code for a character wins.
          if (ch !== '\ufffd' && [...ch].length === 1 && !table.has(ch)) table.set(ch, (lead << 8) | trail);
        }
      }
    }
  }
  return table;
}

function tableFor(family: 'gbk' | 'big5'): Table {
  let t = tables.get(family);
  if (!t) {
    t = family === 'gbk'
      ? buildTable('gbk', [[0x81, 0xfe]], [[0x40, 0x7e], [0x80, 0xfe]])
      // Big5: the standard range (lead A1–FE) before the HKSCS extension (81–A0), as WHATWG's encoder prefers.
      : buildTable('big5', [[0xa1, 0xfe], [0x81, 0xa0]], [[0x40, 0x7e], [0xa1, 0xfe]]);
    tables.set(family, t);
  }
  return t;
}

function encodeDoubleByte(text: string, table: Table): Buffer | undefined {
  const out: number[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) {
      out.push(c);
      continue;
    }
    const code = table.get(ch);
    if (code === undefined) return undefined;
    out.push(code >> 8, code & 0xff);
  }
  return Buffer.from(out);
}

const FAMILIES: Record<string, 'utf8' | 'ascii' | 'latin1' | 'gbk' | 'big5'> = {
  'utf-8': 'utf8', utf8: 'utf8',
  'us-ascii': 'ascii', ascii: 'ascii', 'ansi_x3.4-1968': 'ascii', 'iso646-us': 'ascii',
  'iso-8859-1': 'latin1', latin1: 'latin1', 'iso_8859-1': 'latin1', l1: 'latin1',
  gb2312: 'gbk', gbk: 'gbk', gb18030: 'gbk', cp936: 'gbk', 'x-gbk': 'gbk', 'euc-cn': 'gbk', 'windows-936': 'gbk',
  big5: 'big5', 'big5-hkscs': 'big5', cp950: 'big5', 'x-x-big5': 'big5', 'cn-big5': 'big5',
};

/** The family name a charset label belongs to, or undefined when this module cannot write it. */
export const charsetFamily = (charset: string): string | undefined => FAMILIES[charset.trim().toLowerCase()];

/**
 * `text` in `charset`, or undefined when the charset is not one we can write or a character in
 * `text` has no code in it.
 */
export function encodeText(text: string, charset: string): Buffer | undefined {
  const family = charsetFamily(charset);
  let out: Buffer | undefined;
  switch (family) {
    case 'utf8': return Buffer.from(text, 'utf8');
    case 'ascii': return /^[\x00-\x7f]*$/.test(text) ? Buffer.from(text, 'latin1') : undefined;
    case 'latin1': return /^[\x00-\x7f\xa0-\xff]*$/.test(text) ? Buffer.from(text, 'latin1') : undefined;
    case 'gbk': case 'big5': out = encodeDoubleByte(text, tableFor(family)); break;
    default: return undefined;
  }
  // The safety net: what we wrote must read back as the same text.
  return out !== undefined && new TextDecoder(family).decode(out) === text ? out : undefined;
}
