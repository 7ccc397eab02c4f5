/**
 * One SMTP session's walk through the pipeline: the protocol code calls connect, mail, rcpt and
 * data at its steps and gets back what to answer; this runs the stages (runner.ts) with a context
 * per stage (its session log, its counters, its per-session state). smtp-server has no HELO hook,
 * so HELO stages run when MAIL arrives, once per HELO name (Postfix's smtpd_delay_reject does the
 * same for its HELO restrictions). Knows nothing of SMTP framing: replies are data.
 */
import type { Settings } from '../config/settings.ts';
import type { QuarantineId } from '../core/ids.ts';
import type { SessionLog, SessionProtocol } from '../core/log/session-log.ts';
import type { QuarantineInput, QuarantineService } from './quarantine.ts';
import { stripHeaders } from './strip-headers.ts';
import { runHook, type HookCall, type HookOutcome } from './runner.ts';
import { parseMimeTree, type MimePart } from '../mime/mime-tree.ts';
import { searchableText } from '../mime/search-text.ts';
import type { Client, PipelineMessage, ReceivedMessage, Reply, Routing, Stage, StageContext } from './stage.ts';

/** What the protocol answers a connect, MAIL or RCPT with. */
export type StepOutcome = { kind: 'pass' } | { kind: 'refuse'; reply: Reply; close: boolean };

/**
 * What becomes of a message at the end of DATA. `raw` is the message to keep: the one given, less
 * the header fields stages asked to remove; `headers` go on top of it.
 */
export type DataOutcome =
  | { kind: 'deliver'; raw: Buffer; headers: string[]; routing?: Routing }
  /** Queue it in the holding state with `meta` merged into the entry's meta (the held worker looks again). */
  | { kind: 'hold'; raw: Buffer; headers: string[]; retrySec: number; meta: { pipeline: HeldInfo } }
  | { kind: 'quarantine'; raw: Buffer; headers: string[]; stage: string; reason: string }
  | { kind: 'discard'; stage: string; reason: string }
  | { kind: 'refuse'; reply: Reply; close: boolean };

/** Kept in a held queue entry's meta.pipeline. */
export interface HeldInfo {
  /** The stage that held it: scanning starts again there. */
  held: string;
  reason: string;
  attempts: number;
}

/** What a session needs from the pipeline service. */
export interface SessionHost {
  readonly stages: readonly Stage[];
  readonly quarantine: Pick<QuarantineService, 'add'>;
  openLog(protocol: SessionProtocol, client: Client): SessionLog;
  count(name: string, n?: number): void;
  now(): number;
}

export class PipelineSession {
  readonly client: Client;
  #settings: Readonly<Settings>;
  #sender: string | undefined;
  #recipients: string[] = [];
  #results = new Map<string, unknown>();
  readonly #state = new Map<string, unknown>();
  readonly #logs = new Map<SessionProtocol, SessionLog>();
  #heloDone: string | undefined;

  constructor(private readonly host: SessionHost, client: Client, settings: Readonly<Settings>) {
    this.client = client;
    this.#settings = settings;
  }

  /** A held message scanned again: the envelope comes from its queue entry, not from MAIL and RCPT. */
  restore(sender: string, recipients: string[]): void {
    this.#sender = sender;
    this.#recipients = [...recipients];
    this.#results = new Map();
  }

  get recipients(): readonly string[] {
    return this.#recipients;
  }

  /** What stages concluded in this transaction (sender-auth results, score items …). */
  get results(): ReadonlyMap<string, unknown> {
    return this.#results;
  }

  async connect(): Promise<StepOutcome> {
    return this.#step(await this.#run({ hook: 'connect' }));
  }

  /** Starts a transaction: HELO stages first if this HELO name has not been through them. */
  async mail(sender: string, client: { helo: string; authUser?: string }): Promise<StepOutcome> {
    this.client.helo = client.helo;
    this.client.authUser = client.authUser;
    this.#sender = sender;
    this.#recipients = [];
    this.#results = new Map();
    if (this.#heloDone !== client.helo) {
      this.#heloDone = client.helo;
      const helo = this.#step(await this.#run({ hook: 'helo' }));
      if (helo.kind !== 'pass') return helo;
    }
    return this.#step(await this.#run({ hook: 'mail' }));
  }

