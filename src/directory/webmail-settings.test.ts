import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isMailError } from '../core/errors.ts';
import type { Actor } from './actor.ts';
import { MAX_LOGO_BYTES, renderWelcome, WebmailSettingsService } from './webmail-settings.ts';
import { ROOT, T0, openDirectory } from './test-fixture.ts';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const dataUrl = (type: string, b: Buffer) => `data:${type};base64,${b.toString('base64')}`;

test('renderWelcome fills every (user), half- or full-width', () => {
  assert.deepEqual(renderWelcome({ subject: '欢迎(user)使用', body: '（user）：你好，(user)' }, 'Tony'), { subject: '欢迎Tony使用', body: 'Tony：你好，Tony' });
  assert.equal(renderWelcome({ subject: '$& (user)', body: '' }, '$1').subject, '$& $1', 'no replacement patterns');
});

test('settings round-trip; a department admin and another domain are refused; logos are checked images', async (t) => {
  const d = await openDirectory();
  t.after(d.close);
  const a = await d.domains.add(ROOT, 'a.cn');
  const b = await d.domains.add(ROOT, 'b.cn');
  const s = new WebmailSettingsService(d.store, d.domains, () => T0);
  const adminB: Actor = { who: 'admin:admin@b.cn', from: 'x', role: { kind: 'domain', domainId: b.id } };
  const unit = await d.orgs.add(ROOT, 'a.cn', { name: '部' });
  const dept: Actor = { who: 'admin:department:li@a.cn', from: 'x', role: { kind: 'department', domainId: a.id, orgUnitId: unit.id } };
  await assert.rejects(s.get(adminB, 'a.cn'), (e: unknown) => isMailError(e, 'FORBIDDEN'));
  await assert.rejects(s.get(dept, 'a.cn'), (e: unknown) => isMailError(e, 'FORBIDDEN'));

  const v = await s.update(ROOT, 'a.cn', { homeLinks: [{ title: ' OA ', url: ' https://oa.a.cn ' }], announcement: { enabled: true, title: '通知', body: 'x' } });
  assert.deepEqual(v.homeLinks, [{ title: 'OA', url: 'https://oa.a.cn' }]);
  assert.equal(v.loginTemplate, 'default', 'the rest keeps its default');
  await assert.rejects(s.update(ROOT, 'a.cn', { ssoUrl: 'javascript:alert(1)' }), (e: unknown) => isMailError(e, 'INVALID_INPUT') && e.details?.field === 'ssoUrl');

  await s.setLogo(ROOT, 'a.cn', 'afterLogin', dataUrl('image/png', PNG));
  const logo = await s.logo('a.cn', 'afterLogin');
  assert.deepEqual([logo?.type, logo?.bytes.equals(PNG)], ['image/png', true]);
  for (const [url, why] of [
    [dataUrl('image/svg+xml', Buffer.from('<svg/>')), 'svg'], [dataUrl('image/jpeg', PNG), 'not a jpeg'],
    [dataUrl('image/png', Buffer.concat([PNG, Buffer.alloc(MAX_LOGO_BYTES)])), 'too big'], ['data:image/png,raw', 'not base64'],
  ] as const) {
    await assert.rejects(s.setLogo(ROOT, 'a.cn', 'beforeLogin', url), (e: unknown) => isMailError(e, 'INVALID_INPUT') && e.details?.field === 'image', why);
  }
  const brand = await s.publicBranding('A.CN');
  assert.deepEqual(brand, { domain: 'a.cn', loginTemplate: 'default', customLoginField: null, announcement: { title: '通知', body: 'x' }, homeLinks: v.homeLinks, logos: ['afterLogin'] });
  assert.equal(await s.publicBranding('nowhere.cn'), undefined);
  assert.equal(await s.welcomeLetter('a.cn', '张三'), undefined, 'off by default');
  await s.update(ROOT, 'a.cn', { welcome: { enabled: true, subject: '欢迎(user)', body: '' } });
  assert.deepEqual(await s.welcomeLetter('a.cn', '张三'), { subject: '欢迎张三', body: '' });
  const audit = await d.audit({ action: 'domain.logo.set' });
  assert.deepEqual(audit[0]!.details, { slot: 'afterLogin', type: 'image/png', bytes: PNG.length });
});
