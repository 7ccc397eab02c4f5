// vCard: export in 3.0 and 4.0 (escaping, folding at 75 octets without splitting a character,
// the version's own TYPE and BDAY spellings) read back to the same contact, and import of cards
// as other programs write them (2.1 with QUOTED-PRINTABLE and bare types, 4.0 with tel: URIs).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ContactGroupId, ContactId, UserId } from '../core/ids.ts';
import type { Contact } from '../store/store.ts';
import { checkContact } from './contact-input.ts';
import { formatVcard, readVcards } from './vcard.ts';

const fields = checkContact({
  name: '王芳, "Fang"; Jr.', emails: ['wf@partner.test', 'wang@home.test'],
  phones: [{ kind: 'mobile', number: '+86 138 0000 0000' }, { kind: 'work', number: '010-1234' }, { kind: 'fax', number: '010-5555' }],
  company: '伙伴公司', department: '销售部', title: '经理', address: '北京市海淀区中关村大街一号', birthday: '1990-05-01',
  notes: '这是一段很长的备注，'.repeat(8) + '\nsecond line \\ backslash',
});
const contact: Contact = { ...fields, id: 1 as ContactId, userId: 1 as UserId, groupIds: [3 as ContactGroupId], createdAt: 0, updatedAt: 0 };

describe('vCard export', () => {
  for (const version of ['3.0', '4.0'] as const) {
    it(`${version}: folded, escaped, and read back to the same contact`, () => {
      const card = formatVcard(contact, version, ['客户, VIP']);
      const lines = card.split('\r\n');
      assert.equal(lines[0], 'BEGIN:VCARD');
      assert.equal(lines[1], `VERSION:${version}`);
      for (const l of lines) assert.ok(Buffer.byteLength(l) <= 75, `folded: ${l}`);
      assert.ok(!card.includes('\uFFFD'));
      assert.match(card, version === '3.0' ? /\r\nBDAY:1990-05-01\r\n/ : /\r\nBDAY:19900501\r\n/);
      assert.match(card, version === '3.0' ? /\r\nTEL;TYPE=CELL:\+86 138 0000 0000\r\n/ : /\r\nTEL;TYPE=cell:\+86 138 0000 0000\r\n/);
      assert.match(card, /\r\nFN:王芳\\, "Fang"\\; Jr\.\r\n/);
      const [back, ...more] = readVcards(card);
      assert.equal(more.length, 0);
      assert.equal(back!.line, 1);
      assert.deepEqual(back!.groups, ['客户, VIP']);
      assert.deepEqual(checkContact(back!.input), fields);
    });
  }
});

describe('vCard import', () => {
  it('reads 2.1 with QUOTED-PRINTABLE, bare types and N only; several cards with their lines', () => {
    const text = [
      'BEGIN:VCARD', 'VERSION:2.1',
      'N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E5=BC=A0;=E4=B8=89;;;',
      'TEL;CELL:13800000000', 'TEL;WORK;VOICE:010-1234',
      'EMAIL;INTERNET:zs@example.cn',
      'NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:=E5=A4=87=E6=B3=A8 with a soft =', // a QP soft line break
      'break',
      'END:VCARD',
      '',
      'BEGIN:VCARD', 'VERSION:4.0', 'FN:Li Si', 'EMAIL:ls@example.cn', 'EMAIL;PREF=1:li.si@example.cn', 'TEL;VALUE=uri;TYPE="home,voice":tel:+86-10-5555',
      'item1.ORG:Company;Dept', 'BDAY:--0415', 'END:VCARD',
    ].join('\r\n');
    const cards = readVcards(text);
    assert.deepEqual(cards.map((c) => c.line), [1, 11]);
    assert.deepEqual(cards[0]!.input, {
      name: '张三', emails: ['zs@example.cn'], phones: [{ kind: 'mobile', number: '13800000000' }, { kind: 'work', number: '010-1234' }],
      notes: '备注 with a soft break',
    });
    assert.deepEqual(cards[1]!.input, {
      name: 'Li Si', emails: ['li.si@example.cn', 'ls@example.cn'], phones: [{ kind: 'home', number: '+86-10-5555' }],
      company: 'Company', department: 'Dept', birthday: '--0415',
    });
    assert.throws(() => checkContact(cards[1]!.input), /birthday/, 'a birthday without a year is reported, not guessed');
  });
});
