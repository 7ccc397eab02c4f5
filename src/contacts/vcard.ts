/**
 * vCard export in 3.0 (RFC 2426) or 4.0 (RFC 6350), and import of 2.1, 3.0 and 4.0 cards as phone
 * and desktop address books write them. Properties used: FN, N, EMAIL, TEL (cell/work/home/fax),
 * ORG (company;department), TITLE, ADR (the whole address in the street part), BDAY, NOTE and
 * CATEGORIES (our groups). Values are escaped (\\ \, \; \n) and lines folded at 75 octets without
 * splitting a UTF-8 character (RFC 6350 §3.2). Import also decodes 2.1's QUOTED-PRINTABLE.
 * Photos, keys and other properties are not read. Parsing only: contacts.ts checks and writes.
 */
import type { Contact, ContactPhoneKind } from '../store/store.ts';
import type { ContactInput } from './contact-input.ts';

export type VcardVersion = '3.0' | '4.0';

const escape = (s: string): string => s.replace(/\\/g, '\\\\').replace(/,/g, '\\,').replace(/;/g, '\\;').replace(/\r\n|\r|\n/g, '\\n');

/** Folds a content line at 75 octets, never inside a UTF-8 sequence. */
function fold(line: string): string {
  const out: string[] = [];
  let cur = '';
  let octets = 0;
  for (const ch of line) {
    const n = Buffer.byteLength(ch);
    if (octets + n > (out.length === 0 ? 75 : 74)) {
      out.push(cur);
      cur = '';
      octets = 0;
    }
    cur += ch;
    octets += n;
  }
  out.push(cur);
  return out.join('\r\n ');
}

const TEL_TYPE: Record<ContactPhoneKind, { v3: string; v4: string }> = {
  mobile: { v3: 'CELL', v4: 'cell' }, work: { v3: 'WORK,VOICE', v4: 'work,voice' }, home: { v3: 'HOME,VOICE', v4: 'home,voice' },
  fax: { v3: 'WORK,FAX', v4: 'work,fax' }, other: { v3: 'VOICE', v4: 'voice' },
};

/** One card for a contact. groupNames are its groups' names (CATEGORIES). */
export function formatVcard(c: Contact, version: VcardVersion, groupNames: readonly string[]): string {
  const v4 = version === '4.0';
  const lines = ['BEGIN:VCARD', `VERSION:${version}`, `FN:${escape(c.name)}`, `N:;${escape(c.name)};;;`];
  c.emails.forEach((e, i) => lines.push(v4 ? `EMAIL${i === 0 ? ';PREF=1' : ''}:${escape(e)}` : `EMAIL;TYPE=INTERNET${i === 0 ? ',PREF' : ''}:${escape(e)}`));
  for (const p of c.phones) lines.push(`TEL;TYPE=${v4 ? TEL_TYPE[p.kind].v4 : TEL_TYPE[p.kind].v3}:${escape(p.number)}`);
  if (c.company || c.department) lines.push(`ORG:${escape(c.company)}${c.department ? `;${escape(c.department)}` : ''}`);
  if (c.title) lines.push(`TITLE:${escape(c.title)}`);
  if (c.address) lines.push(`ADR;TYPE=${v4 ? 'work' : 'WORK'}:;;${escape(c.address)};;;;`);
  if (c.birthday) lines.push(`BDAY:${v4 ? c.birthday.replace(/-/g, '') : c.birthday}`);
  if (c.notes) lines.push(`NOTE:${escape(c.notes)}`);
  if (groupNames.length > 0) lines.push(`CATEGORIES:${groupNames.map(escape).join(',')}`);
  lines.push('END:VCARD');
  return lines.map(fold).join('\r\n') + '\r\n';
}

// ── Import ───────────────────────────────────────────────────────────────────────────────────

export interface VcardContact {
  /** 1-based line of the card's BEGIN:VCARD. */
  line: number;
  input: ContactInput;
  groups: string[];
}

interface Property { name: string; params: Map<string, string[]>; value: string }

/** Splits on an unescaped separator, then unescapes each part. */
function splitValue(value: string, sep: ',' | ';' | null): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\' && i + 1 < value.length) {
      const n = value[++i]!;
      cur += n === 'n' || n === 'N' ? '\n' : n;
    } else if (c === sep) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}
const unescape = (value: string): string => splitValue(value, null)[0]!;

function decodeQuotedPrintable(s: string, charset: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) { bytes.push(parseInt(s.slice(i + 1, i + 3), 16)); i += 2; } else bytes.push(...Buffer.from(s[i]!));
  }
  try { return new TextDecoder(charset || 'utf-8').decode(Uint8Array.from(bytes)); } catch { return Buffer.from(bytes).toString('utf8'); }
}

