/**
 * The shapes the composition root builds: the Runtime (store, services) every command and the
 * server share, and the running Server. Types only, so importing them loads nothing.
 */
import type { AuthWindows } from './auth/auth-windows.ts';
import type { SecretBox } from './auth/secret-box.ts';
import type { WebSessions } from './auth/web-sessions.ts';
import type { BootConfig } from './config/boot.ts';
import type { SettingsService } from './config/settings.ts';
import type { Bus } from './core/bus.ts';
import type { Clock } from './core/clock.ts';
import type { Logger } from './core/log/logger.ts';
import type { AdminService } from './directory/admins.ts';
import type { AliasService } from './directory/aliases.ts';
import type { DomainService } from './directory/domains.ts';
import type { ListService } from './directory/lists.ts';
import type { OrgService } from './directory/orgs.ts';
import type { Resolver } from './directory/resolve.ts';
import type { Srs } from './directory/srs.ts';
import type { UserService } from './directory/users.ts';
import type { UserAdminService } from './directory/user-admin.ts';
import type { DomainConsoleService } from './directory/domain-admin.ts';
import type { OrgAdminService } from './directory/org-admin.ts';
import type { DepartmentAdminConsole } from './directory/department-admins.ts';
import type { SuperConsoleService } from './directory/super-admin.ts';
import type { WebmailSettingsService } from './directory/webmail-settings.ts';
import type { ModuleSwitchService } from './directory/modules.ts';
import type { SsoLogin } from './directory/sso.ts';
import type { ListConsole } from './directory/list-admin.ts';
import type { AdminSessions } from './auth/admin-sessions.ts';
import type { MailboxService } from './mailbox/mailbox-service.ts';
import type { ContactService } from './contacts/contacts.ts';
import type { ContactTransfer } from './contacts/contact-transfer.ts';
import type { EnterpriseDirectory } from './contacts/enterprise.ts';
import type { CustomerBook } from './contacts/customers.ts';
import type { DirectoryShares } from './directory/directory-shares.ts';
import type { Pipeline } from './pipeline/pipeline.ts';
import type { BayesClassifier } from './antispam/bayes.ts';
import type { BayesLearning } from './antispam/bayes-learning.ts';
import type { UserMail } from './mailbox/user-mail.ts';
import type { SubmissionService } from './submission/submission-service.ts';
import type { RegistrationService } from './directory/registration.ts';
import type { MailHtml } from './mailbox/mail-html.ts';
import type { QueueManager } from './queue/manager.ts';
import type { QueueService } from './queue/queue.ts';
import type { BlobStore } from './store/blob-store.ts';
import type { Store } from './store/store.ts';
import type { UserOptions } from './options/user-options.ts';
import type { AccountSecurity } from './options/account-security.ts';
import type { PopOptions } from './options/pop-options.ts';
import type { ReplyTemplates } from './options/reply-templates.ts';
import type { LoginThrottle } from './auth/login-throttle.ts';
import type { ScreeningStage } from './screening/screening-stage.ts';
import type { Batv } from './screening/batv.ts';
import type { ImportService } from './collect/import/import-service.ts';
import type { MonitorConsole } from './directory/monitor-console.ts';
import type { TrafficConsole } from './directory/traffic-console.ts';
import type { UiLabelService } from './directory/ui-labels.ts';

export interface Runtime {
  config: BootConfig;
  store: Store;
  blobs: BlobStore;
  clock: Clock;
  logger: Logger;
  settings: SettingsService;
  domains: DomainService;
  users: UserService;
  aliases: AliasService;
  lists: ListService;
  orgs: OrgService;
  admins: AdminService;
  resolver: Resolver;
  /** Sender Rewriting Scheme for mail forwarded to other domains (key derived from DATA/secret.key). */
  srs: Srs;
  authWindows: AuthWindows;
  queue: QueueService;
  queueManager: QueueManager;
  bus: Bus;
  mailboxes: MailboxService;
  /** The protection pipeline SMTP runs inbound mail through; its quarantine and daily counters. */
  pipeline: Pipeline;
  /** The Bayesian spam classifier (its counts in the store) and its learning from users' Junk moves and files. */
  bayes: { classifier: BayesClassifier; learning: BayesLearning };
  /** The ban list every protocol of this node shares: failed logins, and dynamic screening's bans (S7). */
  throttle: LoginThrottle;
  /** Screening (S7, S8, S10, S14): the pipeline's first stage, and the return-path signer outbound mail uses. */
  screening: { stage: ScreeningStage; batv: Batv };
  /** A user's mail as an actor may reach it (permission-checked): the webmail's way in. */
  userMail: UserMail;
  /** Personal contacts and groups, their import/export, and the enterprise directory a user reads (W8, W9). */
  contacts: { book: ContactService; transfer: ContactTransfer; directory: EnterpriseDirectory; customers: CustomerBook };
  /** A message's HTML made safe for the webmail, and the senders whose remote images show (issue #12). */
  mailHtml: MailHtml;
  /** Webmail logins, kept in the store (every node knows them). */
  webSessions: WebSessions;
  /** Self-registration from the login page (W2). */
  registration: RegistrationService;
  /** Sending from the webmail under the sending rules SMTP submission applies, and drafts. */
  submission: SubmissionService;
  /** The web consoles: admin logins (kept in the store) and the users screens, scoped to the admin. */
  adminSessions: AdminSessions;
  userAdmin: UserAdminService;
  /** The domain console's other screens (issue #14: A2, A4, A5, A6, A9). */
  /** 登录接口地址: single sign-on vouched for by each domain's verification URL. */
  sso: SsoLogin;
  /** 前台模块设置: which webmail modules each domain's users get. */
  modules: ModuleSwitchService;
  console: {
    domain: DomainConsoleService; org: OrgAdminService; departmentAdmins: DepartmentAdminConsole; lists: ListConsole; super: SuperConsoleService; webmail: WebmailSettingsService;
    /** 邮件监控 (A7), 邮件收发流量 (A9), 语言文字模块 (A10). */
    monitors: MonitorConsole; traffic: TrafficConsole; labels: UiLabelService;
    /** The customer address book (webmail 设置 → 客户通讯录) and directory sharing between domains (super console). */
    customers: CustomerBook; shares: DirectoryShares;
  };
  /** Migration import jobs (A11): the server's worker runs them, the super-domain console starts, follows and cancels them. */
  imports: ImportService;
  /** Seals secrets that must be read back (POP account passwords, APOP copies) with DATA/secret.key. */
  secrets: SecretBox;
  /** A user's own options (W14): profile, signatures, preferences, mail rules; password and security question; MultiPOP boxes; reply templates. */
  options: { user: UserOptions; security: AccountSecurity; pop: PopOptions; templates: ReplyTemplates };
  close(): Promise<void>;
}

export interface Server {
  /** The listeners that are up, with the ports they took (0 in the config means off). */
  listeners: Array<{ role: string; port: number }>;
  stop(): Promise<void>;
}
