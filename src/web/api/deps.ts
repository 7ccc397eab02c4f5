/** What the web app is built over: the services it calls and the node's login throttle. */
import type { LoginThrottle } from '../../auth/login-throttle.ts';
import type { WebSessions } from '../../auth/web-sessions.ts';
import type { Logger } from '../../core/log/logger.ts';
import type { UserService } from '../../directory/users.ts';
import type { UserMail } from '../../mailbox/user-mail.ts';
import type { MailHtml } from '../../mailbox/mail-html.ts';
import type { MailEndpoints } from './autoconfig.ts';

export interface WebDeps {
  users: Pick<UserService, 'authenticateCredentials' | 'get'>;
  userMail: UserMail;
  mailHtml: MailHtml;
  sessions: WebSessions;
  throttle: Pick<LoginThrottle, 'isBanned' | 'failed' | 'succeeded'>;
  /** A line for the webmail session log (logins, logouts); never a password. */
  log(ip: string, line: string): void;
  logger?: Logger;
  /** Where mail clients connect (client autoconfig), and which domains are ours. */
  mail?: MailEndpoints;
  /** The built webmail (src/web/ui's dist), when there is one. */
  uiDir?: string;
  version: string;
}
