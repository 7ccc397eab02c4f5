import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CSV_SAMPLE, csvCell, parseUsersCsv, splitCsv, toCsv } from './user-csv.ts';

describe('user CSV', () => {
  it('splits RFC 4180 records with quotes, CRLF and line numbers', () => {
    const recs = splitCsv('\uFEFFa,"b,c","d ""q"""\r\n\r\n"multi\nline",x\nlast');
    assert.deepEqual(recs, [
      { line: 1, cells: ['a', 'b,c', 'd "q"'] },
      { line: 3, cells: ['multi\nline', 'x'] },
      { line: 5, cells: ['last'] },
    ]);
  });

  it('parses the sample: every line good', () => {
    const { users, errors } = parseUsersCsv(CSV_SAMPLE);
    assert.deepEqual(errors, []);
    assert.deepEqual(users.map((u) => [u.line, u.name, u.realName, u.department]), [
      [2, 'zhangsan', '张三', '销售部'], [3, 'lisi', '李四', '销售部/华北'], [4, 'wangwu', '王五', ''],
    ]);
    assert.equal(users[0]!.quotaMb, 1024);
    assert.equal(users[1]!.sendScope, 'internal');
    assert.equal(users[2]!.hidden, true);
    assert.equal(users[2]!.quotaMb, undefined, 'empty quota: the domain default');
  });

  it('reports each bad line by line and field and keeps the good ones', () => {
    const text = ['用户名,密码,姓名,邮箱容量(MB)', 'good1,Pw2026!abc,甲,10', 'bad name,Pw2026!abc,乙,', 'good2,Pw2026!abc,丙,',
      'quota,Pw2026!abc,丁,lots', 'nopass,,戊,', 'good1,Pw2026!abc,again,'].join('\n');
    const { users, errors } = parseUsersCsv(text);
    assert.deepEqual(users.map((u) => u.name), ['good1', 'good2']);
    assert.deepEqual(errors.map((e) => [e.line, e.field, e.reason]), [[3, 'name', 'BAD_NAME'], [5, 'quotaMb', 'BAD_QUOTA'], [6, 'password', 'NO_PASSWORD'], [7, 'name', 'DUPLICATE_NAME']]);
    assert.match(errors[3]!.message, /line 2/);
  });

  it('takes the sample order without a header, and refuses unknown header columns', () => {
    assert.deepEqual(parseUsersCsv('amy,Pw2026!abc,Amy').users.map((u) => [u.line, u.name, u.realName]), [[1, 'amy', 'Amy']]);
    assert.deepEqual(parseUsersCsv('name,password,colour\namy,x,red').errors, [{ line: 1, field: 'colour', reason: 'UNKNOWN_COLUMN', message: 'unknown column' }]);
  });

  it('writes cells safely for spreadsheets', () => {
    assert.equal(csvCell('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
    assert.equal(csvCell('a,b'), '"a,b"');
    assert.equal(csvCell(null), '');
    assert.equal(toCsv(['a', 'b'], [[1, true]]), '\uFEFFa,b\r\n1,true\r\n');
  });
});

it('a custom login field value twice in one batch: the later line is reported', () => {
  const { users, errors } = parseUsersCsv('name,password,loginName\na,pw,E1\nb,pw,E1\nc,pw,\nd,pw,');
  assert.deepEqual(users.map((u) => [u.name, u.loginName]), [['a', 'E1'], ['c', ''], ['d', '']]);
  assert.deepEqual(errors.map((e) => [e.line, e.field, e.reason]), [[3, 'loginName', 'DUPLICATE_NAME']]);
});
