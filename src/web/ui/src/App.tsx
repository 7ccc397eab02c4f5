/**
 * The screens: while /api/session/me is asked, a spinner; without a session the login page (W1);
 * with one the mail shell (W3–W5), its own chunk so the login page comes up fast (fetched while
 * the login page is shown). Under /webmail/admin/ the admin consoles instead (admin/AdminApp.tsx).
 * ConfigProvider gets antd's locale for the chosen language once its chunk arrives.
 */
import { useQuery } from '@tanstack/react-query';
import { ConfigProvider, Spin } from 'antd';
import type { Locale } from 'antd/es/locale';
import { lazy, Suspense, useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api, keys } from './api.ts';
import { loadAntdLocale } from './i18n.ts';
import { Login } from './Login.tsx';

const loadShell = () => import('./Shell.tsx');
const Shell = lazy(loadShell);
// The admin consoles (/webmail/admin/, issue #14): their own chunk and their own session.
const AdminApp = lazy(() => import('./admin/AdminApp.tsx'));
const isAdmin = () => /^\/webmail\/admin(\/|$)/.test(window.location.pathname);

function Loading() {
  const { t } = useTranslation();
  return <div style={{ display: 'grid', placeItems: 'center', height: '100vh' }}><Spin aria-label={t('shell.loading')} /></div>;
}

export function App() {
  return isAdmin() ? <Localised><Suspense fallback={<Loading />}><AdminApp /></Suspense></Localised> : <Localised><Webmail /></Localised>;
}

function Localised({ children }: { children: ReactNode }) {
  const { i18n } = useTranslation();
  const [locale, setLocale] = useState<Locale>();
  useEffect(() => {
    let live = true;
    void loadAntdLocale(i18n.language).then((l) => { if (live) setLocale(l); });
    return () => { live = false; };
  }, [i18n.language]);
  return (
    <ConfigProvider locale={locale} button={{ autoInsertSpace: false }} theme={{ token: { colorPrimary: '#1f6feb' } }}>
      {children}
    </ConfigProvider>
  );
}

function Webmail() {
  const me = useQuery({ queryKey: keys.me, queryFn: api.me, staleTime: Infinity });
  // While the user types the password, fetch the shell's chunk so the inbox follows the login at once.
  useEffect(() => { if (me.data === null) void loadShell(); }, [me.data]);

  return me.isPending ? <Loading />
    : me.data ? <Suspense fallback={<Loading />}><Shell me={me.data} /></Suspense>
    : <Login />;
}
