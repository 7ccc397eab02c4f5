/**
 * The mail shell (FEATURES W3): header with the product name, the search box (search/: its
 * results replace the list), today's date, the user and sign-out; the folder tree with unread counts
 * and the quota bar (used = the folders' bytes, against /me's quotaBytes); the list (W4) and the
 * reading pane (W5) side by side; the domain's logo and announcement (A8, Branding.tsx). Loaded as
 * its own chunk after login.
 */
import { EditOutlined, LogoutOutlined, MenuOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { optionKeys, optionsApi } from './options/options-api.ts';
import { App as AntApp, Button, Drawer, Grid, Layout, Progress, Spin, Tooltip, Typography } from 'antd';
import { lazy, Suspense, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, keys, type Me } from './api.ts';
import { Announcement, BrandLogo, HomeLinks } from './Branding.tsx';
import { bytes } from './format.ts';
import { FolderTree } from './FolderTree.tsx';
import { MessageList } from './MessageList.tsx';
import { ReadingPane } from './ReadingPane.tsx';
import { ConversationList } from './ConversationList.tsx';
import { ConversationPane } from './ConversationPane.tsx';
import { parseStart } from './compose/prefill.ts';
import './shell.css';
import { SearchBox } from './search/SearchBox.tsx';
import type { SearchRequest } from './search/search-api.ts';

const SearchView = lazy(() => import('./search/SearchView.tsx'));

const ContactsModule = lazy(() => import('./contacts/ContactsModule.tsx'));
const OptionsModule = lazy(() => import('./options/OptionsModule.tsx'));

// Compose and its editor (tiptap) load when someone first writes.
const Compose = lazy(() => import('./compose/Compose.tsx'));

/** The URL hash, kept in state: #compose… opens compose (links from contacts, reply buttons). */
function useHash(): [string, (h: string) => void] {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return [hash, (h) => { location.hash = h; if (!h) history.replaceState(null, '', location.pathname + location.search); setHash(h ? `#${h.replace(/^#/, '')}` : ''); }];
}

function Quota({ used, quota }: { used: number; quota: number }) {
  const { t, i18n } = useTranslation();
  const text = quota > 0
    ? t('shell.quota', { used: bytes(used, i18n.language), total: bytes(quota, i18n.language) })
    : t('shell.quotaUnlimited', { used: bytes(used, i18n.language) });
  return (
    <div className="yj-quota">
      {quota > 0 && (
        <Progress percent={Math.min(100, Math.round((used / quota) * 1000) / 10)} size="small" showInfo={false}
          status={used / quota > 0.9 ? 'exception' : 'normal'} aria-label={t('shell.quotaLabel')} />
      )}
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>{text}</Typography.Text>
    </div>
  );
}

function MailShell({ me }: { me: Me }) {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const folders = useQuery({ queryKey: keys.folders, queryFn: api.folders, refetchInterval: 60_000 });
  const [folderId, setFolderId] = useState<number>();
  const [page, setPage] = useState(1);
  const [openUid, setOpenUid] = useState<number>();
  const [search, setSearch] = useState<SearchRequest>();
  const [hash, go] = useHash();
  const composing = hash.startsWith('#compose');
  const module = /^#contacts\b/.test(hash) ? 'contacts' : /^#options\b/.test(hash) ? 'options' : 'mail';
  // W15: below 768 px the same app on one column: folders in a drawer, the list or the open message.
  const phone = Grid.useBreakpoint().md === false;
  // 阅读窗格 (Options): on a phone the list and the mail always take turns.
  const prefs = useQuery({ queryKey: optionKeys.preferences, queryFn: optionsApi.preferences, staleTime: 5 * 60_000 }).data;
  const pane = prefs?.readingPane ?? 'right';
  // W4 conversation view: the list groups by thread and the pane shows a whole conversation.
  const threaded = prefs?.conversationView ?? false;
  const [openThread, setOpenThread] = useState<string>();
  useEffect(() => { setOpenThread(undefined); setOpenUid(undefined); }, [threaded]);
  const inPlace = phone || pane === 'off';
  const [drawer, setDrawer] = useState(false);

  useEffect(() => {
    if (folderId === undefined && folders.data?.length) setFolderId((folders.data.find((f) => f.specialUse === '\\Inbox') ?? folders.data[0]!).id);
  }, [folders.data, folderId]);

  // Server push (GET /api/events): a changed folder refreshes its counts and list; no polling needed.
  useEffect(() => {
    const events = new EventSource('/api/events');
    events.addEventListener('mailbox', (e) => {
      const { folderId: changed } = JSON.parse((e as MessageEvent<string>).data) as { folderId: number };
      void queryClient.invalidateQueries({ queryKey: keys.folders });
      void queryClient.invalidateQueries({ queryKey: keys.messages(changed) });
      void queryClient.invalidateQueries({ queryKey: ['search'] }); // open search results may have changed too
    });
    events.addEventListener('folders', () => void queryClient.invalidateQueries({ queryKey: keys.folders }));
    events.addEventListener('session-ended', () => { events.close(); queryClient.setQueryData(keys.me, null); });
    return () => events.close();
  }, [queryClient]);

  const folder = folders.data?.find((f) => f.id === folderId);
  const used = folders.data?.reduce((n, f) => n + f.bytes, 0) ?? 0;
  const logout = async () => {
    try { await api.logout(); } finally {
      // The App watches the "me" query: set it (clear() would detach the watcher), then drop the rest.
      queryClient.setQueryData(keys.me, null);
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== keys.me[0] });
    }
  };

  /** The previous and next message of the open one on the list's current page. */
  const neighbours = (id: number) => {
    const lines = queryClient.getQueryData<{ messages: Array<{ uid: number }> }>(keys.messagePage(id, page))?.messages ?? [];
    const i = lines.findIndex((l) => l.uid === openUid);
    if (i < 0) return undefined;
    return {
      prev: i > 0 ? () => setOpenUid(lines[i - 1]!.uid) : undefined,
      next: i < lines.length - 1 ? () => setOpenUid(lines[i + 1]!.uid) : undefined,
    };
  };

  const side = (
    <>
      <div className="yj-write"><Button type="primary" block icon={<EditOutlined />} onClick={() => { setDrawer(false); go('#compose'); }}>{t('compose.write')}</Button></div>
      {folders.data ? (
        <>
          <FolderTree folders={folders.data} selected={folderId} onSelect={(id) => { setFolderId(id); setPage(1); setOpenUid(undefined); setOpenThread(undefined); setSearch(undefined); setDrawer(false); if (composing) go(''); }} />
          <Quota used={used} quota={me.user.quotaBytes} />
        </>
      ) : <Spin aria-label={t('shell.loading')} />}
    </>
  );

  return (
    <Layout className="yj-shell">
      <Layout.Header className="yj-header">
        {phone && module === 'mail' && <Button type="text" icon={<MenuOutlined />} aria-label={t('shell.folders')} onClick={() => setDrawer(true)} />}
        <BrandLogo address={me.user.address} alt={t('app.name')} />
        <Typography.Title level={4} className="yj-brand">{t('app.name')}</Typography.Title>
        <nav className="yj-modules" aria-label={t('nav.label')}>
          <a href="#mail" aria-current={module === 'mail' ? 'page' : undefined}>{t('nav.mail')}</a>
          {(me.modules?.personalContacts !== false || me.modules?.enterpriseDirectory !== false) &&
            <a href="#contacts" aria-current={module === 'contacts' ? 'page' : undefined}>{t('nav.contacts')}</a>}
          <a href="#options" aria-current={module === 'options' ? 'page' : undefined}>{t('options.nav')}</a>
        </nav>
        <SearchBox folders={folders.data ?? []} onSearch={(r) => { setSearch(r); if (module !== 'mail' || composing) go(''); }} />
        <HomeLinks address={me.user.address} label={t('shell.homeLinks')} />
        <span className="yj-today">{new Intl.DateTimeFormat(i18n.language, { dateStyle: 'full' }).format(new Date())}</span>
        <span className="yj-user" aria-label={t('shell.userMenu', { address: me.user.address })}>{me.user.realName || me.user.address}</span>
        <Tooltip title={t('shell.logout')}>
          <Button type="text" icon={<LogoutOutlined />} onClick={() => void logout()}>{t('shell.logout')}</Button>
        </Tooltip>
      </Layout.Header>
      {module === 'mail' && <Announcement address={me.user.address} />}
      {module === 'options' ? (
        <Layout.Content className="yj-main"><Suspense fallback={<Spin aria-label={t('shell.loading')} />}><OptionsModule modules={me.modules} /></Suspense></Layout.Content>
      ) : module === 'contacts' ? (
        <Layout.Content className="yj-main"><Suspense fallback={<Spin aria-label={t('shell.loading')} />}><ContactsModule modules={me.modules} /></Suspense></Layout.Content>
      ) : <Layout>
        {phone
          ? <Drawer open={drawer} onClose={() => setDrawer(false)} placement="left" width={260} title={t('shell.folders')} className="yj-drawer">{side}</Drawer>
          : <Layout.Sider width={220} theme="light" className="yj-sider">{side}</Layout.Sider>}
        <Layout.Content className={`yj-main${phone ? ' yj-phone' : pane !== 'right' ? ` yj-pane-${pane}` : ''}${openUid !== undefined ? ' yj-has-open' : ''}`}>
          {composing ? (
            <Suspense fallback={<Spin aria-label={t('shell.loading')} />}>
              <Compose key={hash} me={me} start={parseStart(hash)} startKey={hash} onClose={() => go('')}
                onReopen={(d) => go(`#compose?draft=${d.folderId}/${d.uid}`)} />
            </Suspense>
          ) : search ? (
            <Suspense fallback={<Spin aria-label={t('shell.loading')} />}>
              <SearchView request={search} folders={folders.data ?? []} onClose={() => setSearch(undefined)} go={go} />
            </Suspense>
          ) : folder && folders.data && threaded ? (
            <>
              <ConversationList folder={folder} folders={folders.data} page={page} onPage={setPage} openKey={openThread}
                onOpen={(c) => {
                  if (folder.specialUse === '\\Drafts' && c) { go(`#compose?draft=${folder.id}/${c.latest.uid}`); return; }
                  setOpenThread(c?.key);
                  setOpenUid(c?.latest.uid);
                }} />
              <ConversationPane folderId={folder.id} conversationKey={openThread}
                onBack={inPlace ? () => { setOpenThread(undefined); setOpenUid(undefined); } : undefined}
                onCompose={(kind, uid) => go(`#compose?${kind}=${folder.id}/${uid}`)} />
            </>
          ) : folder && folders.data && (
            <>
              <MessageList folder={folder} folders={folders.data} page={page} onPage={setPage} openUid={openUid}
                onOpen={(uid) => (folder.specialUse === '\\Drafts' ? go(`#compose?draft=${folder.id}/${uid}`) : setOpenUid(uid))} />
              <ReadingPane folderId={folder.id} uid={openUid} onBack={inPlace ? () => setOpenUid(undefined) : undefined} onStep={neighbours(folder.id)} onCompose={(kind, uid) => go(`#compose?${kind}=${folder.id}/${uid}`)} />
            </>
          )}
        </Layout.Content>
      </Layout>}
    </Layout>
  );
}

export default function Shell({ me }: { me: Me }) {
  return <AntApp><MailShell me={me} /></AntApp>;
}
