// ENVELOPE and BODYSTRUCTURE of real mail, Youju against Debian's Dovecot 2.3 (issue #11 §2): every
// message of test/fixtures/corpus/spamassassin (1,055 messages of the SpamAssassin public corpus) is
// appended to both servers, FETCHed, and the answers compared after folding what may differ
// (case, a literal vs a quoted string, runs of white space). Each difference left is listed below
// with its class and the reason it is allowed; a difference not listed fails, and so does a listed
// one that went away (the list stays exact). FIDELITY_REPORT=1 prints every difference.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { dovecotMissing, startDovecot, type Dovecot } from '../../helpers/dovecot.ts';
import { PASSWORD, startTestServer, type TestServer } from '../../helpers/server.ts';

const CORPUS = join(import.meta.dirname, '../../fixtures/corpus/spamassassin');

/** The corpus files, relative to CORPUS, in a fixed order (both servers get them in this order). */
function corpusFiles(): string[] {
  const out: string[] = [];
  for (const label of ['ham', 'spam']) {
    for (const group of readdirSync(join(CORPUS, label)).sort()) {
      for (const f of readdirSync(join(CORPUS, label, group)).sort()) out.push(`${label}/${group}/${f}`);
    }
  }
  return out;
}

/** A corpus file as delivered: the mbox "From " line dropped, lines ending in CRLF. */
function delivered(file: string): Buffer {
  let text = readFileSync(join(CORPUS, file), 'latin1');
  if (text.startsWith('From ')) text = text.slice(text.indexOf('\n') + 1);
  return Buffer.from(text.replace(/\r?\n/g, '\r\n'), 'latin1');
}

// ── A small IMAP client that reads responses with literals into values ─────────────────────

type Value = string | number | null | { atom: string } | Value[];

