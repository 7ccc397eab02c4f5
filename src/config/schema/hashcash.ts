/**
 * Runtime settings of HashCash stamps (FEATURES S16, manual 4.5.5 HashCash): stamps minted for the
 * remote recipients of mail local users send (X-Hashcash, version 1, SHA-1 partial preimage), and
 * stamps on incoming mail verified, a valid one lowering the spam score. Off by default.
 */
import { z } from 'zod';

export const HashcashSettingsSchema = z.object({
  enabled: z.boolean().default(false).describe('Mint HashCash stamps on outgoing mail and verify them on incoming mail.'),
  bits: z.int().min(8).max(28).default(20)
    .describe('Leading zero bits of the stamps we mint (20 ≈ one million SHA-1 hashes per recipient).'),
  minBits: z.int().min(8).max(28).default(20).describe('Bits an incoming stamp needs to count.'),
  maxRecipients: z.int().min(1).max(100).default(10).describe('Stamp at most this many remote recipients of one message.'),
  validDays: z.int().min(1).max(28).default(2).describe('How old (or how far in the future) a stamp\'s date may be.'),
  score: z.number().min(-100).max(0).default(-1.5).describe('Spam score added for a valid stamp addressed to a recipient (negative: more likely ham).'),
});

export type HashcashSettings = z.output<typeof HashcashSettingsSchema>;
