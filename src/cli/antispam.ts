/**
 * `youju antispam learn|stats` — the spam filter from the command line (FEATURES S12). learn
 * teaches the Bayesian classifier files or directories of messages as spam or as ham (the global
 * classifier, or with --domain that domain's when antispam.bayesScope is domain); a message
 * learned before counts once, and learned as the other class it moves. stats shows what the
 * classifier has learned and the pipeline's daily counters: ham, spam accepted and rejected,
 * viruses found and rejected.
 */
import { learnFromFolders, learningFoldersDeps } from '../antispam/learning-folders.ts';
import type { Command } from 'commander';
import { MailError } from '../core/errors.ts';
import { localDate } from '../core/log/session-log.ts';
import { listMessageFiles, readMessageFile } from '../antispam/message-files.ts';
import { nonNegativeInt } from './args.ts';
import { withRuntime } from './context.ts';
import { date, table } from './output.ts';

export function registerAntispam(program: Command): void {
  const a = program.command('antispam').description('the spam filter: train the Bayesian classifier, statistics');

  a.command('learn').argument('<paths...>', 'message files, or directories of them (one message per file)')
    .option('--spam', 'learn them as spam')
    .option('--ham', 'learn them as ham (good mail)')
    .option('--domain <name>', 'the domain\'s classifier (when antispam.bayesScope is domain)')
    .description('teach the Bayesian classifier messages as spam or ham')
    .action((paths: string[], f: { spam?: boolean; ham?: boolean; domain?: string }, cmd: Command) => withRuntime(cmd, async (rt, { out }) => {
      if (Boolean(f.spam) === Boolean(f.ham)) throw new MailError('INVALID_INPUT', 'give one of --spam or --ham');
      const settings = rt.settings.current();
      if (settings.antispam.bayesScope === 'domain' && !f.domain) throw new MailError('INVALID_INPUT', 'antispam.bayesScope is domain: say which with --domain');
      if (settings.antispam.bayesScope === 'global' && f.domain) throw new MailError('INVALID_INPUT', 'antispam.bayesScope is global: --domain would train a classifier nothing uses');
      const scope = f.domain?.toLowerCase() ?? '';
      const cls = f.spam ? 'spam' : 'ham';
      const counts = { learned: 0, moved: 0, already: 0, failed: 0 };
      for (const path of await listMessageFiles(paths)) {
        try {
          counts[await rt.bayes.learning.learnMessage(scope, await readMessageFile(path), cls, settings)]++;
        } catch (err) {
          counts.failed++;
          out.info(`${path}: not learned: ${String(err)}`);
        }
      }
      out.result({ as: cls, scope, ...counts }, () => `${counts.learned} learned as ${cls}, ${counts.moved} moved from the other class, ${counts.already} already learned${counts.failed ? `, ${counts.failed} failed` : ''}`);
    }));

  a.command('learn-folders')
    .description('learn the learning folders of antispam.learnMailbox now (what the nightly run does), then empty them')
    .action((_f: unknown, cmd: Command) => withRuntime(cmd, async (rt, { out }) => {
      const r = await learnFromFolders(learningFoldersDeps(rt));
      out.result(r, () => r.skipped ? `nothing learned: ${r.skipped}` : `${r.spam} learned as spam, ${r.ham} as ham${r.missing.length ? `; no folder ${r.missing.join(', ')}` : ''}`);
    }));

  a.command('stats').option('--days <n>', 'days of counters to show', nonNegativeInt, 7)
    .description('what the classifier has learned, and daily counts of ham, spam and viruses')
    .action((f: { days: number }, cmd: Command) => withRuntime(cmd, async (rt, { out }) => {
      const settings = rt.settings.current().antispam;
      const scopes = await rt.bayes.classifier.scopes();
      const now = rt.clock.now();
      const from = localDate(new Date(now - Math.max(f.days - 1, 0) * 86_400_000));
      const days = await rt.pipeline.counters.read(from, localDate(new Date(now)));
      const rows = Object.entries(days).map(([day, c]) => ({
        day, ham: c['antispam.ham'] ?? 0, spamAccepted: c['antispam.spam'] ?? 0, spamRejected: c['antispam.reject'] ?? 0,
        virusesFound: c['antivirus.infected'] ?? 0, virusesRejected: c['antivirus.reject'] ?? 0,
      }));
      const guard = settings.bayesMinLearned;
      out.result({ bayes: { enabled: settings.bayesEnabled, scope: settings.bayesScope, minLearned: guard, scopes }, days: rows }, () => [
        `Bayesian classifier: ${settings.bayesEnabled ? 'on' : 'off'}, ${settings.bayesScope}, verdicts from ${guard} spam and ${guard} ham learned`,
        scopes.length === 0 ? 'nothing learned yet'
          : table(['SCOPE', 'SPAM', 'HAM', 'TOKENS', 'READY', 'UPDATED'],
            scopes.map((s) => [s.scope || '(global)', s.spam, s.ham, s.tokens, s.spam >= guard && s.ham >= guard ? 'yes' : 'no', date(s.updatedAt)])),
        '',
        rows.length === 0 ? `no mail counted in the last ${f.days} days`
          : table(['DAY', 'HAM', 'SPAM ACCEPTED', 'SPAM REJECTED', 'VIRUSES FOUND', 'VIRUSES REJECTED'],
            rows.map((r) => [r.day, r.ham, r.spamAccepted, r.spamRejected, r.virusesFound, r.virusesRejected])),
      ].join('\n'));
    }));
}
