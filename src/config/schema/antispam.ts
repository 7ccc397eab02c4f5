/**
 * Runtime settings of spam scoring (antispam/spam-score.ts, FEATURES S12; manual §4.6.1): the
 * heuristic rules and the other stages' contributions (SPF, DKIM, DMARC, DNS-BL) add up to a score;
 * at markThreshold the message is marked as spam (X-Spam-Flag: YES), at rejectThreshold it is
 * refused at the end of DATA. Authenticated and trusted clients are not scored. The Bayesian
 * classifier (antispam/bayes.ts) adds a BAYES_xx item once it has learned enough; spam can also get
 * a subject tag and, on local delivery, go to the recipient's Junk folder.
 */
import { z } from 'zod';

export const AntispamSettingsSchema = z.object({
  enabled: z.boolean().default(true)
    .describe('Score inbound mail and add the X-Spam-Flag, X-Spam-Score, X-Spam-Status and X-Spam-Report headers.'),
  markThreshold: z.number().min(0).max(1000).default(5)
    .describe('Score at which a message is marked as spam (X-Spam-Flag: YES).'),
  rejectThreshold: z.number().min(0).max(1000).default(12)
    .describe('Score at which a message is refused at the end of DATA (550 5.7.1) and not stored; 0 = never refuse.'),
  maxScanBytes: z.int().min(1024).default(512 * 1024)
    .describe('How much of a message\'s text the rules read.'),
  subjectTag: z.string().max(64).regex(/^[^\r\n]*$/).default('')
    .describe('Text put before the subject of a message marked as spam, e.g. "[SPAM]"; empty = subject unchanged.'),
  moveSpamToJunk: z.boolean().default(false)
    .describe('Local delivery files a message marked as spam (X-Spam-Flag: YES) in the recipient\'s Junk folder instead of INBOX; a user\'s own filter that chose a folder wins.'),
  bayesEnabled: z.boolean().default(true)
    .describe('Score with the Bayesian classifier (a BAYES_xx item) and let it learn from messages users move into and out of Junk. It ships untrained.'),
  bayesScope: z.enum(['global', 'domain']).default('global')
    .describe('One classifier for the whole server, or one per domain (trained by that domain\'s users, used for mail to its first recipient).'),
  bayesMinLearned: z.int().min(1).default(200)
    .describe('The classifier gives no verdict until it has learned at least this many spam and this many ham messages (SpamAssassin: 200).'),
  learnNightly: z.boolean().default(false)
    .describe('每晚午夜调度贝叶斯学习: once a day at learnAt, the classifier learns the messages in the learning folders of learnMailbox, then removes them.'),
  learnMailbox: z.string().max(320).default('')
    .describe('The address whose folders are the learning folders (e.g. a shared bayes@ account users copy mail into); empty = none.'),
  learnSpamFolder: z.string().min(1).max(200).default('Bayesian Learning/Spam').describe('Its folder of spam to learn.'),
  learnHamFolder: z.string().min(1).max(200).default('Bayesian Learning/Non-Spam').describe('Its folder of ham (not spam) to learn.'),
  learnAt: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day such as 00:00').default('00:00').describe('When the nightly learning runs, local time (HH:MM).'),
});
