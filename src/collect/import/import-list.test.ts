// The list file: schemes and default ports, quoting, comments, and errors that name the line.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MailError } from '../../core/errors.ts';
import { parseImportList, parseServer, splitFields } from './import-list.ts';

describe('import list', () => {
  it('reads servers with and without a scheme or port', () => {
    assert.deepEqual(parseServer('mail.old.cn'), { protocol: 'imap', tls: 'tls', host: 'mail.old.cn', port: 993 });
    assert.deepEqual(parseServer('IMAP://Mail.Old.cn:1143'), { protocol: 'imap', tls: 'starttls', host: 'mail.old.cn', port: 1143 });
    assert.deepEqual(parseServer('pop3s://10.0.0.5'), { protocol: 'pop3', tls: 'tls', host: '10.0.0.5', port: 995 });
    assert.deepEqual(parseServer('pop3://[::1]:1110'), { protocol: 'pop3', tls: 'starttls', host: '::1', port: 1110 });
    assert.deepEqual(parseServer('old.cn:143'), { protocol: 'imap', tls: 'tls', host: 'old.cn', port: 143 });
    assert.throws(() => parseServer('smtp://old.cn'), /unknown scheme "smtp:\/\/"/);
    assert.throws(() => parseServer('old.cn:70000'), /out of range/);
  });

  it('splits fields with quotes', () => {
    assert.deepEqual(splitFields('a  "b c" "d\\"e" f'), ['a', 'b c', 'd"e', 'f']);
    assert.throws(() => splitFields('"abc'), /unterminated/);
  });

  it('skips comments and blank lines and keeps line numbers', () => {
    const list = parseImportList('# old servers\n\nimap.old.cn bob@old.cn pw#1 bob@example.cn\r\n  pop3://pop.old.cn carol "p w"\n');
    assert.deepEqual(list.map((l) => [l.line, l.protocol, l.host, l.remoteUser, l.password, l.localAccount]), [
      [3, 'imap', 'imap.old.cn', 'bob@old.cn', 'pw#1', 'bob@example.cn'],
      [4, 'pop3', 'pop.old.cn', 'carol', 'p w', ''],
    ]);
  });

  it('names every bad line', () => {
    assert.throws(() => parseImportList('ok.cn a p\nonly-two fields\nftp://x a p\nok.cn a p not-an-address', 'users.txt'), (err: unknown) => {
      assert.ok(err instanceof MailError && err.code === 'INVALID_INPUT');
      assert.equal(err.message, 'users.txt line 2: expected "server account password [local-account]", found 2 fields (and 2 more bad lines)');
      assert.deepEqual((err.details!.errors as string[]).map((e) => e.split(':')[0]), ['users.txt line 2', 'users.txt line 3', 'users.txt line 4']);
      return true;
    });
    assert.throws(() => parseImportList('# nothing\n'), /has no accounts/);
    assert.throws(() => parseImportList('imaps://old.cn bob p1\nold.cn:993 bob p2 bob@x.cn\nimap://OLD.cn bob p3'), /LIST line 3: the same account as line 1$/);
    assert.throws(() => parseImportList('imaps://old.cn bob p1\npop3s://old.cn bob p1'), /LIST line 2: the same account as line 1$/, 'IMAP and POP3 of one account');
  });
});
