/**
 * CommandReader framing: RFC literal examples, limits, recovery and bounded memory, fed whole,
 * byte by byte and in odd chunks so chunk boundaries never change the result.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CommandReader, frameCommand, tagOf, type CommandReaderOptions, type ReaderEvent } from './tokenizer.ts';

/** Renders events compactly: command text with literals as «…», continue:n, error:STATUS tag [code]. */
function show(e: ReaderEvent): string {
  switch (e.kind) {
    case 'command':
      return e.command.segments
        .map((s) => (s.kind === 'text' ? s.bytes.toString('latin1') : `${s.binary ? '~' : ''}«${s.bytes.toString('latin1')}»${s.sync ? '' : '+'}`))
        .join('');
    case 'continue':
      return `continue:${e.size}`;
    case 'line':
      return `line:${e.line.toString('latin1')}`;
    case 'error': {
      const code = e.error.code === undefined ? '' : ` [${typeof e.error.code === 'string' ? e.error.code : e.error.code.code}]`;
      return `error:${e.error.status} ${e.error.tag ?? '*'}${code}${e.error.fatal ? ' fatal' : ''}`;
    }
  }
}

function run(input: string | Buffer, options: CommandReaderOptions = {}, chunk = Infinity): string[] {
  const reader = new CommandReader(options);
  const buf = typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
  const out: string[] = [];
  for (let i = 0; i < buf.length; i += chunk === Infinity ? buf.length : chunk) {
    reader.push(buf.subarray(i, Math.min(buf.length, i + (chunk === Infinity ? buf.length : chunk))));
    for (const e of reader.events()) out.push(show(e));
  }
  return out;
}

const small = { maxLineBytes: 40, maxLiteralBytes: 100 };

