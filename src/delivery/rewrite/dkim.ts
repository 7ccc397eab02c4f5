/**
 * DKIM signing of outbound mail (RFC 6376; FEATURES P15): rsa-sha256, relaxed/relaxed, through
 * mailauth's dkimSign, plus the per-domain key — generated here (RSA 2048, RFC 8301 §3.2) and kept
 * in the store's settings under scope `domain:<id>`, key `dkim`, as { selector, privateKey }.
 * The public key is derived from the private one whenever the DNS record is shown.
 * Sign last, after every other rewrite (header translation, domain signature), over the exact
 * CRLF bytes that go on the wire. Verifying inbound mail is the pipeline's business, not this file's.
 * Config: rewrite.dkim.enabled (config/schema/rewrite.ts) is read by the caller.
 */
import { createPrivateKey, createPublicKey, generateKeyPair } from 'node:crypto';
import { domainToASCII } from 'node:url';
import { promisify } from 'node:util';
import type { DKIMSignOptions } from 'mailauth';
import { MailError } from '../../core/errors.ts';
import type { DomainId } from '../../core/ids.ts';
import type { Store, StoreTx } from '../../store/store.ts';
import { domainSettingsScope } from '../../config/domain-scope.ts';

/** What the store keeps per domain. */
export interface DkimKey {
  /** The s= tag: the DNS label under _domainkey. */
  selector: string;
  /** PKCS#8 PEM RSA private key. */
  privateKey: string;
}

/** The DNS record to publish for a key (RFC 6376 §3.6.1, §3.6.2.1). */
export interface DkimDnsRecord {
  /** SPKI PEM public key. */
  publicKey: string;
  /** `${selector}._domainkey.${domain}`. */
  dnsName: string;
  /** The TXT value: 'v=DKIM1; k=rsa; p=…'. */
  txt: string;
}

export type GeneratedDkimKey = DkimKey & DkimDnsRecord;

export const DEFAULT_DKIM_SELECTOR = 'youju';
/** The settings key, under the domain's scope. */
export const DKIM_SETTING_KEY = 'dkim';
export { domainSettingsScope };

