/**
 * What the domain's admins set for its webmail (FEATURES A8, GET /api/branding/:domain): the logo
 * after sign-in in the header, and the announcement (系统公告) above the mail, which a user may
 * close for this visit, and the home links (首页链接) in the header. Plain text only: the announcement
 * is shown as text, never as HTML; a link goes only to an http(s) address, in a new tab without an opener.
 */
import { useQuery } from '@tanstack/react-query';
import { LinkOutlined } from '@ant-design/icons';
import { Alert, Button, Dropdown } from 'antd';
import { useState } from 'react';
import { requestJson } from './api.ts';

interface Branding {
  domain: string;
  loginTemplate: 'default' | 'business-blue' | 'classic-126' | 'minimal';
  /** The custom login field's name when the domain switched it on (自定义用户字段), else null. */
  customLoginField: string | null;
  announcement: { title: string; body: string } | null;
  homeLinks: Array<{ title: string; url: string }>;
  logos: Array<'afterLogin' | 'beforeLogin' | 'loginBackground'>;
}

const enc = encodeURIComponent;

export function useBranding(address: string) {
  return useDomainBranding(address.slice(address.lastIndexOf('@') + 1));
}

function useDomainBranding(domain: string | undefined) {
  return useQuery({
    queryKey: ['branding', domain],
    queryFn: () => requestJson<Branding>('GET', `/api/branding/${enc(domain!)}`, undefined, ''),
    staleTime: 5 * 60_000, retry: false, enabled: Boolean(domain),
  });
}

/**
 * The domain whose login page this is (W1: templates and logos per domain): `?domain=` in the
 * address, else the host name without a leading mail./webmail./www. (mail.example.cn → example.cn);
 * none on an IP address or localhost.
 */
export function loginDomain(loc: Pick<Location, 'search' | 'hostname'> = location): string | undefined {
  const asked = new URLSearchParams(loc.search).get('domain');
  if (asked) return asked.toLowerCase();
  const host = loc.hostname.toLowerCase();
  if (host === 'localhost' || /^[\d.]+$/.test(host) || host.includes(':') || !host.includes('.')) return undefined;
  return host.replace(/^(mail|webmail|www)\./, '');
}

/** The login page's look for its domain: the template's class, and the logo and background when set. */
export function useLoginBranding() {
  const b = useDomainBranding(loginDomain()).data;
  const url = (slot: string) => `/api/branding/${enc(b!.domain)}/logos/${slot}`;
  return {
    /** The domain the page signs in to, and its custom login field's name when switched on (自定义用户字段). */
    domain: b?.domain,
    customField: b?.customLoginField ?? null,
    template: b?.loginTemplate ?? 'default',
    logo: b?.logos.includes('beforeLogin') ? url('beforeLogin') : undefined,
    background: b?.logos.includes('loginBackground') ? url('loginBackground') : undefined,
  };
}

export function BrandLogo({ address, alt }: { address: string; alt: string }) {
  const b = useBranding(address).data;
  if (!b?.logos.includes('afterLogin')) return null;
  return <img className="yj-logo" src={`/api/branding/${enc(b.domain)}/logos/afterLogin`} alt={alt} style={{ maxHeight: 40, maxWidth: 200, marginRight: 8 }} />;
}

/** 首页链接: the links the domain's admins put on the webmail's home, opened in a new tab. */
export function HomeLinks({ address, label }: { address: string; label: string }) {
  const links = (useBranding(address).data?.homeLinks ?? []).filter((l) => /^https?:\/\//i.test(l.url));
  if (links.length === 0) return null;
  return (
    <Dropdown menu={{ items: links.map((l, i) => ({ key: i, label: <a href={l.url} target="_blank" rel="noopener noreferrer">{l.title}</a> })) }}>
      <Button type="text" icon={<LinkOutlined />}>{label}</Button>
    </Dropdown>
  );
}

export function Announcement({ address }: { address: string }) {
  const b = useBranding(address).data;
  const [closed, setClosed] = useState(false);
  if (!b?.announcement || closed) return null;
  return (
    <Alert type="info" showIcon closable onClose={() => setClosed(true)} role="note" aria-label={b.announcement.title}
      message={b.announcement.title} description={b.announcement.body ? <span style={{ whiteSpace: 'pre-wrap' }}>{b.announcement.body}</span> : undefined}
      style={{ margin: '8px 8px 0' }} />
  );
}
