/**
 * The shapes of a webmail user's own options (FEATURES W14, manual part 2 §1.17.1–1.17.4) that
 * are not mail rules: profile extras (个人资料), signatures (签名, several, one default),
 * preferences (参数设置) and the security question (密码提示问题). They are kept as JSON beside the
 * mail rules (delivery/local/user-rules.ts) in the settings scope `user:<id>`, one key each
 * (OPTION_KEYS). Defaults follow the manual: HTML display, UTF-8, 30 mails a page (at most 50),
 * save sent mail and auto-save recipients on. The security answer is stored only as a password
 * hash. Filters, auto-reply and forwarding keep their own schemas in user-rules.ts.
 */
import { z } from 'zod';

export const OPTION_KEYS = {
  profile: 'profile',
  signatures: 'signatures',
  preferences: 'preferences',
  securityQuestion: 'securityQuestion',
} as const;

export const MAX_SIGNATURES = 20;
/** A signature is a few lines; 32 KB leaves room for an HTML one with a small inline style. */
export const MAX_SIGNATURE_CHARS = 32 * 1024;
export const MAX_PAGE_SIZE = 50;

const PHONE = /^[0-9+\-() ]*$/;

/** Profile fields beside the user row's real name; the directory does not use them. */
const profileFields = {
  mobile: z.string().trim().max(40).regex(PHONE, 'digits, spaces and + - ( ) only'),
  phone: z.string().trim().max(40).regex(PHONE, 'digits, spaces and + - ( ) only'),
  title: z.string().trim().max(100).describe('Job title (职位)'),
  postalAddress: z.string().trim().max(300),
};
export const ProfileExtrasSchema = z.strictObject({
  mobile: profileFields.mobile.default(''), phone: profileFields.phone.default(''),
  title: profileFields.title.default(''), postalAddress: profileFields.postalAddress.default(''),
});
// Patches have no defaults: zod fills a default even into .partial(), which would reset what was left out.
export const ProfileExtrasPatchSchema = z.strictObject(profileFields).partial();
export type ProfileExtras = z.output<typeof ProfileExtrasSchema>;

const preferenceFields = {
  format: z.enum(['html', 'text']).describe('How mail is shown and written by default (默认显示格式)'),
  charset: z.enum(['utf-8', 'gb2312']).describe('Charset mail is sent in (邮件发送编码)'),
  refreshMinutes: z.int().min(1).max(120).describe('Minutes between list refreshes (列表刷新时间), at least 1'),
  pageSize: z.int().min(5).max(MAX_PAGE_SIZE).describe('Mails per list page (每页显示邮件数), at most 50'),
  saveSent: z.boolean().describe('Keep a copy of sent mail in Sent (保存已发送的邮件)'),
  autoSaveRecipients: z.boolean().describe('Add recipients to the personal address book after sending (自动保存收件人到通讯录)'),
  readingPane: z.enum(['right', 'below', 'off']).describe('Where an opened mail shows: beside the list, below it, or in its place'),
  conversationView: z.boolean().describe('List a folder by conversation (messages of one thread on one line)'),
};
export const DEFAULT_PREFERENCES = {
  format: 'html', charset: 'utf-8', refreshMinutes: 5, pageSize: 30, saveSent: true, autoSaveRecipients: true, readingPane: 'right', conversationView: false,
} as const;
export const PreferencesSchema = z.strictObject({
  format: preferenceFields.format.default(DEFAULT_PREFERENCES.format),
  charset: preferenceFields.charset.default(DEFAULT_PREFERENCES.charset),
  refreshMinutes: preferenceFields.refreshMinutes.default(DEFAULT_PREFERENCES.refreshMinutes),
  pageSize: preferenceFields.pageSize.default(DEFAULT_PREFERENCES.pageSize),
  saveSent: preferenceFields.saveSent.default(DEFAULT_PREFERENCES.saveSent),
  autoSaveRecipients: preferenceFields.autoSaveRecipients.default(DEFAULT_PREFERENCES.autoSaveRecipients),
  readingPane: preferenceFields.readingPane.default(DEFAULT_PREFERENCES.readingPane),
  conversationView: preferenceFields.conversationView.default(DEFAULT_PREFERENCES.conversationView),
});
export const PreferencesPatchSchema = z.strictObject(preferenceFields).partial();
export type Preferences = z.output<typeof PreferencesSchema>;

const signatureFields = {
  name: z.string().trim().min(1).max(60),
  format: z.enum(['html', 'text']).describe('html: rich text from the editor; text: plain lines'),
  content: z.string().max(MAX_SIGNATURE_CHARS),
  isDefault: z.boolean().describe('Make this the signature compose starts with'),
};
export const SignatureInputSchema = z.strictObject({ ...signatureFields, format: signatureFields.format.default('text'), isDefault: signatureFields.isDefault.optional() });
export const SignaturePatchSchema = z.strictObject(signatureFields).partial();
export type SignatureInput = z.input<typeof SignatureInputSchema>;
export type SignaturePatch = z.input<typeof SignaturePatchSchema>;

export const SignatureSchema = z.object({
  id: z.string(),
  name: z.string(),
  format: z.enum(['html', 'text']),
  content: z.string(),
});
export type Signature = z.output<typeof SignatureSchema>;

/** What the `signatures` key holds: the list in the user's order and the default's id. */
export const SignatureBookSchema = z.object({
  items: z.array(SignatureSchema).max(MAX_SIGNATURES),
  defaultId: z.string().nullable(),
});
export type SignatureBook = z.output<typeof SignatureBookSchema>;

/** What the `securityQuestion` key holds: the answer as a password hash (auth/password.ts). */
export const StoredQuestionSchema = z.object({ question: z.string(), answerHash: z.string() });

export const SecurityQuestionInputSchema = z.strictObject({
  password: z.string().min(1).max(256).describe('The current password: setting the question needs it'),
  question: z.string().trim().min(2).max(100),
  answer: z.string().trim().min(2).max(100),
});

/**
 * Answers compare case-, width- and space-insensitively: "北京 " and "北京", "Rex" and "rex" are the
 * same answer (people do not remember how they typed it months ago).
 */
export const normaliseAnswer = (answer: string): string => answer.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
