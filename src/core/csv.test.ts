// CSV reading and writing (RFC 4180 as spreadsheets write it): quotes, line breaks inside fields,
// record start lines, blank lines, BOM, formula safety.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { csvField, CsvSyntaxError, formatCsv, parseCsv, unformulaField } from './csv.ts';

describe('parseCsv', () => {
  const table: Array<[string, string, Array<[number, string[]]>]> = [
    ['plain, CRLF', 'a,b\r\nc,d\r\n', [[1, ['a', 'b']], [2, ['c', 'd']]]],
    ['LF, no final newline', 'a,b\nc,d', [[1, ['a', 'b']], [2, ['c', 'd']]]],
    ['empty fields', ',a,,\n', [[1, ['', 'a', '', '']]]],
    ['quoted comma and quote', '"x,y","say ""hi"""\n', [[1, ['x,y', 'say "hi"']]]],
    ['line break inside quotes moves the next record\'s line', '"one\r\ntwo",b\r\nc,d\r\n', [[1, ['one\r\ntwo', 'b']], [3, ['c', 'd']]]],
    ['blank lines skipped, lines still counted', 'a\n\n\nb\n', [[1, ['a']], [4, ['b']]]],
    ['a line of spaces is blank', 'a\n  \r\nb\n', [[1, ['a']], [3, ['b']]]],
    ['BOM dropped', '\ufeffname,email\n', [[1, ['name', 'email']]]],
    ['quote inside an unquoted field is text', 'a"b,c\n', [[1, ['a"b', 'c']]]],
    ['an empty quoted field is a record', '""\n', [[1, ['']]]],
    ['Chinese', '姓名,邮箱地址\n张三,zs@example.cn\n', [[1, ['姓名', '邮箱地址']], [2, ['张三', 'zs@example.cn']]]],
  ];
  for (const [what, text, want] of table) {
    it(what, () => assert.deepEqual(parseCsv(text).map((r) => [r.line, r.fields]), want));
  }

  it('refuses a quote left open, naming the line it starts on', () => {
    assert.throws(() => parseCsv('a,b\n"open,\nmore\n'), (e: unknown) => e instanceof CsvSyntaxError && e.line === 2);
  });
});

describe('csv writing', () => {
  it('quotes what needs it and defuses formulas, but keeps phone numbers', () => {
    assert.equal(csvField('plain'), 'plain');
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('two\nlines'), '"two\nlines"');
    assert.equal(csvField('=HYPERLINK("x")'), '"\'=HYPERLINK(""x"")"');
    assert.equal(csvField('@SUM(A1)'), "'@SUM(A1)");
    assert.equal(csvField('-cmd'), "'-cmd");
    assert.equal(csvField('+86 138 0000 0000'), '+86 138 0000 0000');
    assert.equal(csvField('-1'), '-1');
    assert.equal(unformulaField("'=1+1"), '=1+1');
    assert.equal(unformulaField("'quoted"), "'quoted", 'a leading quote before ordinary text is the person\'s own');
    assert.equal(formatCsv([['a', 'b'], ['c', 'd']]), '\ufeffa,b\r\nc,d\r\n');
  });
});
