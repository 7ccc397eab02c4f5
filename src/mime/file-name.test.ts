// safeFileName: paths, control and bidi characters, reserved characters, length, empty names.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { safeFileName } from './file-name.ts';

it('makes attachment names safe to show and to save', () => {
  const table: Array<[string | undefined, string]> = [
    ['报告.pdf', '报告.pdf'],
    ['../../etc/passwd', 'passwd'],
    ['C:\\Windows\\evil.exe', 'evil.exe'],
    ['invoice\u202Efdp.exe', 'invoicefdp.exe'],
    ['a\r\nb.txt', 'ab.txt'],
    ['.htaccess', 'htaccess'],
    ['what?<x>.doc', 'what__x_.doc'],
    ['trailing. . ', 'trailing'],
    ['', 'attachment-3'],
    [undefined, 'attachment-3'],
    ['\u202E', 'attachment-3'],
  ];
  for (const [input, want] of table) assert.equal(safeFileName(input, 2), want, JSON.stringify(input));
  const long = safeFileName(`${'长'.repeat(300)}.docx`, 0);
  assert.equal(long.length, 200);
  assert.ok(long.endsWith('.docx'));
});
