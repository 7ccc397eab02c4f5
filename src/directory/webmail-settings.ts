/**
 * webmail 设置 of the domain console (manual part 3 §1.8; FEATURES A8) for an admin Actor: the login
 * page template, the domain signature (appended to every outgoing message by
 * delivery/rewrite/signature.ts), the custom login field, the announcement shown on the webmail's
 * home page, the logos (small images kept in the store), the welcome letter whose subject and body
 * may say "(user)" for the new user's name, home-page links, the charset mail is sent in, the
 * strong-password switch (the domain's own field) and the SSO login URL. Domain admins of the domain
 * and the super admin only (admin-reach.ts domainLevel); each change is audited without the images.
 * The webmail reads what users see through publicBranding().
 * Not here: the customer address book (its own service), sending the welcome letter.
 */
import { randomBytes } from 'node:crypto';
import { MailError } from '../core/errors.ts';
import { rfc5322Date } from '../mime/date.ts';
import type { Domain, Store, StoreTx } from '../store/store.ts';
import { domainSettingsScope, SIGNATURE_SETTING_KEY, WEBMAIL_SETTING_KEY } from '../config/domain-scope.ts';
import { type Actor, recordAudit } from './actor.ts';
import { reachDomain } from './admin-reach.ts';
import type { DomainService } from './domains.ts';
import { findDomain } from './lookup.ts';
import { normaliseDomain } from './address.ts';

/** The login page templates on offer (manual §1.8.1: several; ours are these). */
export const LOGIN_TEMPLATES = ['default', 'business-blue', 'classic-126', 'minimal'] as const;
/** Charsets the webmail may send in (manual §1.8.9; UTF-8 recommended). */
export const SEND_CHARSETS = ['utf-8', 'gb18030', 'gbk', 'big5', 'iso-2022-jp', 'euc-kr'] as const;
/** The three logo places (manual §1.8.6). */
export const LOGO_SLOTS = ['afterLogin', 'beforeLogin', 'loginBackground'] as const;
export type LogoSlot = (typeof LOGO_SLOTS)[number];
/** Image types a logo may have: raster only (an SVG can carry script). */
export const LOGO_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;
/** A logo's largest size: a login background at good JPEG quality, with room. */
export const MAX_LOGO_BYTES = 256 * 1024;
export const MAX_HOME_LINKS = 20;

export interface HomeLink { title: string; url: string }
export interface WebmailSettings {
  loginTemplate: (typeof LOGIN_TEMPLATES)[number];
  customLoginField: { enabled: boolean; label: string };
  announcement: { enabled: boolean; title: string; body: string };
  welcome: { enabled: boolean; subject: string; body: string };
  homeLinks: HomeLink[];
  sendCharset: (typeof SEND_CHARSETS)[number];
  ssoUrl: string;
}
export interface StoredLogo { type: (typeof LOGO_TYPES)[number]; data: string /* base64 */; updatedAt: number }
interface Stored extends Partial<WebmailSettings> { logos?: Partial<Record<LogoSlot, StoredLogo>> }

/** The whole screen: the settings, the signature, the strong-password switch, which logos there are. */
export interface WebmailSettingsView extends WebmailSettings {
  signature: { text: string; html: string };
  strongPasswords: boolean;
  logos: Record<LogoSlot, { type: string; bytes: number; updatedAt: number } | null>;
}
export type WebmailSettingsPatch = Partial<WebmailSettings> & { signature?: { text: string; html: string }; strongPasswords?: boolean };

/** What a user's webmail shows (no secrets): the announcement, links, template, logos present. */
export interface PublicBranding {
  domain: string;
  loginTemplate: WebmailSettings['loginTemplate'];
  customLoginField: string | null;
  announcement: { title: string; body: string } | null;
  homeLinks: HomeLink[];
  logos: LogoSlot[];
}

export const DEFAULT_WEBMAIL_SETTINGS: WebmailSettings = {
  loginTemplate: 'default',
  customLoginField: { enabled: false, label: '' },
  announcement: { enabled: false, title: '', body: '' },
  welcome: { enabled: false, subject: '欢迎(user)使用企业邮箱', body: '(user)，您好！\n\n欢迎使用企业邮箱。' },
  homeLinks: [],
  sendCharset: 'utf-8',
  ssoUrl: '',
};

