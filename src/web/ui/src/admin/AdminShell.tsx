/**
 * The console around the screens (manual part 3 §1.2, §2.2, §3.3): the title by role, the domain
 * switcher for a super admin, "修改密码" and "退出" at the top right, the menu on the left: domain
 * information, users, org structure, department admins, mailing lists, monitoring rules, webmail
 * settings (with the customer book), the operation log and traffic; the super admin's directory
 * sharing, label overrides and import jobs; a
 * department admin has users and org structure (their subtree) only.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Layout, Menu, Select, Space, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { adminApi, adminKeys, type AdminMe } from './api.ts';
import { PasswordDialog } from './PasswordDialog.tsx';
import { UsersPage } from './UsersPage.tsx';
import { DomainInfoPage } from './DomainInfoPage.tsx';
import { OrgPage } from './OrgPage.tsx';
import { DepartmentAdminsPage } from './DepartmentAdminsPage.tsx';
import { ListsPage } from './ListsPage.tsx';
import { AuditPage } from './AuditPage.tsx';
import { WebmailSettingsPage } from './WebmailSettingsPage.tsx';
import { SuperDomainsPage } from './SuperDomainsPage.tsx';
import { SuperAdminsPage, SuperAliasesPage } from './SuperAdminsPage.tsx';
import { SharesPage } from './SharesPage.tsx';
import { MonitorsPage } from './MonitorsPage.tsx';
import { TrafficPage } from './TrafficPage.tsx';
import { LabelsPage } from './LabelsPage.tsx';
import { ImportsPage } from './ImportsPage.tsx';

type Screen = 'info' | 'users' | 'org' | 'deptAdmins' | 'lists' | 'monitors' | 'webmail' | 'audit' | 'traffic' | 'domains' | 'domainAdmins' | 'aliases' | 'shares' | 'labels' | 'imports';
/** The super admin's own screens (manual part 3 §2.3–§2.4), before the domain console's. */
const SUPER_SCREENS: Screen[] = ['domains', 'domainAdmins', 'aliases', 'shares', 'labels', 'imports'];
/** The screens of this slice (monitoring, traffic, labels, imports): their labels live under ops.menu. */
const OPS_SCREENS: Screen[] = ['monitors', 'traffic', 'labels', 'imports'];

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
  const domainScreens: Screen[] = a.role === 'department' ? ['users', 'org'] : ['info', 'users', 'org', 'deptAdmins', 'lists', 'monitors', 'webmail', 'audit', 'traffic'];
  const screens = a.role === 'super' ? [...SUPER_SCREENS, ...domainScreens] : domainScreens;
  const [screen, setScreen] = useState<Screen>(a.role === 'super' ? 'domains' : 'users');
  const label = (key: Screen) => (OPS_SCREENS.includes(key) ? t(`ops.menu.${key}`) : SUPER_SCREENS.includes(key) ? t(`super.menu.${key}`) : key === 'users' ? t('admin.menu.users') : t(`console.menu.${key}`));
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
          <Select style={{ width: 220 }} value={domain ?? undefined} onChange={setDomain} aria-label={t('admin.domain')} showSearch optionFilterProp="label"
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
          <Menu mode="inline" selectedKeys={[screen]} onClick={(e) => setScreen(e.key as Screen)}
            items={screens.map((key) => ({ key, label: label(key) }))} />
        </Layout.Sider>
        <Layout.Content style={{ padding: 24 }}>
          {screen === 'domains' && <SuperDomainsPage onSwitch={(d) => { setDomain(d); setScreen('info'); }} />}
          {domain && screen === 'domainAdmins' && <SuperAdminsPage key={domain} domain={domain} />}
          {domain && screen === 'aliases' && <SuperAliasesPage key={domain} domain={domain} />}
          {screen === 'shares' && <SharesPage />}
          {domain && screen === 'users' && <UsersPage key={domain} domain={domain} />}
          {domain && screen === 'info' && <DomainInfoPage key={domain} domain={domain} isSuper={a.role === 'super'} />}
          {domain && screen === 'org' && <OrgPage key={domain} domain={domain} isDepartmentAdmin={a.role === 'department'} />}
          {domain && screen === 'deptAdmins' && <DepartmentAdminsPage key={domain} domain={domain} />}
          {domain && screen === 'lists' && <ListsPage key={domain} domain={domain} />}
          {domain && screen === 'webmail' && <WebmailSettingsPage key={domain} domain={domain} />}
          {domain && screen === 'audit' && <AuditPage key={domain} domain={domain} />}
          {domain && screen === 'monitors' && <MonitorsPage key={domain} domain={domain} />}
          {domain && screen === 'traffic' && <TrafficPage key={domain} domain={domain} />}
          {screen === 'labels' && <LabelsPage />}
          {screen === 'imports' && <ImportsPage />}
        </Layout.Content>
      </Layout>
      <PasswordDialog open={changing} onClose={() => setChanging(false)} />
    </Layout>
  );
}
