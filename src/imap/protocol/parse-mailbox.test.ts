/**
 * Mailbox names (modified UTF-7, UTF8=ACCEPT, INBOX) and SELECT / CREATE / STATUS / LIST arguments.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ParseOptions } from './command.ts';
import { Cursor } from './cursor.ts';
import { ParseError } from './parse-error.ts';
import { decodeMailbox, parseCreateArgs, parseListArgs, parseMailbox, parseSelectArgs, parseStatusItems } from './parse-mailbox.ts';
import { frameCommand } from './tokenizer.ts';

const cursor = (text: string): Cursor => new Cursor(frameCommand(Buffer.from(text, 'utf8')));

describe('mailbox names (RFC 3501 §5.1, §5.1.3; RFC 6855 §3)', () => {
  const table: Array<[wire: string, name: string, options?: ParseOptions]> = [
    ['INBOX', 'INBOX'],
    ['InBoX', 'INBOX'],
    ['"inbox"', 'INBOX'],
    ['INBOX/Sub', 'INBOX/Sub'], // only the whole name is case-insensitive
    ['&U,BTFw-/&ZeVnLIqe-', '台北/日本語'],
    ['"~peter/mail/&U,BTFw-/&ZeVnLIqe-"', '~peter/mail/台北/日本語'], // RFC 3501 §5.1.3
    ['{13}\r\n&ZTZO9nux-/&-', '收件箱/&'],
    ['"客户/重要"', '客户/重要', { utf8: true }],
    ['"&W6JiNw-"', '&W6JiNw-', { utf8: true }], // under UTF8=ACCEPT "&" is just a character
  ];
  for (const [wire, name, options] of table) {
    it(`${wire} → ${name}${options?.utf8 ? ' (UTF8=ACCEPT)' : ''}`, () => {
      const c = cursor(wire);
      assert.equal(parseMailbox(c, options ?? {}), name);
      c.end();
    });
  }

  it('refuses what is not modified UTF-7, and bad UTF-8 under UTF8=ACCEPT', () => {
    for (const [wire, options] of [['"caf\u00e9"', {}], ['&Jjo', {}], ['&AGE-', {}]] as const) {
      assert.throws(() => parseMailbox(cursor(wire), options), ParseError, wire);
    }
    const c = cursor('x');
    assert.throws(() => decodeMailbox(c, Buffer.from([0x22, 0xc3, 0x28]), { utf8: true }), /Invalid UTF-8/);
  });
});

describe('SELECT / CREATE / STATUS / LIST arguments', () => {
  it('SELECT without parameters, with CONDSTORE, with QRESYNC and known UIDs only', () => {
    assert.deepEqual(parseSelectArgs(cursor(' INBOX'), {}), { mailbox: 'INBOX', condstore: false });
    assert.deepEqual(parseSelectArgs(cursor(' INBOX (condstore)'), {}), { mailbox: 'INBOX', condstore: true });
    const q = parseSelectArgs(cursor(' INBOX (CONDSTORE QRESYNC (1 2))'), {});
    assert.deepEqual(q.qresync, { uidvalidity: 1, modseq: 2n });
    const withSeqMatch = parseSelectArgs(cursor(' INBOX (QRESYNC (1 2 (1:3 10:12)))'), {});
    assert.deepEqual(withSeqMatch.qresync?.seqMatch?.uids.ranges, [{ from: 10, to: 12 }]);
  });

  it('CREATE USE drops duplicates; unknown attributes are NO [USEATTR] (RFC 6154 §3)', () => {
    assert.deepEqual(parseCreateArgs(cursor(' Sent (USE (\\Sent \\sent))'), {}), { mailbox: 'Sent', specialUse: ['\\Sent'] });
    assert.deepEqual(parseCreateArgs(cursor(' X (USE ())'), {}), { mailbox: 'X', specialUse: [] });
    assert.throws(() => parseCreateArgs(cursor(' X (USE (\\Nope))'), {}), (e: unknown) => e instanceof ParseError && e.status === 'NO' && e.code === 'USEATTR');
  });

  it('STATUS items include the extension items and drop duplicates', () => {
    assert.deepEqual(parseStatusItems(cursor('(messages RECENT UIDNEXT UIDVALIDITY UNSEEN HIGHESTMODSEQ SIZE DELETED APPENDLIMIT MESSAGES)')), [
      'MESSAGES', 'RECENT', 'UIDNEXT', 'UIDVALIDITY', 'UNSEEN', 'HIGHESTMODSEQ', 'SIZE', 'DELETED', 'APPENDLIMIT',
    ]);
  });

  it('LIST patterns keep their wildcards and are decoded', () => {
    const args = parseListArgs(cursor(' "" ("%" "&W6JiNw-/*" {1}\r\n*) RETURN ()'), {});
    assert.deepEqual(args.patterns, ['%', '客户/*', '*']);
    assert.equal(args.extended, true);
  });
});
