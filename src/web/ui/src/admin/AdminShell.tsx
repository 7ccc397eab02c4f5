/**
 * The console around the screens (manual part 3 §1.2, §2.2, §3.3): the title by role, the domain
 * switcher for a super admin, "修改密码" and "退出" at the top right, the menu on the left. This
 * slice has one screen, the users list (A3); the other screens of issue #14 join the menu.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Layout, Menu, Select, Space, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { adminApi, adminKeys, type AdminMe } from './api.ts';
import { PasswordDialog } from './PasswordDialog.tsx';
import { UsersPage } from './UsersPage.tsx';

export default function AdminShell({ me }: { me: AdminMe }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const a = me.admin;
  const domains = useQuery({ queryKey: adminKeys.domains, queryFn: adminApi.domains });
  const [domain, setDomain] = useState<string | null>(a.domain);
  useEffect(() => {
    if (domain === null && domains.data?.[0]) setDomain(domains.data[0].name);
  }, [domain, domains.data]);
  const [changing, setChanging] = useState(false);
  const logout = useMutation({
    mutationFn: adminApi.logout,
    onSettled: () => { queryClient.clear(); queryClient.setQueryData(adminKeys.me, null); },
  });
  const title = t(`admin.title.${a.role}`);
  useEffect(() => { document.title = `${title} · ${t('app.name')}`; }, [title, t]);
  const who = a.role === 'super' ? a.username : `${a.username}@${a.domain}`;

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header style={{ display: 'flex', alignItems: 'center', gap: 16, background: '#1f2d3d' }}>
        <Typography.Title level={4} style={{ color: '#fff', margin: 0, flex: 1 }}>{title}</Typography.Title>
        {a.role === 'super' && (
          <Select style={{ width: 220 }} value={domain ?? undefined} onChange={setDomain} aria-label={t('admin.domain')}
            options={(domains.data ?? []).map((d) => ({ value: d.name, label: d.displayName }))} />
        )}
        <Space>
          <Typography.Text style={{ color: '#cfd8e3' }}>{who}{a.department ? ` · ${a.department}` : ''}</Typography.Text>
          <Button onClick={() => setChanging(true)}>{t('admin.changePassword')}</Button>
          <Button onClick={() => logout.mutate()} loading={logout.isPending}>{t('shell.logout')}</Button>
        </Space>
      </Layout.Header>
      <Layout>
        <Layout.Sider width={200} theme="light">
          <Menu mode="inline" selectedKeys={['users']} items={[{ key: 'users', label: t('admin.menu.users') }]} />
        </Layout.Sider>
        <Layout.Content style={{ padding: 24 }}>
          {domain && <UsersPage key={domain} domain={domain} />}
        </Layout.Content>
      </Layout>
      <PasswordDialog open={changing} onClose={() => setChanging(false)} />
    </Layout>
  );
}