export class WebmailSettingsService {
  constructor(private readonly store: Store, private readonly domains: DomainService, private readonly now: () => number = Date.now) {}

  async get(actor: Actor, domainName: string): Promise<WebmailSettingsView> {
    return this.store.read(async (tx) => {
      const { domain } = await reachDomain(tx, actor, domainName, { domainLevel: true });
      return view(domain, await readStored(tx, domain), await readSignature(tx, domain));
    });
  }

  /** Changes what the patch names. Throws INVALID_INPUT naming the field, FORBIDDEN, NOT_FOUND. */
  async update(actor: Actor, domainName: string, patch: WebmailSettingsPatch): Promise<WebmailSettingsView> {
    const clean = validate(patch);
    const { domain } = await this.store.read((tx) => reachDomain(tx, actor, domainName, { domainLevel: true }));
    if (patch.strongPasswords !== undefined && patch.strongPasswords !== domain.strongPasswords) {
      await this.domains.update(actor, domain.name, { strongPasswords: patch.strongPasswords }); // audited as domain.update
    }
    await this.store.tx(async (tx) => {
      const scope = domainSettingsScope(domain.id);
      const { signature, strongPasswords: _s, ...settings } = clean;
      if (Object.keys(settings).length > 0) await tx.settings.set(scope, WEBMAIL_SETTING_KEY, { ...(await readStored(tx, domain)), ...settings });
      if (signature) await tx.settings.set(scope, SIGNATURE_SETTING_KEY, signature);
      if (Object.keys(settings).length > 0 || signature) {
        await recordAudit(tx, actor, 'domain.webmail', domain.name, { ...settings, ...(signature ? { signature: true } : {}) });
      }
    });
    return this.get(actor, domain.name);
  }

  /**
   * Stores a logo from a data: URL (PNG, JPEG, GIF or WebP, at most MAX_LOGO_BYTES), or removes it
   * with null. The bytes are checked to be the image type they claim.
   */
  async setLogo(actor: Actor, domainName: string, slot: LogoSlot, dataUrl: string | null): Promise<WebmailSettingsView> {
    if (!LOGO_SLOTS.includes(slot)) throw new MailError('INVALID_INPUT', `slot must be one of ${LOGO_SLOTS.join(', ')}`, { details: { field: 'slot' } });
    const logo = dataUrl === null ? null : parseLogo(dataUrl, this.now());
    const { domain } = await this.store.read((tx) => reachDomain(tx, actor, domainName, { domainLevel: true }));
    await this.store.tx(async (tx) => {
      const stored = await readStored(tx, domain);
      const logos = { ...(stored.logos ?? {}) };
      if (logo) logos[slot] = logo;
      else delete logos[slot];
      await tx.settings.set(domainSettingsScope(domain.id), WEBMAIL_SETTING_KEY, { ...stored, logos });
      await recordAudit(tx, actor, logo ? 'domain.logo.set' : 'domain.logo.delete', domain.name, { slot, ...(logo ? { type: logo.type, bytes: Buffer.from(logo.data, 'base64').length } : {}) });
    });
    return this.get(actor, domain.name);
  }

  /** A logo's bytes for anyone (the login page shows them before sign-in); undefined when none. */
  async logo(domainName: string, slot: LogoSlot): Promise<{ type: string; bytes: Buffer; updatedAt: number } | undefined> {
    if (!LOGO_SLOTS.includes(slot)) return undefined;
    return this.store.read(async (tx) => {
      const domain = await publicDomain(tx, domainName);
      const l = domain && (await readStored(tx, domain)).logos?.[slot];
      return l ? { type: l.type, bytes: Buffer.from(l.data, 'base64'), updatedAt: l.updatedAt } : undefined;
    });
  }

  /** The domain's 登录接口地址 (single sign-on verification URL); '' when none is set or there is no such domain. */
  async ssoUrl(domainName: string): Promise<string> {
    return this.store.read(async (tx) => {
      const domain = await publicDomain(tx, domainName);
      return domain ? ((await readStored(tx, domain)).ssoUrl ?? '') : '';
    });
  }

