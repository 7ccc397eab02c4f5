/**
 * A browser-like client for the web API in end-to-end tests: keeps cookies (as a browser would
 * send them back: SameSite=Strict cookies go to the same site), sends the CSRF header the way the
 * webmail does, and returns status, headers and parsed JSON. Over HTTPS it accepts the test
 * server's self-signed certificate.
 */
import { request as httpsRequest } from 'node:https';
import type { DirectoryUser } from '../../src/directory/users.ts';
import { startTestServer, type TestServer } from './server.ts';

export interface WebAnswer<T = any> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: T;
}

export class WebClient {
  readonly cookies = new Map<string, string>();
  csrf = '';

  constructor(readonly base: string) {}

  static of(t: TestServer, secure = false): WebClient {
    const port = t.config.ports[secure ? 'https' : 'http'];
    return new WebClient(`${secure ? 'https' : 'http'}://127.0.0.1:${port}`);
  }

  async get<T = any>(path: string): Promise<WebAnswer<T>> {
    return this.send<T>('GET', path);
  }

  /** POST JSON with the CSRF header (csrf: false leaves it out; a string sends that instead). */
  async post<T = any>(path: string, body: unknown, opts: { csrf?: boolean | string; contentType?: string } = {}): Promise<WebAnswer<T>> {
    const headers: Record<string, string> = { 'content-type': opts.contentType ?? 'application/json' };
    const csrf = typeof opts.csrf === 'string' ? opts.csrf : opts.csrf === false ? '' : this.csrf;
    if (csrf) headers['x-csrf-token'] = csrf;
    return this.send<T>('POST', path, typeof body === 'string' ? body : JSON.stringify(body), headers);
  }

  /** PUT JSON with the CSRF header. */
  async put<T = any>(path: string, body: unknown): Promise<WebAnswer<T>> {
    return this.send<T>('PUT', path, JSON.stringify(body), { 'content-type': 'application/json', ...(this.csrf ? { 'x-csrf-token': this.csrf } : {}) });
  }

  /** The pre-login token, then the login; returns the answer and keeps the session's CSRF token. */
  async login(address: string, password: string): Promise<WebAnswer> {
    this.csrf = (await this.get('/api/session/csrf')).json.csrfToken;
    const r = await this.post('/api/session/login', { address, password });
    if (r.status === 200) this.csrf = r.json.csrfToken;
    return r;
  }

  async send<T>(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<WebAnswer<T>> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const all = { ...headers, ...(cookie ? { cookie } : {}) };
    const res = this.base.startsWith('https:') ? await this.sendTls(method, path, body, all) : await (async () => {
      const r = await fetch(this.base + path, { method, body, headers: all, redirect: 'manual' });
      const h: Record<string, string | string[]> = {};
      r.headers.forEach((v, k) => { h[k] = v; });
      h['set-cookie'] = r.headers.getSetCookie();
      return { status: r.status, headers: h, text: await r.text() };
    })();
    const setCookies = res.headers['set-cookie'];
    for (const c of (Array.isArray(setCookies) ? setCookies : setCookies ? [setCookies] : [])) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      const [k, v] = [pair!.slice(0, i), pair!.slice(i + 1)];
      if (v === '' || /expires=Thu, 01 Jan 1970/i.test(c)) this.cookies.delete(k);
      else this.cookies.set(k, v);
    }
    let json: any;
    try { json = JSON.parse(res.text); } catch { json = undefined; }
    return { ...res, json };
  }

  private sendTls(method: string, path: string, body: string | undefined, headers: Record<string, string>) {
    return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }>((resolve, reject) => {
      const req = httpsRequest(this.base + path, { method, headers, rejectUnauthorized: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }
}

/**
 * The web API tests' usual server: HTTP on, no failed-login delay, and two users, alice@ and
 * bob@example.cn (their directory rows, to put mail in their folders before they log in).
 */
export async function startTwoUserWebServer(): Promise<{ t: TestServer; a: DirectoryUser; b: DirectoryUser }> {
  const t = await startTestServer({ http: true, settings: { 'security.failedLoginDelayMs': 0 } });
  await t.addUser('alice@example.cn');
  await t.addUser('bob@example.cn');
  return { t, a: (await t.rt.users.byAddress('alice@example.cn'))!, b: (await t.rt.users.byAddress('bob@example.cn'))! };
}

