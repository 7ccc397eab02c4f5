/**
 * 登录接口地址 (manual part 3 §1.8.11, FEATURES W16): single sign-on from another site. That site
 * posts a user name and an auth_key to the webmail (POST /webmail/sso); Youju posts both, as a
 * form, to the URL the domain's admin set, and logs the user in only when that URL answers
 * `<?xml version="1.0"?><auth><status>ok</status></auth>`. The check is server to server: the
 * browser never sees the URL's answer. Everything else of a login still applies (a frozen account,
 * an expired domain). The URL is asked with a timeout and no redirects, and at most 16 KB of its
 * answer is read. A domain admin types that URL, so it passes the collectors' SSRF guard
 * (collect/host-guard.ts, handed in by main.ts): loopback, private and link-local addresses are
 * refused, literal or resolved, unless collect.allowPrivateHosts.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { MailError } from '../core/errors.ts';
import { parseAddress } from './address.ts';
import type { DirectoryUser, UserService } from './users.ts';
import type { WebmailSettingsService } from './webmail-settings.ts';

const ANSWER_LIMIT = 16 * 1024;

export interface SsoHostGuard {
  refuseLiteral(host: string): string | undefined;
  /** A net.connect lookup that fails with code EPRIVATEHOST on a private address. */
  lookup: (hostname: string, options: object, callback: (err: NodeJS.ErrnoException | null, address: string | Array<{ address: string; family: number }>, family?: number) => void) => void;
}

export interface SsoDeps {
  webmail: Pick<WebmailSettingsService, 'ssoUrl'>;
  users: Pick<UserService, 'authenticateVouched'>;
  /** How long the verification URL may take (default 5 s). */
  timeoutMs?: number;
  /** The SSRF guard the collectors use: refusal of a literal private IP, and a lookup that fails on private addresses. */
  hostGuard: SsoHostGuard;
  /** collect.allowPrivateHosts: may the URL reach loopback/private/link-local hosts (default no). */
  allowPrivateHosts?: () => boolean;
  /** Told why a URL was not asked (a private host), for the log. */
  onRefused?: (reason: string) => void;
}

export class SsoLogin {
  constructor(private readonly deps: SsoDeps) {}

  /**
   * The user the domain's verification URL vouches for. Throws AUTH_FAILED (not vouched for, no
   * such user, a malformed name, the URL unreachable), ACCOUNT_DISABLED, or FORBIDDEN when the
   * domain has no 登录接口地址.
   */
  async login(username: string, authKey: string): Promise<DirectoryUser> {
    let domain: string;
    try {
      domain = parseAddress(username).domain;
    } catch {
      throw new MailError('AUTH_FAILED', 'single sign-on: the user name is not a mail address');
    }
    const url = await this.deps.webmail.ssoUrl(domain);
    if (!url) throw new MailError('FORBIDDEN', `single sign-on is not set up for ${domain}`);
    return this.deps.users.authenticateVouched(username, () => this.vouches(url, username, authKey));
  }

  private async vouches(url: string, username: string, authKey: string): Promise<boolean> {
    try {
      const target = new URL(url);
      const allowPrivate = this.deps.allowPrivateHosts?.() ?? false;
      if (!allowPrivate) {
        const refused = this.deps.hostGuard.refuseLiteral(target.hostname);
        if (refused) {
          this.deps.onRefused?.(refused);
          return false;
        }
      }
      const text = await this.post(target, new URLSearchParams({ username, auth_key: authKey }).toString(), allowPrivate);
      return text !== undefined && /<auth>\s*<status>\s*ok\s*<\/status>\s*<\/auth>/i.test(text);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EPRIVATEHOST') this.deps.onRefused?.((e as Error).message);
      return false;
    }
  }

  /** POSTs the form; the answer's text on a 2xx (no redirects followed), undefined otherwise. */
  private post(target: URL, form: string, allowPrivate: boolean): Promise<string | undefined> {
    const request = target.protocol === 'https:' ? httpsRequest : target.protocol === 'http:' ? httpRequest : undefined;
    if (!request) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      const req = request(target, {
        method: 'POST', signal: AbortSignal.timeout(this.deps.timeoutMs ?? 5000), // the whole exchange, not an idle gap
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(form) },
        ...(allowPrivate ? {} : { lookup: this.deps.hostGuard.lookup as never }),
      }, (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        if (status < 200 || status > 299) {
          res.resume();
          return resolve(undefined);
        }
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
          if (text.length > ANSWER_LIMIT) {
            req.destroy();
            resolve(undefined);
          }
        });
        res.on('end', () => resolve(text));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(form);
    });
  }
}
