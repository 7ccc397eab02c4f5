/**
 * 登录接口地址 (manual part 3 §1.8.11, FEATURES W16): single sign-on from another site. That site
 * posts a user name and an auth_key to the webmail (POST /webmail/sso); Youju posts both, as a
 * form, to the URL the domain's admin set, and logs the user in only when that URL answers
 * `<?xml version="1.0"?><auth><status>ok</status></auth>`. The check is server to server: the
 * browser never sees the URL's answer. Everything else of a login still applies (a frozen account,
 * an expired domain). The URL is asked with a timeout and no redirects, and at most 16 KB of its
 * answer is read.
 */
import { MailError } from '../core/errors.ts';
import { parseAddress } from './address.ts';
import type { DirectoryUser, UserService } from './users.ts';
import type { WebmailSettingsService } from './webmail-settings.ts';

const ANSWER_LIMIT = 16 * 1024;

export interface SsoDeps {
  webmail: Pick<WebmailSettingsService, 'ssoUrl'>;
  users: Pick<UserService, 'authenticateVouched'>;
  /** How long the verification URL may take (default 5 s). */
  timeoutMs?: number;
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
      const res = await fetch(url, {
        method: 'POST', body: new URLSearchParams({ username, auth_key: authKey }), redirect: 'error',
        signal: AbortSignal.timeout(this.deps.timeoutMs ?? 5000),
      });
      if (!res.ok || !res.body) return false;
      let text = '';
      const decoder = new TextDecoder();
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        text += decoder.decode(chunk, { stream: true });
        if (text.length > ANSWER_LIMIT) return false;
      }
      return /<auth>\s*<status>\s*ok\s*<\/status>\s*<\/auth>/i.test(text);
    } catch {
      return false;
    }
  }
}
