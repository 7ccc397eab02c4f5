// Client autoconfig (issue #15 §5), each asked the way the client asks: Thunderbird's GET of
// config-v1.1.xml (with ?emailaddress=, and by host name autoconfig.<domain>), Outlook's POX
// Autodiscover POST with the XML it sends, and the Apple configuration profile. The answers name
// this server and the ports it listens on; a domain that is not ours gets 404.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../../helpers/server.ts';

function http(t: TestServer, method: string, path: string, o: { host?: string; body?: string; type?: string } = {}): Promise<{ status: number; type: string; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: t.config.ports.http, method, path, headers: {
      ...(o.host ? { host: o.host } : {}), ...(o.body ? { 'content-type': o.type ?? 'text/xml', 'content-length': Buffer.byteLength(o.body) } : {}),
    } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

// What Outlook sends (POX, the 2006a response schema).
const outlookRequest = (address: string) => `<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
  <Request>
    <EMailAddress>${address}</EMailAddress>
    <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>
  </Request>
</Autodiscover>`;

describe('client autoconfig', () => {
  let t: TestServer;
  before(async () => { t = await startTestServer({ http: true, imap: true, pop3: true }); });
  after(() => t.close());

  it('Thunderbird: config-v1.1.xml by address and by autoconfig.<domain>, IMAP/POP3/SMTP with TLS', async () => {
    for (const r of [
      await http(t, 'GET', '/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=alice%40example.cn'),
      await http(t, 'GET', '/mail/config-v1.1.xml', { host: 'autoconfig.example.cn' }),
    ]) {
      assert.equal(r.status, 200, r.body);
      assert.match(r.type, /application\/xml/);
      assert.match(r.body, /<emailProvider id="example\.cn">/);
      const imaps = new RegExp(`<incomingServer type="imap">\\s*<hostname>mx\\.youju\\.test</hostname>\\s*<port>${t.config.ports.imaps}</port>\\s*<socketType>SSL</socketType>`);
      assert.match(r.body, imaps);
      assert.match(r.body, new RegExp(`<incomingServer type="pop3">\\s*<hostname>mx\\.youju\\.test</hostname>\\s*<port>${t.config.ports.pop3s}</port>`));
      assert.match(r.body, new RegExp(`<outgoingServer type="smtp">\\s*<hostname>mx\\.youju\\.test</hostname>\\s*<port>${t.ports.smtps}</port>\\s*<socketType>SSL</socketType>`));
      assert.match(r.body, new RegExp(`<port>${t.ports.submission}</port>\\s*<socketType>STARTTLS</socketType>`));
      assert.match(r.body, /<username>%EMAILADDRESS%<\/username>/);
    }
    assert.equal((await http(t, 'GET', '/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=bob%40elsewhere.test')).status, 404);
  });

  it('Outlook: Autodiscover POX answers the request Outlook sends', async () => {
    const r = await http(t, 'POST', '/autodiscover/autodiscover.xml', { body: outlookRequest('alice@example.cn') });
    assert.equal(r.status, 200, r.body);
    assert.match(r.type, /text\/xml/);
    assert.match(r.body, /<Response xmlns="http:\/\/schemas\.microsoft\.com\/exchange\/autodiscover\/outlook\/responseschema\/2006a">/);
    assert.match(r.body, new RegExp(`<Type>IMAP</Type>\\s*<Server>mx\\.youju\\.test</Server>\\s*<Port>${t.config.ports.imaps}</Port>\\s*<LoginName>alice@example\\.cn</LoginName>`));
    assert.match(r.body, new RegExp(`<Type>SMTP</Type>\\s*<Server>mx\\.youju\\.test</Server>\\s*<Port>${t.ports.smtps}</Port>`));
    assert.equal((await http(t, 'POST', '/Autodiscover/Autodiscover.xml', { body: outlookRequest('x@elsewhere.test') })).status, 404);
    const noAddress = await http(t, 'POST', '/autodiscover/autodiscover.xml', { body: '<Autodiscover><Request></Request></Autodiscover>' });
    assert.equal(noAddress.status, 400);
    const hostile = await http(t, 'POST', '/autodiscover/autodiscover.xml', { body: outlookRequest('a"><x>@example.cn') });
    assert.equal(hostile.status, 400, 'markup in the address is refused, never echoed');
  });

  it('Apple: a configuration profile with one IMAP account, the same UUIDs each time', async () => {
    const r = await http(t, 'GET', '/apple/mobileconfig?emailaddress=alice%40example.cn');
    assert.equal(r.status, 200, r.body);
    assert.equal(r.type, 'application/x-apple-aspen-config');
    assert.match(String(r.headers['content-disposition']), /attachment; filename="example\.cn\.mobileconfig"/);
    assert.match(r.body, /<key>PayloadType<\/key>\s*<string>com\.apple\.mail\.managed<\/string>/);
    assert.match(r.body, /<key>EmailAccountType<\/key>\s*<string>EmailTypeIMAP<\/string>/);
    assert.match(r.body, new RegExp(`<key>IncomingMailServerPortNumber</key>\\s*<integer>${t.config.ports.imaps}</integer>`));
    assert.match(r.body, /<key>IncomingMailServerUsername<\/key>\s*<string>alice@example\.cn<\/string>/);
    assert.equal((await http(t, 'GET', '/apple/mobileconfig?emailaddress=alice%40example.cn')).body, r.body);
    assert.equal((await http(t, 'GET', '/apple/mobileconfig')).status, 400);
  });
});
