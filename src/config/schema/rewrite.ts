/**
 * Runtime settings of the outbound rewriters (delivery/rewrite/): header translation (FEATURES
 * P14, manual part 3 §4.4.7) and DKIM signing (P15, RFC 6376). Per-domain material — the DKIM key
 * and the domain signature — lives under the domain's settings scope, not here.
 * Defaults sit beside the keys; nothing else repeats them.
 */
import { z } from 'zod';

const oneLine = (what: string) => z.string().regex(/^[^\r\n]*$/, `${what} must be a single line`);

export const HeaderTranslationRuleSchema = z.object({
  find: oneLine('find').min(1).describe('Text to find in outbound header values (literal, case-sensitive).'),
  replace: oneLine('replace').default('').describe('What each occurrence of `find` becomes.'),
});

export type HeaderTranslationRuleSetting = z.output<typeof HeaderTranslationRuleSchema>;

export const RewriteSettingsSchema = z.object({
  headerTranslation: z.object({
    enabled: z.boolean().default(false)
      .describe('Rewrite text in the headers of outbound mail (e.g. internal host names in Received and Message-ID).'),
    rules: z.array(HeaderTranslationRuleSchema).default([])
      .describe('Replacements applied in order to every header value: [{ find, replace }].'),
    exceptHeaders: z.array(z.string().regex(/^[!-9;-~]+$/, 'a header name')).default([])
      .describe('Header names (any case) whose values are never rewritten.'),
  }).prefault({})
    .describe('Header translation of outbound mail (manual §4.4.7): { enabled, rules: [{ find, replace }], exceptHeaders }.'),
  dkim: z.object({
    enabled: z.boolean().default(true)
      .describe('Sign outbound mail of every domain that has a DKIM key (create one with `youju dkim generate`).'),
  }).prefault({})
    .describe('DKIM signing of outbound mail (RFC 6376, rsa-sha256, relaxed/relaxed): { enabled }.'),
});

export type RewriteSettings = z.output<typeof RewriteSettingsSchema>;