const SELECTOR = /^(?=.{1,63}(?:\.|$))[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.(?=.{1,63}(?:\.|$))[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/i;

/** Throws INVALID_INPUT unless `selector` is one or more DNS labels (RFC 6376 §3.1). */
export function checkSelector(selector: string): string {
  if (selector.length > 200 || !SELECTOR.test(selector)) {
    throw new MailError('INVALID_INPUT', `DKIM selector "${selector}" must be DNS labels: letters, digits and hyphens, dot-separated`);
  }
  return selector.toLowerCase();
}

function asciiDomain(domain: string): string {
  const ascii = domainToASCII(domain.trim().replace(/\.$/, '')).toLowerCase();
  if (ascii === '') throw new MailError('INVALID_INPUT', `"${domain}" is not a domain name`);
  return ascii;
}

/** The DNS name and TXT value publishing the public half of `key` for `domain`. */
export function dkimDnsRecord(domain: string, key: DkimKey): DkimDnsRecord {
  let der: Buffer;
  let publicKey: string;
  try {
    const pub = createPublicKey(createPrivateKey(key.privateKey));
    der = pub.export({ type: 'spki', format: 'der' });
    publicKey = pub.export({ type: 'spki', format: 'pem' }).toString();
  } catch (err) {
    throw new MailError('CONFIG_INVALID', `the stored DKIM key of ${domain} is not a readable private key`, { cause: err });
  }
  return { publicKey, dnsName: `${key.selector}._domainkey.${asciiDomain(domain)}`, txt: `v=DKIM1; k=rsa; p=${der.toString('base64')}` };
}

/**
 * A new RSA 2048 key for `domain` with its DNS record. It is not stored: see saveDkimKey.
 * Throws INVALID_INPUT for a malformed domain or selector.
 */
export async function generateDkimKey(domain: string, selector: string = DEFAULT_DKIM_SELECTOR): Promise<GeneratedDkimKey> {
  const sel = checkSelector(selector);
  asciiDomain(domain);
  const { privateKey } = await promisify(generateKeyPair)('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const key: DkimKey = { selector: sel, privateKey };
  return { ...key, ...dkimDnsRecord(domain, key) };
}

/**
 * The record as a zone-file line. A TXT character-string holds at most 255 bytes (RFC 1035
 * §3.3.14) and a 2048-bit key does not fit in one, so the value is split into several strings,
 * which resolvers join (RFC 6376 §3.6.2.2).
 */
export function zoneFileLine(record: Pick<DkimDnsRecord, 'dnsName' | 'txt'>): string {
  const chunks = record.txt.match(/.{1,255}/g) ?? [''];
  return `${record.dnsName}. IN TXT ( ${chunks.map((c) => `"${c}"`).join(' ')} )`;
}

// ── Storage ────────────────────────────────────────────────────────────────────────────────

function asDkimKey(v: unknown): DkimKey | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const { selector, privateKey } = v as Record<string, unknown>;
  return typeof selector === 'string' && typeof privateKey === 'string' ? { selector, privateKey } : undefined;
}

/** The domain's key inside a transaction; undefined when it has none (or the stored value is unreadable). */
export async function readDkimKey(tx: StoreTx, domainId: DomainId): Promise<DkimKey | undefined> {
  return asDkimKey(await tx.settings.get(domainSettingsScope(domainId), DKIM_SETTING_KEY));
}

/** Stores (or replaces) the domain's key inside a transaction; the caller writes the audit entry in the same one. */
export async function putDkimKey(tx: StoreTx, domainId: DomainId, key: DkimKey): Promise<void> {
  await tx.settings.set(domainSettingsScope(domainId), DKIM_SETTING_KEY, { selector: key.selector, privateKey: key.privateKey });
}

export function loadDkimKey(store: Store, domainId: DomainId): Promise<DkimKey | undefined> {
  return store.read((tx) => readDkimKey(tx, domainId));
}

export function saveDkimKey(store: Store, domainId: DomainId, key: DkimKey): Promise<void> {
  return store.tx((tx) => putDkimKey(tx, domainId, key));
}

// ── Signing ────────────────────────────────────────────────────────────────────────────────

export interface DkimSignInput {
  /** The d= domain (ASCII or Unicode; signed in ASCII). */
  domain: string;
  key: DkimKey;
  /** The t= time; now by default. */
  signTime?: Date;
}

/**
 * The DKIM-Signature header field for `raw` (CRLF-terminated, folded), to prepend to the message
 * unchanged. Throws CONFIG_INVALID when the key cannot sign (the message should then be sent
 * unsigned or held: the caller's policy).
 */
export async function signDkim(raw: Buffer, input: DkimSignInput): Promise<string> {
  const entry: DKIMSignOptions = {
    signingDomain: asciiDomain(input.domain),
    selector: input.key.selector,
    privateKey: input.key.privateKey,
    algorithm: 'rsa-sha256',
    canonicalization: 'relaxed/relaxed',
  };
  // mailauth 4.13.3 signs nothing given these as flat options: they must sit in signatureData
  // (shared/ECOSYSTEM.md), which its types declare as requiring the fields too, hence the cast.
  const options = { signatureData: [entry], signTime: input.signTime ?? new Date() } as unknown as DKIMSignOptions;
  const fail = (reason: string, cause?: unknown) => new MailError('CONFIG_INVALID',
    `DKIM signing for ${entry.signingDomain} failed: ${reason}`, { details: { domain: entry.signingDomain, selector: entry.selector }, cause });
  let result: Awaited<ReturnType<typeof import('mailauth/lib/dkim/sign.js')['dkimSign']>>;
  try {
    // mailauth loads on first use: the CLI and servers that never sign do not pay its start-up.
    const { dkimSign } = await import('mailauth/lib/dkim/sign.js');
    result = await dkimSign(raw, options);
  } catch (err) {
    throw fail(err instanceof Error ? err.message : String(err), err);
  }
  const header = result.signatures.trim();
  if (result.errors.length > 0 || !/^DKIM-Signature:/i.test(header)) {
    throw fail(result.errors.map((e) => e.message).join('; ') || 'no signature produced');
  }
  return `${header}\r\n`;
}
