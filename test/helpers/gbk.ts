/**
 * GBK bytes of a string, for tests that send Chinese mail as Chinese clients do. Node decodes GBK
 * (TextDecoder) but has no encoder, so the table is built once by decoding every two-byte code.
 */
let table: Map<string, number[]> | undefined;

export function gbkEncode(text: string): Buffer {
  if (!table) {
    table = new Map();
    const dec = new TextDecoder('gbk');
    for (let hi = 0x81; hi <= 0xfe; hi++) {
      for (let lo = 0x40; lo <= 0xfe; lo++) {
        if (lo === 0x7f) continue;
        const ch = dec.decode(Uint8Array.of(hi, lo));
        if (ch.length === 1 && ch !== '\ufffd' && !table.has(ch)) table.set(ch, [hi, lo]);
      }
    }
  }
  const out: number[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code < 0x80) out.push(code);
    else {
      const bytes = table.get(ch);
      if (!bytes) throw new Error(`no GBK code for ${ch}`);
      out.push(...bytes);
    }
  }
  return Buffer.from(out);
}