  /** What the webmail shows for the domain (also before sign-in: the login page's template and logos); undefined for no such domain. */
  async publicBranding(domainName: string): Promise<PublicBranding | undefined> {
    return this.store.read(async (tx) => {
      const domain = await publicDomain(tx, domainName);
      if (!domain) return undefined;
      const s = { ...DEFAULT_WEBMAIL_SETTINGS, ...(await readStored(tx, domain)) };
      return {
        domain: domain.name, loginTemplate: s.loginTemplate,
        customLoginField: s.customLoginField.enabled && s.customLoginField.label ? s.customLoginField.label : null,
        announcement: s.announcement.enabled && (s.announcement.title || s.announcement.body) ? { title: s.announcement.title, body: s.announcement.body } : null,
        homeLinks: s.homeLinks, logos: LOGO_SLOTS.filter((slot) => s.logos?.[slot]),
      };
    });
  }

  /** The welcome letter for a new user, "(user)" replaced by their name; undefined when switched off. */
  async welcomeLetter(domainName: string, realName: string): Promise<{ subject: string; body: string } | undefined> {
    return this.store.read(async (tx) => {
      const domain = await publicDomain(tx, domainName);
      if (!domain) return undefined;
      const w = { ...DEFAULT_WEBMAIL_SETTINGS, ...(await readStored(tx, domain)) }.welcome;
      return w.enabled ? renderWelcome(w, realName) : undefined;
    });
  }
}

/** Replaces every "(user)" (also the full-width "（user）") in the subject and body with the name. */
export function renderWelcome(w: { subject: string; body: string }, name: string): { subject: string; body: string } {
  const fill = (s: string) => s.replace(/[(（]user[)）]/g, () => name);
  return { subject: fill(w.subject), body: fill(w.body) };
}

/**
 * The welcome letter as a message from postmaster@ of the domain to the new user: plain UTF-8 text,
 * base64 so no line is too long, the subject as an encoded word.
 */
export function buildWelcomeMessage(w: { domain: string; to: string; subject: string; body: string; now: number }): Buffer {
  const b64 = Buffer.from(w.body.replace(/\r?\n/g, '\r\n'), 'utf8').toString('base64').replace(/.{76}/g, '$&\r\n');
  return Buffer.from([
    `From: <postmaster@${w.domain}>`,
    `To: <${w.to}>`,
    `Subject: =?UTF-8?B?${Buffer.from(w.subject, 'utf8').toString('base64')}?=`,
    `Date: ${rfc5322Date(w.now)}`,
    `Message-ID: <welcome.${w.now.toString(36)}.${randomBytes(4).toString('hex')}@${w.domain}>`,
    'Auto-Submitted: auto-generated',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    b64,
    '',
  ].join('\r\n'), 'utf8');
}

async function publicDomain(tx: StoreTx, name: string): Promise<Domain | undefined> {
  try {
    return (await findDomain(tx, normaliseDomain(name)))?.domain;
  } catch {
    return undefined;
  }
}

async function readStored(tx: StoreTx, domain: Domain): Promise<Stored> {
  const raw = await tx.settings.get(domainSettingsScope(domain.id), WEBMAIL_SETTING_KEY);
  return raw && typeof raw === 'object' ? raw as Stored : {};
}

async function readSignature(tx: StoreTx, domain: Domain): Promise<{ text: string; html: string }> {
  const raw = await tx.settings.get(domainSettingsScope(domain.id), SIGNATURE_SETTING_KEY) as { text?: string; html?: string } | undefined;
  return { text: raw?.text ?? '', html: raw?.html ?? '' };
}

function view(domain: Domain, stored: Stored, signature: { text: string; html: string }): WebmailSettingsView {
  const { logos, ...rest } = stored;
  const s = { ...DEFAULT_WEBMAIL_SETTINGS, ...rest };
  const out = {} as WebmailSettingsView['logos'];
  for (const slot of LOGO_SLOTS) {
    const l = logos?.[slot];
    out[slot] = l ? { type: l.type, bytes: Math.floor((l.data.length * 3) / 4) - (l.data.endsWith('==') ? 2 : l.data.endsWith('=') ? 1 : 0), updatedAt: l.updatedAt } : null;
  }
  return { ...s, signature, strongPasswords: domain.strongPasswords, logos: out };
}

