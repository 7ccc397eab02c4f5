/**
 * The per-message IMAP metadata worth keeping beside a blob: ENVELOPE and BODYSTRUCTURE, as byte
 * strings ready for the wire. Computed once per blob (fulltext/indexer.ts, or the first FETCH).
 */
import { bodyStructure } from './bodystructure.ts';
import { envelope } from './envelope.ts';
import type { MimePart } from './mime-tree.ts';

export function imapMeta(raw: Buffer, tree: MimePart): { envelope: string; bodystructure: string } {
  return {
    envelope: envelope(raw.subarray(tree.headerStart, tree.bodyStart)),
    bodystructure: bodyStructure(tree, { extensible: true }),
  };
}
