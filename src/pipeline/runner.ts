/**
 * Runs one hook of every stage in order and folds their verdicts (STYLE §1.3, Haraka's hook
 * chain): stages that are off, or that exempt this client, are skipped; `continue` passes on,
 * collecting header lines and score items; `accept` ends the hook as passed; anything else ends it
 * with that verdict. The runner owns the timeout (pipeline.stageTimeoutMs): a stage that throws or
 * overruns is a tempfail (451 4.3.0), never a pass. Verdicts other than continue are counted as
 * '<stage>.<kind>'.
 */
import type { Settings } from '../config/settings.ts';
import type { HeaderMatch, Hook, PipelineMessage, Routing, ScoreItem, Stage, StageContext, Verdict } from './stage.ts';

/** What a hook came to: passed (with what to add), or the first verdict that stopped it. */
export type HookOutcome =
  | { kind: 'pass'; headers: string[]; strip: HeaderMatch[]; score: ScoreItem[]; routing?: Routing }
  | { kind: 'stop'; stage: string; verdict: Exclude<Verdict, { kind: 'continue' | 'accept' }>; headers: string[]; strip: HeaderMatch[]; score: ScoreItem[] };

export interface HookCall {
  hook: Hook;
  rcpt?: string;
  msg?: PipelineMessage;
}

/** The per-stage view of the session the runner hands each stage. */
export type ContextFor = (stage: Stage) => StageContext;

const LOCAL_ERROR = { code: 451, enhanced: '4.3.0', text: 'Temporary local problem, please try again later' };

export function isExempt(stage: Stage, client: { authUser?: string; trusted: boolean }): boolean {
  return (stage.exempt.authenticated && client.authUser !== undefined) || (stage.exempt.trusted && client.trusted);
}

export async function runHook(stages: readonly Stage[], call: HookCall, settings: Readonly<Settings>, contextFor: ContextFor): Promise<HookOutcome> {
  const headers: string[] = [];
  const strip: HeaderMatch[] = [];
  const score: ScoreItem[] = [];
  let routing: Routing | undefined;
  for (const stage of stages) {
    const fn = stage[call.hook];
    if (!fn || !stage.isEnabled(settings)) continue;
    const ctx = contextFor(stage);
    if (isExempt(stage, ctx.client)) continue;
    const verdict = await withTimeout(stage, call, ctx, settings.pipeline.stageTimeoutMs);
    if (verdict.kind === 'continue' || verdict.kind === 'accept') {
      headers.push(...verdict.headers ?? []);
      strip.push(...verdict.strip ?? []);
      if (verdict.routing) routing = mergeRouting(routing, verdict.routing);
      if (verdict.score?.length) {
        score.push(...verdict.score);
        // Later stages (the scoring stage) read every contribution so far in results 'score'.
        ctx.results.set('score', [...(ctx.results.get('score') as ScoreItem[] | undefined) ?? [], ...verdict.score]);
      }
      if (verdict.kind === 'accept') {
        ctx.count('accept');
        break;
      }
      continue;
    }
    if (call.hook !== 'data' && (verdict.kind === 'hold' || verdict.kind === 'quarantine' || verdict.kind === 'discard')) {
      ctx.log(`${verdict.kind} is only possible at the end of DATA, not at ${call.hook}: answering 451`);
      return { kind: 'stop', stage: stage.name, verdict: { kind: 'tempfail', reply: LOCAL_ERROR }, headers, strip, score };
    }
    ctx.count(verdict.kind);
    return { kind: 'stop', stage: stage.name, verdict, headers, strip, score };
  }
  return { kind: 'pass', headers, strip, score, ...(routing ? { routing } : {}) };
}

/** A later stage's routing on top of an earlier one's: its recipients and folder win, copies and messages add up. */
export function mergeRouting(a: Routing | undefined, b: Routing): Routing {
  if (!a) return b;
  return {
    ...(b.recipients ?? a.recipients ? { recipients: b.recipients ?? a.recipients } : {}),
    ...(b.folder ?? a.folder ? { folder: b.folder ?? a.folder } : {}),
    copies: [...a.copies, ...b.copies],
    messages: [...a.messages, ...b.messages],
  };
}

async function withTimeout(stage: Stage, call: HookCall, ctx: StageContext, timeoutMs: number): Promise<Verdict> {
  let timer: NodeJS.Timeout | undefined;
  const overrun = new Promise<Verdict>((resolve) => {
    timer = setTimeout(() => {
      ctx.log(`${call.hook}: no verdict within ${timeoutMs} ms: answering 451`);
      ctx.count('timeout');
      resolve({ kind: 'tempfail', reply: LOCAL_ERROR });
    }, timeoutMs);
  });
  const run = (async (): Promise<Verdict> => {
    switch (call.hook) {
      case 'rcpt': return stage.rcpt!(ctx, call.rcpt ?? '');
      case 'data': return stage.data!(ctx, call.msg!);
      default: return stage[call.hook]!(ctx);
    }
  })().catch((err: unknown): Verdict => {
    ctx.log(`${call.hook} failed: ${(err as Error)?.message ?? String(err)}: answering 451`);
    ctx.count('error');
    return { kind: 'tempfail', reply: LOCAL_ERROR };
  });
  try {
    return await Promise.race([run, overrun]);
  } finally {
    clearTimeout(timer);
  }
}