class Imap {
  private buf: Buffer = Buffer.alloc(0);
  private wake: (() => void) | undefined;
  private tags = 0;
  private closed = false;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
      this.wake?.();
    });
    socket.on('close', () => { this.closed = true; this.wake?.(); });
    socket.on('error', () => undefined);
  }

  static async open(port: number, user: string, password: string): Promise<Imap> {
    const c = new Imap(connect({ host: '127.0.0.1', port }));
    await c.responses(undefined);
    const r = await c.run(`LOGIN "${user}" "${password}"`);
    assert.match(r.done, /^\S+ OK/, `LOGIN: ${r.done}`);
    return c;
  }

  /** Sends a command; its untagged responses (as values) and the tagged line. */
  async run(command: string | Buffer): Promise<{ untagged: Value[][]; done: string }> {
    const tag = `f${++this.tags}`;
    this.socket.write(Buffer.concat([Buffer.from(`${tag} `), Buffer.from(command), Buffer.from('\r\n')]));
    return this.responses(tag);
  }

  /** Sends many commands at once (LITERAL+ literals need no continuation) and waits for all. */
  async pipeline(commands: Buffer[]): Promise<string[]> {
    const tags = commands.map(() => `f${++this.tags}`);
    this.socket.write(Buffer.concat(commands.flatMap((c, i) => [Buffer.from(`${tags[i]} `), c, Buffer.from('\r\n')])));
    const done: string[] = [];
    for (const tag of tags) done.push((await this.responses(tag)).done);
    return done;
  }

  /** Responses up to the tagged one (or, with no tag, the greeting). */
  private async responses(tag: string | undefined): Promise<{ untagged: Value[][]; done: string }> {
    const untagged: Value[][] = [];
    for (;;) {
      const parsed = parseLine(this.buf, 0);
      if (!parsed) {
        if (this.closed) throw new Error(`connection closed waiting for ${tag}`);
        await new Promise<void>((r) => { this.wake = r; });
        continue;
      }
      const line = this.buf.toString('latin1', 0, Math.min(parsed.end, 200));
      this.buf = this.buf.subarray(parsed.end);
      if (tag === undefined) return { untagged, done: line };
      if (line.startsWith(`${tag} `)) return { untagged, done: line.trimEnd() };
      if (line.startsWith('* ')) untagged.push(parsed.values);
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

/** One response line from `at`, literals included: its values and where it ends; undefined if incomplete. */
function parseLine(b: Buffer, at: number): { values: Value[]; end: number } | undefined {
  const stack: Value[][] = [[]];
  let i = at;
  while (i < b.length) {
    const c = b[i]!;
    if (c === 0x0d && b[i + 1] === 0x0a) {
      return stack.length === 1 ? { values: stack[0]!, end: i + 2 } : undefined;
    }
    if (c === 0x0a) return { values: stack[0]!, end: i + 1 };
    if (c === 0x20) { i++; continue; }
    if (c === 0x28 /* ( */) { const l: Value[] = []; stack.at(-1)!.push(l); stack.push(l); i++; continue; }
    if (c === 0x29 /* ) */) { if (stack.length > 1) stack.pop(); i++; continue; }
    if (c === 0x22 /* " */) {
      let s = '';
      let j = i + 1;
      for (; j < b.length && b[j] !== 0x22; j++) {
        if (b[j] === 0x5c /* \ */) j++;
        s += String.fromCharCode(b[j]!);
      }
      if (j >= b.length) return undefined;
      stack.at(-1)!.push(s);
      i = j + 1;
      continue;
    }
    if (c === 0x7b /* { */) {
      const close = b.indexOf('}', i);
      if (close < 0 || b.length < close + 3) return undefined;
      const n = Number(b.toString('latin1', i + 1, close).replace('+', ''));
      const start = close + 3; // }\r\n
      if (b.length < start + n) return undefined;
      stack.at(-1)!.push(b.toString('latin1', start, start + n));
      i = start + n;
      continue;
    }
    let j = i;
    // An atom; a [ … ] section (BODY[…]) belongs to it, spaces included.
    for (let depth = 0; j < b.length; j++) {
      const d = b[j]!;
      if (d === 0x5b) depth++;
      else if (d === 0x5d) depth--;
      else if (depth === 0 && (d === 0x20 || d === 0x28 || d === 0x29 || d === 0x0d || d === 0x0a)) break;
    }
    if (j >= b.length) return undefined;
    const word = b.toString('latin1', i, j);
    stack.at(-1)!.push(word === 'NIL' ? null : /^\d+$/.test(word) ? Number(word) : { atom: word });
    i = j;
  }
  return undefined;
}

/**
 * A value in the form both servers' answers are compared in: strings and atoms folded to lower
 * case with runs of white space as one space (a literal and a quoted string are the same string).
 */
function canonical(v: Value): string {
  if (v === null) return 'NIL';
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return `(${v.map(canonical).join(' ')})`;
  if (typeof v === 'string') return JSON.stringify(v.toLowerCase().replace(/\s+/g, ' '));
  return v.atom.toLowerCase();
}

/** FETCH responses → seq → { ENVELOPE, BODYSTRUCTURE } in canonical form. */
function fetched(untagged: Value[][]): Map<number, Record<string, string>> {
  const out = new Map<number, Record<string, string>>();
  for (const r of untagged) {
    const [, seq, kind, items] = r;
    if (typeof seq !== 'number' || !kind || typeof kind !== 'object' || Array.isArray(kind) || kind.atom !== 'FETCH' || !Array.isArray(items)) continue;
    const rec = out.get(seq) ?? {};
    for (let i = 0; i + 1 < items.length; i += 2) {
      const k = items[i];
      if (k && typeof k === 'object' && !Array.isArray(k)) rec[k.atom.toUpperCase()] = canonical(items[i + 1]!);
    }
    out.set(seq, rec);
  }
  return out;
}

// ── The allowed differences ────────────────────────────────────────────────────────────────

interface AllowedClass {
  /** What differs. */
  what: string;
  /** Why Youju's answer is allowed to differ from Dovecot's. */
  reason: string;
  /** Which item differs, per message (file under the corpus). */
  messages: Record<string, 'ENVELOPE' | 'BODYSTRUCTURE' | 'both'>;
}

const ALLOWED: AllowedClass[] = [
  {
    what: 'white space at the end of In-Reply-To',
    reason: 'The field ends in white space ("In-Reply-To: <id> "). Dovecot sends the value with it, ' +
      'Youju trimmed (mime/envelope.ts unfoldValue): the same message id either way, and clients read the id between the angle brackets.',
    messages: {
      'ham/easy_ham/01489.408e736d2c2fb22b64f9b588c788dad1': 'ENVELOPE',
      'ham/easy_ham/01649.5bcdd9205f59d95e025a2896a38ee2bb': 'ENVELOPE',
      'ham/easy_ham/01713.7e6c3f51ab4a45f60fbb0968d56f512c': 'ENVELOPE',
      'ham/easy_ham/01745.46a467858b1369e9513a8a369a67a70b': 'ENVELOPE',
    },
  },
  {
    what: 'an address that is no addr-spec',
    reason: 'Malformed addresses (`<Undisclosed-Recipient:;>`, `<undisclosed-recipients:@webnote.net;>`, `"" <>`, ' +
      '`"Bannedcd"eowu345@yahoo.com`, `c:`bulk.txt@host`, `x@loyno.edu]`): RFC 3501 has no form for them, ' +
      'Dovecot writes its own placeholders (SYNTAX_ERROR, MISSING_MAILBOX) or drops what follows, Youju keeps what it can read as mailbox and host. Neither answer is more right (issue #11 §2).',
    messages: {
      'ham/hard_ham/00199.a69d994a7a76f49be4f4e8b839adc00a': 'ENVELOPE',
      'ham/hard_ham/00247.42534d5df0700cb2adf240556c539947': 'ENVELOPE',
      'spam/spam/00089.7e7baae6ef4a8fb945d7b3fe551329fe': 'ENVELOPE',
      'spam/spam/00133.17dccf2499a4245b83890e0784c43499': 'ENVELOPE',
      'spam/spam/00297.3350c2dbbb0272c27b2c7773d7012356': 'ENVELOPE',
      'spam/spam/00351.fd1b8a6cd42e81125fb38c2660cd9317': 'ENVELOPE',
      'spam/spam/00373.ebe8670ac56b04125c25100a36ab0510': 'ENVELOPE',
      'spam/spam_2/00013.372ec9dc663418ca71f7d880a76f117a': 'ENVELOPE',
      'spam/spam_2/00019.86ce6f6c2e9f4ae0415860fecdf055db': 'ENVELOPE',
      'spam/spam_2/00025.9054470cb5193db2955a4d4a003698d6': 'ENVELOPE',
      'spam/spam_2/00055.0b668beca14ab545bd39f17dbe20775c': 'ENVELOPE',
      'spam/spam_2/00103.3fb0c1ebdfc0eb5952bf0f57e635c270': 'ENVELOPE',
      'spam/spam_2/00121.9fdf867ef2120e98641128801454aa72': 'ENVELOPE',
      'spam/spam_2/00139.cee7452bc16a8e26ea1ad841321c95ce': 'ENVELOPE',
      'spam/spam_2/00343.c84d94ad804925c271bb15b979e11dc7': 'ENVELOPE',
      'spam/spam_2/00439.eacffbae5543e6be58178c0d3eb95041': 'ENVELOPE',
      'spam/spam_2/00629.5feadfcb7530c08a54c98178600b2f70': 'ENVELOPE',
      'spam/spam_2/00929.008a60368b7623f11c7bb95826eb7366': 'ENVELOPE',
      'spam/spam_2/01349.71c7c224e68df0a19c1834065368c89f': 'ENVELOPE',
    },
  },
  {
    what: 'an address field that occurs more than once',
    reason: 'Spam with one Cc line per recipient (or two Reply-To lines): RFC 5322 §3.6 allows each field once. ' +
      'Dovecot joins the addresses of every occurrence; Youju reads the first, as it does for every envelope field. ' +
      'Following Dovecot needs a migration to drop the cached envelopes (src/store/migrations): left for later.',
    messages: {
      'spam/spam_2/00271.7105f4998a88cbf4036403f61ba60d65': 'ENVELOPE',
      'spam/spam_2/00475.3d497c7d96c51986316db566756ff35a': 'ENVELOPE',
      'spam/spam_2/00659.668ba8daca71e86de0ee5e412b177015': 'ENVELOPE',
      'spam/spam_2/00737.af5f503fe444ae773bfeb4652d122349': 'ENVELOPE',
      'spam/spam_2/00749.9887b1d7cb21083c777b0623cfdb02af': 'ENVELOPE',
      'spam/spam_2/01241.0ea43b4457c3a0b85f7ab4d1bb4ac17e': 'ENVELOPE',
    },
  },
];

// ── The test ───────────────────────────────────────────────────────────────────────────────

describe('ENVELOPE and BODYSTRUCTURE of real mail, as Dovecot reads them (issue #11 §2)', { skip: dovecotMissing }, () => {
  const files = corpusFiles();
  let youju: TestServer;
  let dovecot: Dovecot;
  before(async () => {
    [youju, dovecot] = await Promise.all([
      startTestServer({ imap: true, settings: { 'security.allowPlaintextAuth': true } }),
      startDovecot({ users: [{ name: 'corpus', password: PASSWORD }] }),
    ]);
    await youju.addUser('corpus@example.cn');
  });
  after(async () => {
    await youju?.close();
    await dovecot?.stop();
  });

  /** Appends every corpus message in order, then FETCHes ENVELOPE and BODYSTRUCTURE of all. */
  async function answers(port: number, user: string): Promise<Map<number, Record<string, string>>> {
    const c = await Imap.open(port, user, PASSWORD);
    try {
      const appends = files.map((f) => {
        const m = delivered(f);
        return Buffer.concat([Buffer.from(`APPEND INBOX {${m.length}+}\r\n`), m]);
      });
      for (let i = 0; i < appends.length; i += 100) {
        const done = await c.pipeline(appends.slice(i, i + 100));
        done.forEach((d, j) => assert.match(d, /^\S+ OK/, `APPEND ${files[i + j]}: ${d}`));
      }
      assert.match((await c.run('SELECT INBOX')).done, /^\S+ OK/);
      const r = await c.run('FETCH 1:* (ENVELOPE BODYSTRUCTURE)');
      assert.match(r.done, /^\S+ OK/, r.done);
      return fetched(r.untagged);
    } finally {
      c.close();
    }
  }

  it('every message answers as Dovecot does, or differs in an allowed, explained way', async () => {
    const [ours, theirs] = await Promise.all([answers(youju.config.ports.imap, 'corpus@example.cn'), answers(dovecot.imapPort, 'corpus')]);
    assert.equal(theirs.size, files.length, 'Dovecot answered for every message');
    assert.equal(ours.size, files.length, 'Youju answered for every message');
    const allowed = new Map<string, { cls: AllowedClass; item: string }>();
    for (const cls of ALLOWED) for (const [file, item] of Object.entries(cls.messages)) allowed.set(file, { cls, item });
    const unexpected: string[] = [];
    const report: string[] = [];
    const differing = new Set<string>();
    files.forEach((file, i) => {
      const a = ours.get(i + 1)!;
      const b = theirs.get(i + 1)!;
      const items = ['ENVELOPE', 'BODYSTRUCTURE'].filter((k) => a[k] !== b[k]);
      if (items.length === 0) return;
      differing.add(file);
      const item = items.length === 2 ? 'both' : items[0]!;
      const detail = items.map((k) => `  ${k}\n    youju:   ${a[k]}\n    dovecot: ${b[k]}`).join('\n');
      report.push(`${file} ${item}\n${detail}`);
      const ok = allowed.get(file);
      if (!ok || ok.item !== item) unexpected.push(`${file}: ${item} differs${ok ? ` (allowed: ${ok.item} only)` : ''}\n${detail}`);
    });
    if (process.env.FIDELITY_REPORT) console.log(`${differing.size} of ${files.length} differ\n${report.join('\n')}`);
    const gone = [...allowed.keys()].filter((f) => !differing.has(f));
    assert.deepEqual(unexpected, [], `${unexpected.length} differences not in the allow-list`);
    assert.deepEqual(gone, [], 'allowed differences that no longer occur: remove them from ALLOWED');
  });
});