function parseLine(line: string): Property | undefined {
  const colon = line.search(/:(?=(?:[^"]*"[^"]*")*[^"]*$)/);
  if (colon < 0) return undefined;
  const [head, ...rawParams] = line.slice(0, colon).split(';');
  const params = new Map<string, string[]>();
  for (const p of rawParams) {
    const eq = p.indexOf('=');
    // vCard 2.1 writes bare types: TEL;CELL:…
    const [k, v] = eq < 0 ? ['TYPE', p] : [p.slice(0, eq), p.slice(eq + 1)];
    const list = params.get(k.toUpperCase()) ?? [];
    list.push(...v.replace(/"/g, '').split(',').map((x) => x.toLowerCase()));
    params.set(k.toUpperCase(), list);
  }
  let value = line.slice(colon + 1);
  if (params.get('ENCODING')?.includes('quoted-printable')) value = decodeQuotedPrintable(value, params.get('CHARSET')?.[0] ?? 'utf-8');
  return { name: head!.replace(/^.*\./, '').toUpperCase(), params, value };
}

/** N's family and given names: Chinese, Japanese and Korean names family first without a space, others "Given Family". */
function nameOf([family = '', given = '']: string[]): string {
  const [f, g] = [family.trim(), given.trim()];
  return /[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]/.test(f + g) ? f + g : [g, f].filter(Boolean).join(' ');
}

function phoneKind(types: string[]): ContactPhoneKind {
  if (types.includes('fax')) return 'fax';
  if (types.includes('cell')) return 'mobile';
  if (types.includes('work')) return 'work';
  if (types.includes('home')) return 'home';
  return 'other';
}

/** Reads every card of a .vcf text. A card without END:VCARD ends at the next BEGIN or the end of the text. */
export function readVcards(text: string): VcardContact[] {
  // Unfold (RFC 6350 §3.2), and 2.1's soft line breaks inside QUOTED-PRINTABLE (a line ending in =).
  const physical = text.replace(/^\ufeff/, '').split(/\r\n|\r|\n/);
  const logical: Array<{ line: number; text: string }> = [];
  physical.forEach((l, i) => {
    const last = logical[logical.length - 1];
    if (last && /ENCODING=QUOTED-PRINTABLE/i.test(last.text) && last.text.endsWith('=')) last.text = last.text.slice(0, -1) + l;
    else if (last && /^[ \t]/.test(l)) last.text += l.slice(1);
    else logical.push({ line: i + 1, text: l });
  });
  const cards: VcardContact[] = [];
  let card: VcardContact | undefined;
  for (const { line, text: l } of logical) {
    const p = parseLine(l);
    if (!p) continue;
    if (p.name === 'BEGIN' && p.value.trim().toUpperCase() === 'VCARD') {
      card = { line, input: { emails: [], phones: [] }, groups: [] };
      cards.push(card);
      continue;
    }
    if (!card) continue;
    if (p.name === 'END') { card = undefined; continue; }
    addProperty(card, p);
  }
  return cards;
}

function addProperty(card: VcardContact, p: Property): void {
  const input = card.input;
  switch (p.name) {
    case 'FN': input.name = unescape(p.value).trim(); break;
    case 'N': if (!input.name) input.name = nameOf(splitValue(p.value, ';')); break;
    case 'EMAIL': {
      const address = unescape(p.value).replace(/^mailto:/i, '').trim();
      const pref = p.params.get('TYPE')?.includes('pref') || p.params.get('PREF')?.includes('1');
      if (pref) input.emails!.unshift(address); else input.emails!.push(address);
      break;
    }
    case 'TEL': input.phones!.push({ kind: phoneKind(p.params.get('TYPE') ?? []), number: unescape(p.value).replace(/^tel:/i, '').trim() }); break;
    case 'ORG': { const [company = '', department = ''] = splitValue(p.value, ';'); input.company = company.trim(); input.department = department.trim(); break; }
    case 'TITLE': input.title = unescape(p.value).trim(); break;
    case 'ADR': if (!input.address) input.address = splitValue(p.value, ';').map((x) => x.trim()).filter(Boolean).join(' '); break;
    case 'BDAY': {
      const v = p.value.trim();
      const m = /^(\d{4})-?(\d{2})-?(\d{2})/.exec(v);
      input.birthday = m ? `${m[1]}-${m[2]}-${m[3]}` : v;
      break;
    }
    case 'NOTE': input.notes = unescape(p.value); break;
    case 'CATEGORIES': card.groups.push(...splitValue(p.value, ',').map((x) => x.trim()).filter(Boolean)); break;
  }
}
