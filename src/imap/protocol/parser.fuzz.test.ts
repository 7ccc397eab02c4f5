/**
 * Hostile-input test for the command reader and parser: 20,000 random, truncated, spliced and mutated
 * commands from a seeded PRNG (the same inputs on every run; set FUZZ_SEED to explore others). Asserts
 * that nothing but ParseError escapes, that no ParseError wraps an internal failure (`cause`), that the
 * reader's memory stays within its limits, and that the whole run finishes in a generous time.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ParseError } from './parse-error.ts';
import { parseCommand } from './parser.ts';
import { CommandReader, type ReaderEvent } from './tokenizer.ts';

const ITERATIONS = 20_000;
const SEED = Number(process.env['FUZZ_SEED'] ?? 0x5eed1e55);
const LIMITS = { maxLineBytes: 2048, maxLiteralBytes: 16_384, maxNonSyncLiteralBytes: 4096, maxCommandBytes: 32_768 };

/** mulberry32: tiny, fast, good enough to spread inputs; the point is repeatability. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Valid commands covering every grammar the parser knows; mutations start from these.
const SEEDS = [
  'a1 CAPABILITY', 'a2 NOOP', 'a3 LOGOUT', 'a4 STARTTLS', 'a5 LOGIN {11+}\r\nFRED FOOBAR {7+}\r\nfat man',
  'a6 AUTHENTICATE PLAIN AGZyZWQAZmF0IG1hbg==', 'a7 SELECT INBOX (CONDSTORE)', 'a8 EXAMINE "&W6JiNw-/&kc2JgQ-"',
  'a9 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997 (5000,7500 15000,22500)))', 'b1 CREATE Drafts (USE (\\Drafts))',
  'b2 DELETE blurdybloop', 'b3 RENAME blurdybloop sarasoop', 'b4 SUBSCRIBE #news.comp', 'b5 UNSUBSCRIBE x',
  'b6 LIST (SUBSCRIBED RECURSIVEMATCH) "" ("INBOX" "%") RETURN (CHILDREN SPECIAL-USE STATUS (MESSAGES UNSEEN))',
  'b7 LSUB "#news." "comp.mail.*"', 'b8 STATUS blurdybloop (UIDNEXT MESSAGES HIGHESTMODSEQ)',
  'b9 APPEND saved-messages (\\Seen) " 7-Feb-1994 21:52:25 -0800" {12+}\r\nSubject: hi\r\n', 'c1 APPEND Drafts UTF8 (~{3+}\r\na\0b)',
  'c2 CHECK', 'c3 CLOSE', 'c4 EXPUNGE', 'c5 UID EXPUNGE 3000:3002',
  'c6 SEARCH RETURN (MIN MAX COUNT SAVE) CHARSET UTF-8 OR FROM "Smith" NOT (SEEN SINCE 1-Feb-1994) 2:4,$ MODSEQ "/flags/\\\\draft" all 620162338',
  'c7 UID SEARCH HEADER X-Priority "1" LARGER 100 SMALLER 5000 UID 1:* KEYWORD $Junk SENTON 5-Mar-2000 BODY {6+}\r\n合同',
  'c8 FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (From To)]<0.100> BINARY[1.2] BINARY.SIZE[1] BODY[1.MIME]) (CHANGEDSINCE 12345)',
  'c9 UID FETCH 300:500 FULL (CHANGEDSINCE 12345 VANISHED)', 'd1 STORE 2:4 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Deleted $Junk)',
  'd2 UID STORE 1 -FLAGS \\Seen', 'd3 COPY 2:4 MEETING', 'd4 UID MOVE 42:69 foo', 'd5 IDLE', 'd6 NAMESPACE', 'd7 UNSELECT',
  'd8 ENABLE CONDSTORE QRESYNC UTF8=ACCEPT', 'd9 ID ("name" "sodr" "version" NIL)', 'e1 GETQUOTA ""', 'e2 GETQUOTAROOT INBOX',
  'e3 SETQUOTA "" (STORAGE 512 MESSAGE 1000)', 'e4 COMPRESS DEFLATE', 'e5 UID SORT RETURN (COUNT) (REVERSE DATE SUBJECT) UTF-8 ALL',
  'e6 THREAD REFERENCES US-ASCII SINCE 1-Jan-2020', 'e7 SEARCH CHARSET GB2312 SUBJECT {4+}\r\n\xbf\xcd\xbb\xa7',
];
const SPECIALS = Buffer.from('()[]{}<>"\\*%$:,.+-~ \r\n0123456789~\0\xff&', 'latin1');

function mutate(rand: () => number): Buffer {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  const int = (n: number): number => Math.floor(rand() * n);
  let buf = Buffer.from(pick(SEEDS), 'utf8');
  const rounds = 1 + int(4);
  for (let r = 0; r < rounds; r++) {
    switch (int(10)) {
      case 0: // truncate
        buf = buf.subarray(0, int(buf.length + 1));
        break;
      case 1: // flip bytes
        buf = Buffer.from(buf);
        for (let i = 0, n = 1 + int(4); i < n && buf.length > 0; i++) buf[int(buf.length)] = int(256);
        break;
      case 2: { // insert IMAP-significant bytes
        const at = int(buf.length + 1);
        const ins = Buffer.from(Array.from({ length: 1 + int(6) }, () => SPECIALS[int(SPECIALS.length)] as number));
        buf = Buffer.concat([buf.subarray(0, at), ins, buf.subarray(at)]);
        break;
      }
      case 3: { // delete a range
        const a = int(buf.length + 1);
        buf = Buffer.concat([buf.subarray(0, a), buf.subarray(a + int(12))]);
        break;
      }
      case 4: // splice two seeds
        buf = Buffer.concat([buf.subarray(0, int(buf.length + 1)), Buffer.from(pick(SEEDS)).subarray(int(20))]);
        break;
      case 5: // repeat a slice (deep nesting, long lists)
        {
          const a = int(buf.length + 1);
          const slice = buf.subarray(a, a + 1 + int(8));
          buf = Buffer.concat([buf.subarray(0, a), ...Array.from({ length: 2 + int(300) }, () => slice), buf.subarray(a)]);
        }
        break;
      case 6: // a literal marker with a random size, sometimes a lie
        buf = Buffer.concat([buf, Buffer.from(` ${pick(['', '~'])}{${pick([0, 1, 5, 4096, 4097, 99999, 1e12])}${pick(['', '+'])}}\r\n`), Buffer.from(pick(SEEDS)).subarray(int(10))]);
        break;
      case 7: // pure noise
        buf = Buffer.from(Array.from({ length: int(200) }, () => int(256)));
        break;
      case 8: // hostile shapes
        buf = Buffer.from(pick([
          `z SEARCH ${'NOT '.repeat(int(3000))}ALL`, `z SEARCH ${'('.repeat(int(3000))}`, `z FETCH ${'1,'.repeat(int(900))}1 FLAGS`,
          `z FETCH 1 BODY[${'1.'.repeat(int(200))}1]`, `z LIST "" (${'"%" '.repeat(int(300))}"*")`, `z ${'x'.repeat(int(4000))}`,
        ]));
        break;
      default: // change case
        buf = Buffer.from(buf.toString('latin1')[rand() < 0.5 ? 'toLowerCase' : 'toUpperCase'](), 'latin1');
    }
  }
  return buf;
}

/** Calls fn and returns the ParseError it threw, failing the test on anything else. */
function expectParseErrorOnly(fn: () => unknown, input: Buffer): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof ParseError)) assert.fail(`non-ParseError ${String(e)} for ${JSON.stringify(input.toString('latin1').slice(0, 200))}`);
    if (e.cause !== undefined) assert.fail(`internal error ${String(e.cause)} for ${JSON.stringify(input.toString('latin1').slice(0, 200))}`);
  }
}

