import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { headerDefect, withoutInternalHeaders } from './header-check.ts';

const msg = (s: string) => Buffer.from(s, 'latin1');

describe('headerDefect', () => {
  it('accepts ordinary headers, folded lines and a body with NUL bytes', () => {
    assert.equal(headerDefect(msg('Subject: hi\r\n\tthere\r\nFrom: a@b.c\r\n\r\nbody\0with nul\r\n')), undefined);
    assert.equal(headerDefect(msg('Subject : obsolete space\r\n\r\n')), undefined);
    assert.equal(headerDefect(msg('Subject: no body')), undefined);
  });

  it('refuses a NUL in a field value or a continuation line', () => {
    assert.match(headerDefect(msg('Subject: a\0b\r\n\r\nbody'))!, /NUL/);
    assert.match(headerDefect(msg('Subject: a\r\n b\0\r\n\r\nbody'))!, /NUL/);
  });

  it('refuses control characters in a field name', () => {
    assert.match(headerDefect(msg('Sub\x01ject: x\r\n\r\n'))!, /control/);
    assert.match(headerDefect(msg('X-A\x7f: x\r\n\r\n'))!, /control/);
    assert.match(headerDefect(msg('X\x1b[2J: x\r\n\r\n'))!, /control/);
  });
});

describe('withoutInternalHeaders', () => {
  it('drops every X-Youju-* field with its continuation lines and keeps the rest byte for byte', () => {
    const raw = msg('X-Youju-Forwarded: bob@example.cn\r\nSubject: s\r\nx-youju-signature: yes\r\n more\r\nFrom: a@b.c\r\n\r\nX-Youju-Forwarded: in the body\r\n');
    assert.equal(withoutInternalHeaders(raw).toString('latin1'), 'Subject: s\r\nFrom: a@b.c\r\n\r\nX-Youju-Forwarded: in the body\r\n');
  });

  it('returns the same buffer when there is nothing to drop', () => {
    const raw = msg('Subject: s\r\n\r\nbody');
    assert.equal(withoutInternalHeaders(raw), raw);
  });
});