const CASES: Array<{ name: string; input: string; options?: CommandReaderOptions; events: string[] }> = [
  { name: 'one command', input: 'a001 NOOP\r\n', events: ['a001 NOOP'] },
  { name: 'pipelined commands', input: 'a1 NOOP\r\na2 CAPABILITY\r\n', events: ['a1 NOOP', 'a2 CAPABILITY'] },
  { name: 'bare LF ends a line', input: 'a1 NOOP\na2 NOOP\n', events: ['a1 NOOP', 'a2 NOOP'] },
  { name: 'empty lines between commands are ignored', input: '\r\n\r\na1 NOOP\r\n', events: ['a1 NOOP'] },
  {
    name: 'RFC 3501 §7.5: synchronising literals ask for continuation',
    input: 'A001 LOGIN {11}\r\nFRED FOOBAR {7}\r\nfat man\r\n',
    events: ['continue:11', 'continue:7', 'A001 LOGIN «FRED FOOBAR» «fat man»'],
  },
  {
    name: 'RFC 7888 §3: non-synchronising literals do not',
    input: 'A001 LOGIN {11+}\r\nFRED FOOBAR {7+}\r\nfat man\r\n',
    events: ['A001 LOGIN «FRED FOOBAR»+ «fat man»+'],
  },
  {
    name: 'RFC 3501 §6.3.11: APPEND with a message literal holding CRLFs',
    input: 'A003 APPEND saved-messages (\\Seen) {26}\r\nSubject: hi\r\n\r\nHello Joe\r\n\r\n',
    events: ['continue:26', 'A003 APPEND saved-messages (\\Seen) «Subject: hi\r\n\r\nHello Joe\r\n»'],
  },
  {
    name: 'RFC 3516: literal8 may hold NUL',
    input: 'A003 APPEND Drafts ~{5}\r\nab\0cd\r\n',
    events: ['continue:5', 'A003 APPEND Drafts ~«ab\0cd»'],
  },
  { name: 'a zero-length literal', input: 'a LOGIN {0+}\r\n {0}\r\n\r\n', events: ['continue:0', 'a LOGIN «»+ «»'] },
  {
    name: 'an over-long line is a tagged BAD; the next command is read',
    input: `a7 LOGIN ${'x'.repeat(60)}\r\na8 NOOP\r\n`,
    options: small,
    events: ['error:BAD a7', 'a8 NOOP'],
  },
  {
    name: 'an over-long line without a readable tag is an untagged BAD',
    input: `${'x'.repeat(60)}\r\na8 NOOP\r\n`,
    options: small,
    events: ['error:BAD *', 'a8 NOOP'],
  },
  {
    name: 'a synchronising literal over the limit is refused before it is sent (RFC 7889)',
    input: 'a9 APPEND INBOX {101}\r\na10 NOOP\r\n',
    options: small,
    events: ['error:NO a9 [TOOBIG]', 'a10 NOOP'],
  },
  {
    name: 'LITERAL-: a non-synchronising literal over 4096 is BAD [TOOBIG] and skipped (RFC 7888 §4)',
    input: `b1 APPEND INBOX {4097+}\r\n${'y'.repeat(4097)} more\r\nb2 NOOP\r\n`,
    events: ['error:BAD b1 [TOOBIG]', 'b2 NOOP'],
  },
  {
    name: 'LITERAL+: a non-synchronising literal over the limit is NO [TOOBIG] and skipped',
    input: `b1 APPEND INBOX {200+}\r\n${'\r\nb9 NOOP'.repeat(20)}${'w'.repeat(20)}\r\nb2 NOOP\r\n`,
    options: { ...small, maxNonSyncLiteralBytes: Infinity },
    events: ['error:NO b1 [TOOBIG]', 'b2 NOOP'],
  },
  {
    name: 'the rest of a refused command is skipped, with its further literals',
    input: `c1 X {5000+}\r\n${'z'.repeat(5000)} {3+}\r\nabc tail\r\nc2 NOOP\r\n`,
    events: ['error:BAD c1 [TOOBIG]', 'c2 NOOP'],
  },
  {
    name: 'an over-long line announcing a non-synchronising literal skips that literal',
    input: `d1 X ${'q'.repeat(50)} {9+}\r\nd2 NOOP\r\n\r\nd3 NOOP\r\n`,
    options: small,
    events: ['error:BAD d1', 'd3 NOOP'],
  },
  {
    name: 'an over-long line announcing a synchronising literal ends the command',
    input: `d1 X ${'q'.repeat(50)} {4}\r\nd2 NOOP\r\n`,
    options: small,
    events: ['error:BAD d1', 'd2 NOOP'],
  },
  {
    name: 'the whole command is bounded, not only each literal: BAD beyond',
    input: 'e1 X {60}\r\ne2 NOOP\r\n',
    options: { maxLineBytes: 40, maxLiteralBytes: 100, maxCommandBytes: 50 },
    events: ['error:BAD e1', 'e2 NOOP'],
  },
  {
    name: 'many small literals add up to the command bound',
    input: 'e1 X {20+}\r\n12345678901234567890 {20+}\r\n12345678901234567890 {20+}\r\n12345678901234567890\r\ne2 NOOP\r\n',
    options: { maxLineBytes: 40, maxLiteralBytes: 100, maxNonSyncLiteralBytes: Infinity, maxCommandBytes: 50 },
    events: ['error:BAD e1', 'e2 NOOP'],
  },
  {
    name: 'an APPEND message literal is bounded by APPENDLIMIT, not by the command bound',
    input: 'e1 APPEND INBOX {60}\r\n',
    options: { maxLineBytes: 40, maxLiteralBytes: 100, maxCommandBytes: 50 },
    events: ['continue:60'],
  },
  {
    name: 'the literals of one command are counted (RFC 7888 §5 asks servers to bound them)',
    input: 'e1 X {1+}\r\na {1+}\r\nb {1+}\r\nc\r\ne2 NOOP\r\n',
    options: { maxLiteralsPerCommand: 2, maxNonSyncLiteralBytes: Infinity },
    events: ['error:BAD e1', 'e2 NOOP'],
  },
  { name: 'a synchronising literal with an absurd size is BAD', input: 'f1 X {99999999999}\r\nf2 NOOP\r\n', events: ['error:BAD f1', 'f2 NOOP'] },
  {
    name: 'a non-synchronising literal with an absurd size loses the stream: fatal',
    input: 'f1 X {99999999999+}\r\nf2 NOOP\r\n',
    events: ['error:BAD f1 fatal'],
  },
  { name: 'leading zeros are legal in a literal size', input: 'g1 LOGIN {003+}\r\nabc x\r\n', events: ['g1 LOGIN «abc»+ x'] },
  { name: '"{abc}" is not a literal: left to the parser', input: 'g1 LOGIN {abc}\r\n', events: ['g1 LOGIN {abc}'] },
];

