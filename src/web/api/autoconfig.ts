/**
 * Client autoconfiguration (issue #15 §5): a user types address and password, the mail client
 * finds the servers. Thunderbird's autoconfig (config-v1.1.xml at /.well-known/autoconfig/mail/
 * and at autoconfig.<domain>/mail/), Outlook's Autodiscover POX (POST /autodiscover/autodiscover.xml,
 * the 2006a response schema) and an Apple configuration profile (/apple/mobileconfig, an unsigned
 * .mobileconfig with one mail account). Only for the domains this server has; the answers name the
 * server's host name and the ports it listens on, implicit TLS first, then STARTTLS.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';

export interface MailEndpoints {
  hostname: string;
  ports: { imap: number; imaps: number; pop3: number; pop3s: number; submission: number; smtps: number };
  /** The domain behind `name` when it is one of ours (a domain alias gives its domain), else undefined. */
  resolveDomain(name: string): Promise<{ name: string } | undefined>;
}

type Endpoint = { protocol: 'imap' | 'pop3' | 'smtp'; port: number; tls: 'implicit' | 'starttls' };

/** Every way in, best first: implicit TLS, then STARTTLS; ports that are off are left out. */
function endpoints(e: MailEndpoints): Endpoint[] {
  const all: Endpoint[] = [
    { protocol: 'imap', port: e.ports.imaps, tls: 'implicit' }, { protocol: 'imap', port: e.ports.imap, tls: 'starttls' },
    { protocol: 'pop3', port: e.ports.pop3s, tls: 'implicit' }, { protocol: 'pop3', port: e.ports.pop3, tls: 'starttls' },
    { protocol: 'smtp', port: e.ports.smtps, tls: 'implicit' }, { protocol: 'smtp', port: e.ports.submission, tls: 'starttls' },
  ];
  return all.filter((x) => x.port > 0);
}

const xml = (s: string) => s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);

