import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CSV_SAMPLE, parseUsersCsv, toCsv } from './user-csv.ts';

describe('user CSV', () => {
  it('reads quoted cells, CRLF and line numbers; a quote left open is one error naming its line', () => {
    const { users } = parseUsersCsv('\uFEFFa,"Pw ""q"",1",甲\r\n\r\n"b",Pw2026!abc,"multi\nline"\nc,Pw2026!abc');
    assert.deepEqual(users.map((u) => [u.line, u.name, u.password, u.realName]), [
      [1, 'a', 'Pw "q",1', '甲'], [3, 'b', 'Pw2026!abc', 'multi\nline'], [5, 'c', 'Pw2026!abc', ''],
    ]);
    const open = parseUsersCsv('a,Pw2026!abc\n"b,Pw2026!abc\n');
    assert.deepEqual(open.errors.map((e) => [e.line, e.field, e.reason]), [[2, 'csv', 'BAD_QUOTE']]);
    assert.deepEqual(open.users.map((u) => u.name), ['a'], 'the lines before the open quote are still added');
    assert.deepEqual(parseUsersCsv('name,password\r\na,Pw2026!abc\r\n"b,Pw2026!abc\r\n').users.map((u) => [u.line, u.name]), [[2, 'a']], 'with a header too');
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

  it('writes cells safely for spreadsheets, and reads its own export back', () => {
    assert.equal(toCsv(['a', 'b', 'c'], [[1, true, null]]), '\uFEFFa,b,c\r\n1,true,\r\n');
    const csv = toCsv(['name', 'password', 'realName'], [['amy', 'Pw2026!abc', '=HYPERLINK("x")'], ['bob', 'Pw2026!abc', 'a,b']]);
    assert.match(csv, /amy,Pw2026!abc,"'=HYPERLINK\(""x""\)"/);
    assert.deepEqual(parseUsersCsv(csv).users.map((u) => u.realName), ['=HYPERLINK("x")', 'a,b']);
  });
});

it('a custom login field value twice in one batch: the later line is reported', () => {
  const { users, errors } = parseUsersCsv('name,password,loginName\na,pw,E1\nb,pw,E1\nc,pw,\nd,pw,');
  assert.deepEqual(users.map((u) => [u.name, u.loginName]), [['a', 'E1'], ['c', ''], ['d', '']]);
  assert.deepEqual(errors.map((e) => [e.line, e.field, e.reason]), [[3, 'loginName', 'DUPLICATE_NAME']]);
});