describe('hostile input: reader + parser fuzz', () => {
  it(`${ITERATIONS} mutated commands (seed ${SEED.toString(16)}): only ParseError, bounded memory, bounded time`, () => {
    const rand = prng(SEED);
    const heapBefore = process.memoryUsage().heapUsed;
    const started = Date.now();
    let reader = new CommandReader(LIMITS);
    let commands = 0;
    let errors = 0;
    let biggest = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      const input = mutate(rand);
      // 1. The whole input as one command (no limits), straight into the parser.
      expectParseErrorOnly(() => parseCommand(input), input);
      expectParseErrorOnly(() => parseCommand(input, { utf8: true }), input);
      // 2. The same bytes as part of a long-lived stream, in random chunks, with CRLF after each.
      const stream = Buffer.concat([input, Buffer.from('\r\n')]);
      for (let at = 0; at < stream.length; ) {
        const n = 1 + Math.floor(rand() * 64);
        reader.push(stream.subarray(at, at + n));
        at += n;
        let event: ReaderEvent | undefined;
        while ((event = reader.next())) {
          if (event.kind === 'command') {
            commands++;
            biggest = Math.max(biggest, event.command.size);
            const raw = event.command;
            expectParseErrorOnly(() => parseCommand(raw), input);
          } else if (event.kind === 'error') {
            errors++;
            assert.ok(event.error instanceof ParseError);
            if (event.error.fatal) reader = new CommandReader(LIMITS); // the session would close; start afresh
          }
        }
        assert.ok(reader.bufferedBytes <= 64, 'the reader consumes what it is given');
      }
    }
    const elapsedMs = Date.now() - started;
    const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
    // Memory: a command can never exceed maxCommandBytes plus one line, whatever the client sends.
    assert.ok(biggest <= LIMITS.maxCommandBytes + LIMITS.maxLineBytes + 2, `command of ${biggest} bytes`);
    // Heap growth is measured without forcing GC, so allow for garbage: 20,000 inputs of a few KiB
    // each would reach ~100 MiB only if everything were retained; 64 MiB is far above a steady state.
    assert.ok(heapGrowth < 64 * 1024 * 1024, `heap grew by ${(heapGrowth / 1048576).toFixed(1)} MiB`);
    // Time: this takes a few seconds here; a quadratic scan or a hang takes minutes. 60 s sits far
    // from both, so a slow CI machine passes and a real regression does not.
    assert.ok(elapsedMs < 60_000, `took ${elapsedMs} ms`);
    assert.ok(commands > 1000 && errors > 100, `exercised both paths (${commands} commands, ${errors} reader errors)`);
  });
});