const bad = (field: string, message: string) => new MailError('INVALID_INPUT', `${field}: ${message}`, { details: { field } });

function validate(p: WebmailSettingsPatch): WebmailSettingsPatch {
  const out: WebmailSettingsPatch = {};
  if (p.loginTemplate !== undefined) {
    if (!LOGIN_TEMPLATES.includes(p.loginTemplate)) throw bad('loginTemplate', `one of ${LOGIN_TEMPLATES.join(', ')}`);
    out.loginTemplate = p.loginTemplate;
  }
  if (p.sendCharset !== undefined) {
    if (!SEND_CHARSETS.includes(p.sendCharset)) throw bad('sendCharset', `one of ${SEND_CHARSETS.join(', ')}`);
    out.sendCharset = p.sendCharset;
  }
  if (p.ssoUrl !== undefined) {
    const url = p.ssoUrl.trim();
    if (url !== '' && !isWebUrl(url)) throw bad('ssoUrl', 'an http:// or https:// address');
    out.ssoUrl = url;
  }
  if (p.customLoginField !== undefined) {
    const label = p.customLoginField.label.trim();
    if (p.customLoginField.enabled && label === '') throw bad('customLoginField', 'name the field to log in with');
    out.customLoginField = { enabled: p.customLoginField.enabled, label };
  }
  if (p.announcement !== undefined) out.announcement = { enabled: p.announcement.enabled, title: p.announcement.title.trim(), body: p.announcement.body };
  if (p.welcome !== undefined) {
    if (p.welcome.enabled && p.welcome.subject.trim() === '') throw bad('welcome', 'the letter needs a subject');
    out.welcome = { enabled: p.welcome.enabled, subject: p.welcome.subject.trim(), body: p.welcome.body };
  }
  if (p.homeLinks !== undefined) {
    if (p.homeLinks.length > MAX_HOME_LINKS) throw bad('homeLinks', `at most ${MAX_HOME_LINKS} links`);
    out.homeLinks = p.homeLinks.map((l, i) => {
      const title = l.title.trim();
      const url = l.url.trim();
      if (title === '') throw bad('homeLinks', `link ${i + 1} has no title`);
      if (!isWebUrl(url)) throw bad('homeLinks', `link ${i + 1}: "${url}" is not an http:// or https:// address`);
      return { title, url };
    });
  }
  if (p.signature !== undefined) out.signature = { text: p.signature.text, html: p.signature.html };
  if (p.strongPasswords !== undefined) out.strongPasswords = p.strongPasswords;
  return out;
}

function isWebUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}

/** Magic numbers of the allowed image types. */
const MAGIC: Record<(typeof LOGO_TYPES)[number], (b: Buffer) => boolean> = {
  'image/png': (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  'image/jpeg': (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  'image/gif': (b) => b.subarray(0, 6).toString('latin1') === 'GIF87a' || b.subarray(0, 6).toString('latin1') === 'GIF89a',
  'image/webp': (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
};

function parseLogo(dataUrl: string, now: number): StoredLogo {
  const m = /^data:([a-z/+-]+);base64,([A-Za-z0-9+/]+={0,2})$/.exec(dataUrl.trim());
  if (!m) throw bad('image', 'a data: URL with base64 image data');
  const type = m[1] as (typeof LOGO_TYPES)[number];
  if (!LOGO_TYPES.includes(type)) throw bad('image', `PNG, JPEG, GIF or WebP only (got ${m[1]})`);
  const bytes = Buffer.from(m[2]!, 'base64');
  if (bytes.length === 0) throw bad('image', 'the image is empty');
  if (bytes.length > MAX_LOGO_BYTES) throw new MailError('INVALID_INPUT', `image: at most ${MAX_LOGO_BYTES / 1024} KB (this is ${Math.ceil(bytes.length / 1024)} KB)`, { details: { field: 'image' } });
  if (!MAGIC[type](bytes)) throw bad('image', `the data is not a ${type.slice(6).toUpperCase()} image`);
  return { type, data: bytes.toString('base64'), updatedAt: now };
}
