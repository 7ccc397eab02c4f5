/** What the web app is built over: the services it calls and the node's login throttle. */
import type { LoginThrottle } from '../../auth/login-throttle.ts';
import type { WebSessions } from '../../auth/web-sessions.ts';
import type { Bus } from '../../core/bus.ts';
import type { Logger } from '../../core/log/logger.ts';
import type { UserService } from '../../directory/users.ts';
import type { UserMail } from '../../mailbox/user-mail.ts';
import type { SubmissionService } from '../../submission/submission-service.ts';
import type { RegistrationService } from '../../directory/registration.ts';
import type { MailHtml } from '../../mailbox/mail-html.ts';
import type { MailEndpoints } from './autoconfig.ts';
import type { ContactService } from '../../contacts/contacts.ts';
import type { ContactTransfer } from '../../contacts/contact-transfer.ts';
import type { EnterpriseDirectory } from '../../contacts/enterprise.ts';
import type { CustomerBook } from '../../contacts/customers.ts';
import type { DirectoryShares } from '../../directory/directory-shares.ts';
import type { AdminSessions } from '../../auth/admin-sessions.ts';
import type { AdminService } from '../../directory/admins.ts';
import type { UserAdminService } from '../../directory/user-admin.ts';
import type { DomainConsoleService } from '../../directory/domain-admin.ts';
import type { OrgAdminService } from '../../directory/org-admin.ts';
import type { DepartmentAdminConsole } from '../../directory/department-admins.ts';
import type { SuperConsoleService } from '../../directory/super-admin.ts';
import type { WebmailSettingsService } from '../../directory/webmail-settings.ts';
import type { ModuleSwitchService } from '../../directory/modules.ts';
import type { SsoLogin } from '../../directory/sso.ts';
import type { ListConsole } from '../../directory/list-admin.ts';
import type { Runtime } from '../../runtime.ts';

/** The services behind the web admin consoles (/webmail/admin/). */
export interface ConsoleDeps {
  admins: Pick<AdminService, 'authenticateConsole' | 'consoleAdmin' | 'changePassword'>;
  sessions: AdminSessions;
  users: UserAdminService;
  /** Domain information, org structure, department admins, mailing lists, operation log. */
  console: Runtime['console'];
  /** Migration import jobs of the super-domain console (A11). */
  imports: Pick<Runtime['imports'], 'startFromConsole' | 'consoleJobs' | 'consoleJob' | 'cancel'>;
}

export interface WebDeps {
  users: Pick<UserService, 'authenticateCredentials' | 'get' | 'resolveLoginName'>;
  userMail: UserMail;
  /** Self-registration (W2); without it the registration routes are absent. */
  registration?: RegistrationService;
  /** Sending and drafts (compose); without it the compose routes are absent. */
  submission?: SubmissionService;
  mailHtml: MailHtml;
  sessions: WebSessions;
  /** The mailbox bus: server push (GET /api/events); without it there is no push route. */
  bus?: Pick<Bus, 'on'>;
  throttle: Pick<LoginThrottle, 'isBanned' | 'failed' | 'succeeded'>;
  /** 登录接口地址: single sign-on vouched for by the domain's verification URL (POST /webmail/oauth). */
  sso?: SsoLogin;
  /** 前台模块设置: a switched-off module's routes answer FORBIDDEN. */
  modules?: ModuleSwitchService;
  /** A line for the webmail session log (logins, logouts); never a password. */
  log(ip: string, line: string): void;
  logger?: Logger;
  /** Where mail clients connect (client autoconfig), and which domains are ours. */
  mail?: MailEndpoints;
  /** The built webmail (src/web/ui's dist), when there is one. */
  uiDir?: string;
  version: string;
  /** Personal contacts (W8), the enterprise directory as a user reads it (W9), the customer book (W10). */
  contacts: { book: ContactService; transfer: ContactTransfer; directory: EnterpriseDirectory; customers: CustomerBook };
  /** A user's own options (W14): profile, signatures, preferences, mail rules, password, security question, POP boxes. */
  options?: Runtime['options'];
  /** The admin consoles, when this app serves them. */
  consoles?: ConsoleDeps;
}
