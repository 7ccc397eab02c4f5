/** Builds the StoreTx (every repository) over one connection: the same code for both backends. */
import type { StoreTx } from '../store.ts';
import type { SqlConn } from './conn.ts';
import { aliasRepo, listRepo } from './addresses.ts';
import { blobMetaRepo } from './blob-meta.ts';
import { domainAliasRepo, domainRepo } from './domains.ts';
import { fulltextRepo } from './fulltext.ts';
import { importRepo } from './imports.ts';
import { leaseRepo } from './leases.ts';
import { mailboxRepo } from './mailboxes.ts';
import { messageRepo } from './messages.ts';
import { adminRepo, orgUnitRepo } from './org.ts';
import { popAccountRepo } from './pop-accounts.ts';
import { bayesRepo } from './bayes.ts';
import { contactRepo } from './contacts.ts';
import { customerRepo, directoryShareRepo } from './customers.ts';
import { counterRepo, deliveredIdRepo, greylistRepo, quarantineRepo } from './protection.ts';
import { queueRepo } from './queue.ts';
import { auditRepo, authWindowRepo, autoreplyRepo, blobRefRepo, settingsRepo } from './system.ts';
import { userRepo } from './users.ts';
import { webSessionRepo } from './web-sessions.ts';
import { adminSessionRepo } from './admin-sessions.ts';
import { replyTemplateRepo } from './reply-templates.ts';
import { trafficRepo } from './traffic.ts';
import { ipBanRepo } from './ip-bans.ts';

export function createStoreTx(db: SqlConn, now: () => number): StoreTx {
  const ctx = { db, now };
  return {
    domains: domainRepo(ctx),
    domainAliases: domainAliasRepo(ctx),
    users: userRepo(ctx),
    aliases: aliasRepo(ctx),
    lists: listRepo(ctx),
    orgUnits: orgUnitRepo(ctx),
    admins: adminRepo(ctx),
    mailboxes: mailboxRepo(ctx),
    messages: messageRepo(ctx),
    queue: queueRepo(ctx),
    settings: settingsRepo(ctx),
    audit: auditRepo(ctx),
    blobRefs: blobRefRepo(ctx),
    autoreplies: autoreplyRepo(ctx),
    authWindows: authWindowRepo(ctx),
    fulltext: fulltextRepo(ctx),
    blobMeta: blobMetaRepo(ctx),
    popAccounts: popAccountRepo(ctx),
    imports: importRepo(ctx),
    leases: leaseRepo(ctx),
    counters: counterRepo(ctx),
    deliveredIds: deliveredIdRepo(ctx),
    quarantine: quarantineRepo(ctx),
    greylist: greylistRepo(ctx),
    webSessions: webSessionRepo(ctx),
    bayes: bayesRepo(ctx),
    contacts: contactRepo(ctx),
    adminSessions: adminSessionRepo(ctx),
    customers: customerRepo(ctx),
    directoryShares: directoryShareRepo(ctx),
    replyTemplates: replyTemplateRepo(ctx),
    traffic: trafficRepo(ctx),
    ipBans: ipBanRepo(ctx),
  };
}