/** An address the client sent, if it looks like one: local@domain, no markup, at most 320 characters. */
function addressOf(text: unknown): { address: string; domain: string } | undefined {
  if (typeof text !== 'string' || text.length > 320) return undefined;
  const a = text.trim();
  const at = a.lastIndexOf('@');
  if (at < 1 || at === a.length - 1 || /[\s<>"'&]/.test(a)) return undefined;
  return { address: a, domain: a.slice(at + 1).toLowerCase() };
}

export function thunderbirdConfig(e: MailEndpoints, domain: string): string {
  const server = (x: Endpoint, tag: 'incomingServer' | 'outgoingServer') => `    <${tag} type="${x.protocol}">
      <hostname>${xml(e.hostname)}</hostname>
      <port>${x.port}</port>
      <socketType>${x.tls === 'implicit' ? 'SSL' : 'STARTTLS'}</socketType>
      <authentication>password-cleartext</authentication>
      <username>%EMAILADDRESS%</username>
    </${tag}>`;
  const list = endpoints(e);
  return `<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="${xml(domain)}">
    <domain>${xml(domain)}</domain>
    <displayName>${xml(domain)}</displayName>
    <displayShortName>${xml(domain)}</displayShortName>
${[...list.filter((x) => x.protocol !== 'smtp').map((x) => server(x, 'incomingServer')), ...list.filter((x) => x.protocol === 'smtp').map((x) => server(x, 'outgoingServer'))].join('\n')}
  </emailProvider>
</clientConfig>
`;
}

export function autodiscoverResponse(e: MailEndpoints, address: string): string {
  const byProtocol = new Map<string, Endpoint>();
  for (const x of endpoints(e)) if (!byProtocol.has(x.protocol)) byProtocol.set(x.protocol, x);
  const protocols = [...byProtocol.values()].map((x) => `      <Protocol>
        <Type>${x.protocol.toUpperCase()}</Type>
        <Server>${xml(e.hostname)}</Server>
        <Port>${x.port}</Port>
        <LoginName>${xml(address)}</LoginName>
        <DomainRequired>off</DomainRequired>
        <SPA>off</SPA>
        <SSL>on</SSL>
        ${x.tls === 'starttls' ? '<Encryption>TLS</Encryption>\n        ' : ''}<AuthRequired>on</AuthRequired>
      </Protocol>`).join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
  <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
    <Account>
      <AccountType>email</AccountType>
      <Action>settings</Action>
${protocols}
    </Account>
  </Response>
</Autodiscover>
`;
}

/** A stable UUID from text, so the same account's profile replaces the one installed before. */
function uuidFrom(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`.toUpperCase();
}

export function appleProfile(e: MailEndpoints, address: string, domain: string): string | undefined {
  const list = endpoints(e);
  const incoming = list.find((x) => x.protocol === 'imap') ?? list.find((x) => x.protocol === 'pop3');
  const outgoing = list.find((x) => x.protocol === 'smtp');
  if (!incoming || !outgoing) return undefined;
  const str = (k: string, v: string) => `      <key>${k}</key>\n      <string>${xml(v)}</string>`;
  const int = (k: string, v: number) => `      <key>${k}</key>\n      <integer>${v}</integer>`;
  const bool = (k: string, v: boolean) => `      <key>${k}</key>\n      <${v}/>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>PayloadContent</key>
  <array>
    <dict>
${[
    str('EmailAccountDescription', address), str('EmailAccountName', address),
    str('EmailAccountType', incoming.protocol === 'imap' ? 'EmailTypeIMAP' : 'EmailTypePOP'), str('EmailAddress', address),
    str('IncomingMailServerAuthentication', 'EmailAuthPassword'), str('IncomingMailServerHostName', e.hostname),
    int('IncomingMailServerPortNumber', incoming.port), bool('IncomingMailServerUseSSL', true), str('IncomingMailServerUsername', address),
    str('OutgoingMailServerAuthentication', 'EmailAuthPassword'), str('OutgoingMailServerHostName', e.hostname),
    int('OutgoingMailServerPortNumber', outgoing.port), bool('OutgoingMailServerUseSSL', true), str('OutgoingMailServerUsername', address),
    bool('OutgoingPasswordSameAsIncomingPassword', true),
    str('PayloadDescription', `Mail account ${address}`), str('PayloadDisplayName', address),
    str('PayloadIdentifier', `com.youju.mail.${domain}.account.${uuidFrom(address)}`), str('PayloadType', 'com.apple.mail.managed'),
    str('PayloadUUID', uuidFrom(`account:${address}`)), int('PayloadVersion', 1),
  ].join('\n')}
    </dict>
  </array>
  <key>PayloadDescription</key>
  <string>${xml(`Sets up the mail account ${address}`)}</string>
  <key>PayloadDisplayName</key>
  <string>${xml(`${domain} mail`)}</string>
  <key>PayloadIdentifier</key>
  <string>${xml(`com.youju.mail.${domain}.${uuidFrom(address)}`)}</string>
  <key>PayloadType</key>
  <string>Configuration</string>
  <key>PayloadUUID</key>
  <string>${uuidFrom(`profile:${address}`)}</string>
  <key>PayloadVersion</key>
  <integer>1</integer>
</dict>
</plist>
`;
}

const notOurs = (reply: FastifyReply) => reply.code(404).type('text/plain; charset=utf-8').send('No mail service for that domain here');

export function registerAutoconfig(app: FastifyInstance, e: MailEndpoints): void {
  // Autodiscover posts XML; only its route reads it (the API takes JSON alone).
  app.addContentTypeParser(['text/xml', 'application/xml'], { parseAs: 'string', bodyLimit: 16 * 1024 }, (_req, body, done) => done(null, body));

  const thunderbird = async (domainText: string | undefined, reply: FastifyReply) => {
    const domain = domainText && await e.resolveDomain(domainText);
    if (!domain) return notOurs(reply);
    return reply.type('application/xml; charset=utf-8').header('cache-control', 'max-age=3600').send(thunderbirdConfig(e, domain.name));
  };
  // Thunderbird asks https://<domain>/.well-known/… and https://autoconfig.<domain>/mail/…, with ?emailaddress=.
  for (const path of ['/.well-known/autoconfig/mail/config-v1.1.xml', '/mail/config-v1.1.xml']) {
    app.get(path, async (req, reply) => {
      const q = req.query as { emailaddress?: unknown };
      const fromAddress = addressOf(q.emailaddress)?.domain;
      const host = String(req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
      return thunderbird(fromAddress ?? host.replace(/^autoconfig\./, ''), reply);
    });
  }

  for (const path of ['/autodiscover/autodiscover.xml', '/Autodiscover/Autodiscover.xml']) {
    app.post(path, async (req, reply) => {
      const body = typeof req.body === 'string' ? req.body : '';
      const m = /<EMailAddress>\s*([^<]*?)\s*<\/EMailAddress>/i.exec(body);
      const a = addressOf(m?.[1]);
      if (!a) return reply.code(400).type('text/plain; charset=utf-8').send('The request names no EMailAddress');
      if (!/outlook\/responseschema\/2006a/i.test(body)) return reply.code(400).type('text/plain; charset=utf-8').send('Only the 2006a (POX) response schema is served');
      const domain = await e.resolveDomain(a.domain);
      if (!domain) return notOurs(reply);
      return reply.type('text/xml; charset=utf-8').send(autodiscoverResponse(e, a.address));
    });
  }

  app.get('/apple/mobileconfig', async (req, reply) => {
    const a = addressOf((req.query as { emailaddress?: unknown }).emailaddress);
    if (!a) return reply.code(400).type('text/plain; charset=utf-8').send('Give the address: /apple/mobileconfig?emailaddress=you@example.cn');
    const domain = await e.resolveDomain(a.domain);
    if (!domain) return notOurs(reply);
    const profile = appleProfile(e, a.address, domain.name);
    if (!profile) return notOurs(reply);
    return reply.type('application/x-apple-aspen-config')
      .header('content-disposition', `attachment; filename="${domain.name}.mobileconfig"`).send(profile);
  });
}
