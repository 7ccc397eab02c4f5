// The pipeline runner through PipelineSession: order, accept/continue/reject folding, exemptions,
// the runner's timeout and error rule (tempfail, never a pass), data outcomes, counters and logs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { settingsFrom, type Settings } from '../config/settings.ts';
import type { SessionLog } from '../core/log/session-log.ts';
import { PipelineSession, type SessionHost } from './session.ts';
import type { Client, Stage, Verdict } from './stage.ts';

type Hooks = Partial<Pick<Stage, 'connect' | 'helo' | 'mail' | 'rcpt' | 'data'>>;

function stage(name: string, hooks: Hooks, opts: { exempt?: Stage['exempt']; enabled?: boolean } = {}): Stage {
  return { name, log: 'antispam', exempt: opts.exempt ?? { authenticated: false, trusted: false }, isEnabled: () => opts.enabled ?? true, ...hooks };
}

function host(stages: Stage[]) {
  const counts: Record<string, number> = {};
  const lines: string[] = [];
  const quarantined: string[] = [];
  const h: SessionHost = {
    stages,
    quarantine: { add: async (_raw, q) => { quarantined.push(q.reason); return 7 as never; } },
    openLog: () => ({ note: (t: string) => lines.push(t), close: async () => undefined } as unknown as SessionLog),
    count: (name, n = 1) => { counts[name] = (counts[name] ?? 0) + n; },
    now: () => 1_000_000,
  };
  return { h, counts, lines, quarantined };
}

const settings = (over: Record<string, unknown> = {}): Settings => settingsFrom(over);
const client = (over: Partial<Client> = {}): Client => ({ ip: '192.0.2.1', helo: '', kind: 'mx', trusted: false, ...over });
const ok = async (): Promise<Verdict> => ({ kind: 'continue' });
const msg = { raw: Buffer.from('Subject: x\r\n\r\nbody\r\n'), header: 'Subject: x\r\n' };

