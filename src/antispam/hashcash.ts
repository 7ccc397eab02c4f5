/**
 * HashCash stamps (FEATURES S16, manual 4.5.5; hashcash.org version 1 stamps): for mail local users
 * send (authenticated or trusted clients), an X-Hashcash stamp per remote recipient, minted in
 * slices so the event loop keeps serving other sessions; for incoming mail, stamps addressed to one
 * of the recipients, recent, and with enough leading zero bits of SHA-1 add hashcash.score (a
 * negative number) to the spam score. Off by default (hashcash.enabled). Runs before the scoring
 * stage so the score counts. Counters 'hashcash.minted', 'hashcash.valid', 'hashcash.invalid'.
 * Double spending is not tracked: a stamp is only worth its small negative score.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Settings } from '../config/settings.ts';
import type { PipelineMessage, Stage, StageContext, Verdict } from '../pipeline/stage.ts';

/** Leading zero bits of a digest. */
export function leadingZeroBits(digest: Buffer): number {
  let n = 0;
  for (const byte of digest) {
    if (byte === 0) { n += 8; continue; }
    return n + Math.clz32(byte) - 24;
  }
  return n;
}

const yymmdd = (ms: number) => new Date(ms).toISOString().slice(2, 10).replace(/-/g, '');

/** Mints a version 1 stamp for `resource` with `bits` zero bits; yields to the event loop every slice. */
export async function mintStamp(resource: string, bits: number, now: number, slice = 20_000): Promise<string> {
  const prefix = `1:${bits}:${yymmdd(now)}:${resource}::${randomBytes(12).toString('base64').replace(/=+$/, '')}:`;
  for (let counter = 0; ; counter++) {
    const stamp = prefix + counter.toString(36);
    if (leadingZeroBits(createHash('sha1').update(stamp).digest()) >= bits) return stamp;
    if (counter % slice === slice - 1) await new Promise((r) => setImmediate(r));
  }
}

/** Why a stamp does not count for these recipients, or undefined when it does. */
export function checkStamp(stamp: string, o: { recipients: readonly string[]; minBits: number; now: number; validDays: number }): string | undefined {
  const parts = stamp.trim().split(':');
  if (parts.length !== 7 || parts[0] !== '1') return 'not a version 1 stamp';
  const bits = Number(parts[1]);
  if (!Number.isInteger(bits) || bits < o.minBits) return `${parts[1]} bits, ${o.minBits} needed`;
  const m = /^(\d{2})(\d{2})(\d{2})(\d{2}(\d{2}(\d{2})?)?)?$/.exec(parts[2]!);
  if (!m) return 'bad date';
  const at = Date.UTC(2000 + Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (Math.abs(o.now - at) > (o.validDays + 1) * 86_400_000) return 'expired or from the future';
  const resource = parts[3]!.toLowerCase();
  if (!o.recipients.some((r) => r.toLowerCase() === resource)) return `for ${resource}, not a recipient`;
  if (leadingZeroBits(createHash('sha1').update(stamp.trim()).digest()) < bits) return 'the hash has too few zero bits';
  return undefined;
}

const domainOf = (a: string) => a.slice(a.lastIndexOf('@') + 1).toLowerCase();

export class HashcashStage implements Stage {
  readonly name = 'hashcash';
  readonly log = 'antispam' as const;
  readonly exempt = { authenticated: false, trusted: false };

  constructor(private readonly deps: { isLocalDomain(domain: string): Promise<boolean> }) {}

  isEnabled(s: Readonly<Settings>): boolean {
    return s.hashcash.enabled;
  }

  async data(ctx: StageContext, msg: PipelineMessage): Promise<Verdict> {
    const s = ctx.settings.hashcash;
    if (ctx.client.authUser !== undefined || ctx.client.trusted) {
      const remote: string[] = [];
      for (const r of ctx.recipients) if (!(await this.deps.isLocalDomain(domainOf(r)))) remote.push(r);
      const headers: string[] = [];
      for (const r of remote.slice(0, s.maxRecipients)) headers.push(`X-Hashcash: ${await mintStamp(r, s.bits, ctx.now())}`);
      if (headers.length > 0) {
        ctx.count('minted', headers.length);
        ctx.log(`minted ${headers.length} stamp(s) of ${s.bits} bits`);
      }
      return { kind: 'continue', headers };
    }
    const stamps = [...msg.header.replace(/\r?\n[ \t]+/g, ' ').matchAll(/^(?:x-)?hashcash:[ \t]*(.*)$/gim)].map((m) => m[1]!);
    if (stamps.length === 0) return { kind: 'continue' };
    for (const stamp of stamps) {
      const why = checkStamp(stamp, { recipients: ctx.recipients, minBits: s.minBits, now: ctx.now(), validDays: s.validDays });
      if (why === undefined) {
        ctx.count('valid');
        ctx.log(`valid stamp ${stamp.slice(0, 80)}`);
        return { kind: 'continue', score: [{ rule: 'HASHCASH_VALID', score: s.score, detail: `${stamp.split(':')[1]} bits` }] };
      }
      ctx.log(`stamp not counted (${why}): ${stamp.slice(0, 80)}`);
    }
    ctx.count('invalid');
    return { kind: 'continue' };
  }
}