  async rcpt(rcpt: string): Promise<StepOutcome> {
    const out = this.#step(await this.#run({ hook: 'rcpt', rcpt }));
    if (out.kind === 'pass') this.#recipients.push(rcpt);
    return out;
  }

  /**
   * End of DATA: every data stage in order, or those from `from` on (a held message scanned again).
   * Score items are kept in results under 'score' (runner.ts) for the scoring stage.
   */
  async data(received: ReceivedMessage, from?: string): Promise<DataOutcome> {
    const msg = this.#parsedOnce(received);
    const all = this.host.stages;
    const start = from === undefined ? 0 : Math.max(0, all.findIndex((s) => s.name === from));
    const out = await this.#run({ hook: 'data', msg }, all.slice(start));
    const raw = stripHeaders(msg.raw, out.strip);
    if (out.kind === 'pass') return { kind: 'deliver', raw, headers: out.headers, ...(out.routing ? { routing: out.routing } : {}) };
    const v = out.verdict;
    switch (v.kind) {
      case 'hold': return { kind: 'hold', raw, headers: out.headers, retrySec: v.retrySec, meta: { pipeline: { held: out.stage, reason: v.reason, attempts: 0 } } };
      case 'quarantine': return { kind: 'quarantine', raw, headers: out.headers, stage: out.stage, reason: v.reason };
      case 'discard': return { kind: 'discard', stage: out.stage, reason: v.reason };
      default: return { kind: 'refuse', reply: v.reply, close: v.close === true };
    }
  }

  /** Stores a message a data stage sent to the quarantine (the protocol has added its trace headers). */
  async quarantine(raw: Buffer, q: QuarantineInput): Promise<QuarantineId> {
    const id = await this.host.quarantine.add(raw, q);
    const stage = this.host.stages.find((s) => s.name === q.stage);
    if (stage) this.#log(stage).note(`${stage.name === stage.log ? '' : `${stage.name}: `}quarantined as Q${id} (${q.reason})`);
    return id;
  }

  /** The message with its tree and text computed at most once, whichever stage asks first. */
  #parsedOnce(m: ReceivedMessage): PipelineMessage {
    let tree: MimePart | undefined;
    let text: { headers: string; body: string } | undefined;
    const maxBodyChars = this.#settings.antispam.maxScanBytes;
    return {
      ...m,
      tree: () => (tree ??= parseMimeTree(m.raw)),
      text: () => (text ??= searchableText(m.raw, tree ??= parseMimeTree(m.raw), { maxBodyChars })),
    };
  }

  /** Writes the closing line of every stage log this session opened. */
  async close(): Promise<void> {
    await Promise.all([...this.#logs.values()].map((l) => l.close()));
    this.#logs.clear();
  }

  #step(out: HookOutcome): StepOutcome {
    if (out.kind === 'pass') return { kind: 'pass' };
    const v = out.verdict;
    if (v.kind === 'reject' || v.kind === 'tempfail') return { kind: 'refuse', reply: v.reply, close: v.close === true };
    return { kind: 'refuse', reply: { code: 451, enhanced: '4.3.0', text: 'Temporary local problem, please try again later' }, close: false };
  }

  async #run(call: HookCall, stages: readonly Stage[] = this.host.stages): Promise<HookOutcome> {
    return runHook(stages, call, this.#settings, (stage) => this.#context(stage));
  }

  #context(stage: Stage): StageContext {
    const self = this;
    return {
      client: this.client,
      settings: this.#settings,
      sender: this.#sender,
      recipients: this.#recipients,
      results: this.#results,
      log: (text) => this.#log(stage).note(stage.name === stage.log ? text : `${stage.name}: ${text}`),
      count: (name, n) => this.host.count(`${stage.name}.${name}`, n),
      sessionState<T>(init: () => T): T {
        if (!self.#state.has(stage.name)) self.#state.set(stage.name, init());
        return self.#state.get(stage.name) as T;
      },
      now: () => this.host.now(),
    };
  }

  #log(stage: Stage): SessionLog {
    let log = this.#logs.get(stage.log);
    if (!log) this.#logs.set(stage.log, (log = this.host.openLog(stage.log, this.client)));
    return log;
  }
}