describe('pipeline session', () => {
  it('runs stages in order, collects headers and score items, and stops at the first refusal', async () => {
    const seen: string[] = [];
    const t = host([
      stage('a', { data: async () => { seen.push('a'); return { kind: 'continue', headers: ['X-A: 1'], score: [{ rule: 'A', score: 1.5 }] }; } }),
      stage('b', { data: async () => { seen.push('b'); return { kind: 'continue', headers: ['X-B: 2'] }; } }),
    ]);
    const s = new PipelineSession(t.h, client(), settings());
    assert.deepEqual(await s.data(msg), { kind: 'deliver', raw: msg.raw, headers: ['X-A: 1', 'X-B: 2'] });
    assert.deepEqual(seen, ['a', 'b']);
    assert.deepEqual(s.results.get('score'), [{ rule: 'A', score: 1.5 }]);

    const r = host([
      stage('a', { mail: async () => ({ kind: 'reject', reply: { code: 550, enhanced: '5.7.23', text: 'SPF fail' }, close: true }) }),
      stage('b', { mail: async () => { throw new Error('must not run'); } }),
    ]);
    const s2 = new PipelineSession(r.h, client(), settings());
    assert.deepEqual(await s2.mail('a@x.test', { helo: 'x.test' }), { kind: 'refuse', reply: { code: 550, enhanced: '5.7.23', text: 'SPF fail' }, close: true });
    assert.equal(r.counts['a.reject'], 1);
  });

  it('removes the header fields stages ask to strip from the message it hands back', async () => {
    const t = host([stage('auth', { data: async () => ({ kind: 'continue', headers: ['Authentication-Results: mx; none'], strip: [{ name: 'Authentication-Results', valuePrefix: 'mx' }] }) })]);
    const forged = { raw: Buffer.from('Authentication-Results: mx; dkim=pass\r\nSubject: x\r\n\r\nbody\r\n'), header: '' };
    const out = await new PipelineSession(t.h, client(), settings()).data(forged);
    assert.equal(out.kind, 'deliver');
    assert.equal((out as { raw: Buffer }).raw.toString(), 'Subject: x\r\n\r\nbody\r\n');
  });

  it('accept ends the hook as passed: later stages do not run', async () => {
    const t = host([
      stage('white', { rcpt: async () => ({ kind: 'accept' }) }),
      stage('grey', { rcpt: async () => ({ kind: 'tempfail', reply: { code: 451, enhanced: '4.7.1', text: 'later' } }) }),
    ]);
    const s = new PipelineSession(t.h, client(), settings());
    await s.mail('a@x.test', { helo: 'h' });
    assert.deepEqual(await s.rcpt('u@y.test'), { kind: 'pass' });
    assert.deepEqual(s.recipients, ['u@y.test']);
    assert.equal(t.counts['white.accept'], 1);
  });

  it('skips disabled stages and those that exempt authenticated or trusted clients', async () => {
    const refuse = async (): Promise<Verdict> => ({ kind: 'reject', reply: { code: 554, enhanced: '5.7.1', text: 'no' } });
    const stages = [
      stage('off', { rcpt: refuse }, { enabled: false }),
      stage('noauth', { rcpt: refuse }, { exempt: { authenticated: true, trusted: false } }),
      stage('notrust', { rcpt: refuse }, { exempt: { authenticated: false, trusted: true } }),
    ];
    const authed = new PipelineSession(host([stages[0]!, stages[1]!]).h, client(), settings());
    await authed.mail('a@x.test', { helo: 'h', authUser: 'a@x.test' });
    assert.equal((await authed.rcpt('u@y.test')).kind, 'pass');
    const trusted = new PipelineSession(host([stages[0]!, stages[2]!]).h, client({ trusted: true }), settings());
    await trusted.mail('a@x.test', { helo: 'h' });
    assert.equal((await trusted.rcpt('u@y.test')).kind, 'pass');
    const stranger = new PipelineSession(host(stages).h, client(), settings());
    await stranger.mail('a@x.test', { helo: 'h' });
    assert.equal((await stranger.rcpt('u@y.test')).kind, 'refuse');
  });

  it('a stage that throws or overruns pipeline.stageTimeoutMs is a 451, never a pass', async () => {
    const t = host([
      stage('boom', { connect: async () => { throw new Error('bug'); } }),
    ]);
    assert.deepEqual(await new PipelineSession(t.h, client(), settings()).connect(),
      { kind: 'refuse', reply: { code: 451, enhanced: '4.3.0', text: 'Temporary local problem, please try again later' }, close: false });
    assert.equal(t.counts['boom.error'], 1);
    assert.match(t.lines.join('\n'), /boom: connect failed: bug/);

    const slow = host([stage('slow', { data: () => new Promise<Verdict>((r) => setTimeout(() => r({ kind: 'continue' }), 2000).unref()) })]);
    const started = Date.now();
    const out = await new PipelineSession(slow.h, client(), settings({ 'pipeline.stageTimeoutMs': 150 })).data(msg);
    assert.equal(out.kind, 'refuse');
    assert.ok(Date.now() - started < 1500, 'the runner did not wait for the stage');
    assert.equal(slow.counts['slow.timeout'], 1);
  });

  it('runs HELO stages once per HELO name, at MAIL', async () => {
    const helos: string[] = [];
    const t = host([stage('h', { helo: async (ctx) => { helos.push(ctx.client.helo); return { kind: 'continue' }; }, mail: ok })]);
    const s = new PipelineSession(t.h, client(), settings());
    await s.mail('a@x.test', { helo: 'one.test' });
    await s.mail('b@x.test', { helo: 'one.test' });
    await s.mail('c@x.test', { helo: 'two.test' });
    assert.deepEqual(helos, ['one.test', 'two.test']);
  });

  it('turns data verdicts into outcomes; hold, quarantine and discard outside DATA are a 451', async () => {
    const make = (v: Verdict) => new PipelineSession(host([stage('av', { data: async () => v, rcpt: async () => v })]).h, client(), settings());
    assert.deepEqual(await make({ kind: 'hold', reason: 'clamd down', retrySec: 60 }).data(msg),
      { kind: 'hold', raw: msg.raw, headers: [], retrySec: 60, meta: { pipeline: { held: 'av', reason: 'clamd down', attempts: 0 } } });
    assert.deepEqual(await make({ kind: 'quarantine', reason: 'Eicar' }).data(msg), { kind: 'quarantine', raw: msg.raw, headers: [], stage: 'av', reason: 'Eicar' });
    assert.deepEqual(await make({ kind: 'discard', reason: 'Eicar' }).data(msg), { kind: 'discard', stage: 'av', reason: 'Eicar' });
    const held = make({ kind: 'hold', reason: 'x', retrySec: 1 });
    await held.mail('a@x.test', { helo: 'h' });
    assert.equal((await held.rcpt('u@y.test') as { reply: { code: number } }).reply.code, 451);
  });

  it('a held message is scanned again from the stage that held it', async () => {
    const seen: string[] = [];
    const t = host([
      stage('auth', { data: async () => { seen.push('auth'); return { kind: 'continue' }; } }),
      stage('av', { data: async (ctx) => { seen.push(`av ${ctx.sender} ${ctx.recipients.join(',')}`); return { kind: 'continue' }; } }),
    ]);
    const s = new PipelineSession(t.h, client({ kind: 'held' }), settings());
    s.restore('a@x.test', ['u@y.test']);
    assert.equal((await s.data(msg, 'av')).kind, 'deliver');
    assert.deepEqual(seen, ['av a@x.test u@y.test']);
  });
});
