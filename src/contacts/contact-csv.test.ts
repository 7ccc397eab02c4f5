// The contacts columns on top of core/csv.ts: header names in English and Chinese, and a round
// trip of every field through writeContactsCsv/readContactsCsv.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MailError } from '../core/errors.ts';
import type { ContactGroupId, ContactId, UserId } from '../core/ids.ts';
import type { Contact } from '../store/store.ts';
import { checkContact } from './contact-input.ts';
import { readContactsCsv, writeContactsCsv } from './contact-csv.ts';

describe('contacts CSV', () => {
  it('recognises English and Chinese headers, several emails and phones, groups; ignores unknown columns', () => {
    const text = [
      '姓名,邮箱地址,E-mail 2,手机,办公电话,公司,部门,职位,地址,生日,备注,分组,Favourite colour',
      '张三,zs@example.cn,"z3@home.test; z33@home.test",13800000000,010-1234,公司甲,销售部,经理,"北京, 海淀",1990-05-01,"多行\n备注",同事；朋友,blue',
    ].join('\r\n');
    const { rows, ignoredColumns } = readContactsCsv(text);
    assert.deepEqual(ignoredColumns, ['Favourite colour']);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.line, 2);
    assert.deepEqual(rows[0]!.groups, ['同事', '朋友']);
    assert.deepEqual(rows[0]!.input, {
      name: '张三', emails: ['zs@example.cn', 'z3@home.test', 'z33@home.test'],
      phones: [{ kind: 'mobile', number: '13800000000' }, { kind: 'work', number: '010-1234' }],
      company: '公司甲', department: '销售部', title: '经理', address: '北京, 海淀', birthday: '1990-05-01', notes: '多行\n备注',
    });
  });

  it('refuses a file without an email column or broken quoting, as field csv', () => {
    for (const text of ['name,phone\nx,1\n', '', 'email\n"open\n']) {
      assert.throws(() => readContactsCsv(text), (e: unknown) => e instanceof MailError && e.code === 'INVALID_INPUT' && e.details?.field === 'csv', JSON.stringify(text));
    }
  });

  it('writes what it reads back: every field, groups by name, tricky characters', () => {
    const fields = checkContact({
      name: '=王 "芳", Jr.', emails: ['wf@partner.test', 'wang@home.test'],
      phones: [{ kind: 'mobile', number: '+86 138 0000 0000' }, { kind: 'fax', number: '010-5555' }, { kind: 'home', number: '1' }],
      company: 'A, B & C', department: '销售', title: '-VP', address: '北京市\n海淀区', birthday: '1990-05-01', notes: 'line1\r\nline2',
    });
    const contact: Contact = { ...fields, id: 1 as ContactId, userId: 1 as UserId, groupIds: [7 as ContactGroupId, 8 as ContactGroupId], createdAt: 0, updatedAt: 0 };
    const text = writeContactsCsv([contact], (id) => ({ 7: '同事', 8: 'VIP' } as Record<number, string>)[id]);
    assert.ok(text.startsWith('\ufeffname,email,mobile,'));
    const { rows, ignoredColumns } = readContactsCsv(text);
    assert.deepEqual(ignoredColumns, []);
    assert.deepEqual(rows[0]!.groups, ['同事', 'VIP']);
    const back = checkContact(rows[0]!.input);
    assert.deepEqual(back, { ...fields, phones: [fields.phones[0], fields.phones[2], fields.phones[1]] }, 'phones come back grouped by kind');
  });
});
