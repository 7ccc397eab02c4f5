/**
 * 每晚午夜调度贝叶斯学习 (manual part 4, the Bayesian learning folders; FEATURES S12): once a day the
 * classifier learns what users put in the learning folders — by default "Bayesian Learning/Spam" and
 * "Bayesian Learning/Non-Spam" of the mailbox antispam.learnMailbox — and then removes those
 * messages, so the next night starts from an empty folder. Learning a message twice is a no-op
 * (BayesLearning keys by digest) and a message learned before as the other class moves to this one,
 * so a run that stopped half-way is simply run again. Scope as everywhere: the global classifier, or
 * with bayesScope domain the learning mailbox's domain's.
 */
import type { Settings } from '../config/settings.ts';
import type { UserId } from '../core/ids.ts';
import type { MailboxService } from '../mailbox/mailbox-service.ts';
import type { BayesLearning } from './bayes-learning.ts';

const BATCH = 200;

export interface LearningFoldersDeps {
  learning: Pick<BayesLearning, 'learnMessage'>;
  mailboxes: Pick<MailboxService, 'get' | 'messages' | 'readMessage' | 'expunge'>;
  userId(address: string): Promise<UserId | undefined>;
  settings(): Readonly<Settings>;
}

export interface LearningRun {
  spam: number;
  ham: number;
  /** Why nothing ran (no mailbox set, no such user); the folders that do not exist are listed. */
  skipped?: string;
  missing: string[];
}

/** The services a runtime has, as learnFromFolders wants them (the server's nightly run and `youju antispam learn-folders`). */
export function learningFoldersDeps(rt: {
  bayes: { learning: Pick<BayesLearning, 'learnMessage'> }; mailboxes: LearningFoldersDeps['mailboxes'];
  settings: { current(): Readonly<Settings> }; users: { byAddress(address: string): Promise<{ id: UserId } | undefined> };
}): LearningFoldersDeps {
  return {
    learning: rt.bayes.learning, mailboxes: rt.mailboxes, settings: () => rt.settings.current(),
    userId: async (address) => (await rt.users.byAddress(address))?.id,
  };
}

export async function learnFromFolders(deps: LearningFoldersDeps): Promise<LearningRun> {
  const settings = deps.settings();
  const a = settings.antispam;
  const run: LearningRun = { spam: 0, ham: 0, missing: [] };
  if (!a.learnMailbox) return { ...run, skipped: 'antispam.learnMailbox is not set' };
  const userId = await deps.userId(a.learnMailbox);
  if (userId === undefined) return { ...run, skipped: `${a.learnMailbox} does not exist` };
  const scope = a.bayesScope === 'domain' ? a.learnMailbox.slice(a.learnMailbox.lastIndexOf('@') + 1).toLowerCase() : '';
  for (const [folder, cls] of [[a.learnSpamFolder, 'spam'], [a.learnHamFolder, 'ham']] as const) {
    const box = await deps.mailboxes.get(userId, folder);
    if (!box) {
      run.missing.push(folder);
      continue;
    }
    // A batch at a time: learned, then removed, so a large folder never sits in memory at once.
    for (;;) {
      const batch = await deps.mailboxes.messages(box.id, { limit: BATCH });
      if (batch.length === 0) break;
      for (const m of batch) {
        await deps.learning.learnMessage(scope, await deps.mailboxes.readMessage(m), cls, settings);
        run[cls]++;
      }
      await deps.mailboxes.expunge(box.id, batch.map((m) => ({ from: m.uid, to: m.uid })));
    }
  }
  return run;
}

/** Whether the nightly run is due: learning is on, it is past learnAt today, and today's has not run. */
export function learningDue(settings: Readonly<Settings>, now: Date, lastRunDay: string | undefined, today: string): boolean {
  if (!settings.antispam.learnNightly || lastRunDay === today) return false;
  const [h, m] = settings.antispam.learnAt.split(':').map(Number) as [number, number];
  return now.getHours() * 60 + now.getMinutes() >= h * 60 + m;
}