describe('CommandReader framing (RFC 3501 §2.2, §4.3, §7.5; RFC 7888; RFC 3516)', () => {
  for (const c of CASES) {
    it(c.name, () => {
      assert.deepEqual(run(c.input, c.options), c.events, 'whole input at once');
      assert.deepEqual(run(c.input, c.options, 1), c.events, 'one byte at a time');
      assert.deepEqual(run(c.input, c.options, 7), c.events, 'seven bytes at a time');
    });
  }

  it('delivers one raw line after expectLine() (IDLE / AUTHENTICATE)', () => {
    const reader = new CommandReader();
    reader.push(Buffer.from('a1 IDLE\r\nDONE\r\na2 AUTHENTICATE PLAIN\r\nAGZyZWQAZmF0IG1hbg==\r\na3 NOOP\r\n'));
    const first = reader.next();
    assert.equal(first && show(first), 'a1 IDLE');
    reader.expectLine();
    assert.deepEqual(reader.next(), { kind: 'line', line: Buffer.from('DONE') });
    assert.equal(show(reader.next() as ReaderEvent), 'a2 AUTHENTICATE PLAIN');
    reader.expectLine();
    assert.equal(show(reader.next() as ReaderEvent), 'line:AGZyZWQAZmF0IG1hbg==');
    assert.equal(show(reader.next() as ReaderEvent), 'a3 NOOP');
    assert.equal(reader.next(), undefined);
  });

  it('hands back unparsed bytes after STARTTLS / COMPRESS, and nothing is parsed ahead', () => {
    const reader = new CommandReader();
    reader.push(Buffer.from('a1 STARTTLS\r\na2 LOGIN injected x\r\n'));
    assert.equal(show(reader.next() as ReaderEvent), 'a1 STARTTLS');
    assert.equal(reader.takeBuffered().toString(), 'a2 LOGIN injected x\r\n');
    assert.equal(reader.next(), undefined);
    assert.equal(reader.bufferedBytes, 0);
  });

  it('keeps memory bounded when a client streams an endless line', () => {
    const reader = new CommandReader({ maxLineBytes: 1024 });
    const chunk = Buffer.alloc(64 * 1024, 0x78);
    const events: string[] = [];
    for (let i = 0; i < 160; i++) {
      // 10 MiB in total, never a newline.
      reader.push(chunk);
      for (const e of reader.events()) events.push(show(e));
      assert.equal(reader.bufferedBytes, 0, 'input is consumed as it is discarded');
    }
    assert.deepEqual(events, ['error:BAD *']);
    reader.push(Buffer.from('\r\nz1 NOOP\r\n'));
    assert.deepEqual([...reader.events()].map(show), ['z1 NOOP']);
  });

  it('records the wire size of a command', () => {
    assert.equal(frameCommand('A001 LOGIN {11+}\r\nFRED FOOBAR {7+}\r\nfat man\r\n').size, 45);
  });

  it('frameCommand refuses more or less than one command', () => {
    assert.throws(() => frameCommand('a NOOP\r\nb NOOP\r\n'), /More than one/);
    assert.throws(() => frameCommand('a LOGIN {10+}\r\nabc'), /Incomplete/);
  });

  it('reads tags by the RFC 3501 rule', () => {
    const table: Array<[string, string | undefined]> = [
      ['a001 NOOP', 'a001'],
      ['A.1] NOOP', 'A.1]'],
      ['+x NOOP', undefined],
      ['a+b NOOP', undefined],
      ['* NOOP', undefined],
      ['a"b NOOP', undefined],
      ['NOOP', undefined],
    ];
    for (const [line, tag] of table) assert.equal(tagOf(Buffer.from(line)), tag, line);
  });
});
