/**
 * Runtime IMAP settings (FEATURES P9): how large an APPEND may be (advertised as APPENDLIMIT,
 * RFC 7889), how long a command line may grow, and which optional extensions are offered.
 * The idle timeout lives with the other timeouts in limits.ts. Read per session.
 */
import { z } from 'zod';

export const ImapSettingsSchema = z.object({
  appendLimitBytes: z.int().min(1024).max(2 ** 31 - 1).default(64 * 1024 * 1024)
    .describe('Largest message a client may APPEND, in bytes (APPENDLIMIT). Bigger literals get NO [TOOBIG] before they are sent.'),
  maxLineBytes: z.int().min(8192).max(16 * 1024 * 1024).default(64 * 1024)
    .describe('Longest command line accepted, in bytes (RFC 7162 asks for at least 8192). Longer lines get BAD.'),
  maxCommandBytes: z.int().min(64 * 1024).max(64 * 1024 * 1024).default(1024 * 1024)
    .describe('Largest command accepted, lines and literals together (an APPEND message counts against appendLimitBytes instead). Bigger gets BAD.'),
  maxLiteralsPerCommand: z.int().min(16).max(100_000).default(1000)
    .describe('Literals one command may carry. More gets BAD.'),
  compressEnabled: z.boolean().default(true)
    .describe('Offer COMPRESS=DEFLATE (RFC 4978).'),
  maxConnectionsPerUser: z.int().min(0).default(50)
    .describe('Simultaneous IMAP sessions one user may hold on this node. 0 = no limit.'),
});

export type ImapSettings = z.output<typeof ImapSettingsSchema>;
