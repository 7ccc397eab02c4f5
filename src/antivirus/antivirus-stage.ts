/**
 * The antivirus stage (FEATURES S15, manual §1.2.10): scans the whole message with clamd at the end
 * of DATA. Clean passes; a virus is handled by antivirus.action (reject 554 5.7.0, quarantine, or
 * delete); what clamd cannot scan (and a message over antivirus.maxScanBytes, or a ZIP attachment
 * over the archive limits clamd would skip as clean: archive-limits.ts) by
 * antivirus.unscannableAction, never as clean. clamd down or slower than antivirus.timeoutMs holds
 * the message in the queue, scanned again every antivirus.retrySec: never delivered unscanned.
 * Off while antivirus.clamd is empty. Nobody is exempt: authenticated and trusted mail is scanned.
 * Counters: antivirus.clean / infected / unscannable / unavailable. Log: antivirus.
 */
import type { Settings } from '../config/settings.ts';
import type { PipelineMessage, Stage, StageContext, Verdict } from '../pipeline/stage.ts';
import { messageOverArchiveLimits } from './archive-limits.ts';
import { ClamdUnavailable, scanBuffer, type ScanResult } from './clamd-client.ts';

type Action = Settings['antivirus']['action'];

export class AntivirusStage implements Stage {
  readonly name = 'antivirus';
  readonly log = 'antivirus' as const;
  readonly exempt = { authenticated: false, trusted: false };

  constructor(private readonly scan: (address: string, data: Buffer, timeoutMs: number) => Promise<ScanResult> = scanBuffer) {}

  isEnabled(settings: Readonly<Settings>): boolean {
    return settings.antivirus.clamd !== '';
  }

  async data(ctx: StageContext, msg: PipelineMessage): Promise<Verdict> {
    const av = ctx.settings.antivirus;
    ctx.log(`Passing message through AntiVirus (Size: ${msg.raw.length})...`);
    let result: ScanResult;
    const overArchive = messageOverArchiveLimits(msg.raw, { maxMemberBytes: av.maxArchiveMemberBytes, maxTotalBytes: av.maxArchiveTotalBytes }, msg.tree());
    if (msg.raw.length > av.maxScanBytes) {
      result = { kind: 'unscannable', reason: `message of ${msg.raw.length} bytes is over antivirus.maxScanBytes (${av.maxScanBytes})` };
    } else if (overArchive) {
      result = { kind: 'unscannable', reason: overArchive };
    } else {
      try {
        result = await this.scan(av.clamd, msg.raw, av.timeoutMs);
      } catch (err) {
        if (!(err instanceof ClamdUnavailable)) throw err;
        ctx.log(`scanner unavailable: ${err.message}; message held, scanned again in ${av.retrySec} s`);
        ctx.count('unavailable');
        return { kind: 'hold', reason: err.message, retrySec: av.retrySec };
      }
    }
    switch (result.kind) {
      case 'clean':
        ctx.log('Message is clean (no viruses found)');
        ctx.count('clean');
        return { kind: 'continue' };
      case 'infected':
        ctx.log(`Virus found: ${result.signature}; action: ${av.action}`);
        ctx.count('infected');
        return act(av.action, `virus ${result.signature}`, `Message refused: virus found (${result.signature})`);
      case 'unscannable':
        ctx.log(`Message cannot be scanned: ${result.reason}; action: ${av.unscannableAction}`);
        ctx.count('unscannable');
        return act(av.unscannableAction, `unscannable: ${result.reason}`, 'Message refused: it cannot be scanned for viruses (encrypted or over the scanner\'s limits)');
    }
  }
}

function act(action: Action, reason: string, text: string): Verdict {
  switch (action) {
    case 'reject': return { kind: 'reject', reply: { code: 554, enhanced: '5.7.0', text } };
    case 'quarantine': return { kind: 'quarantine', reason };
    case 'delete': return { kind: 'discard', reason };
  }
}
