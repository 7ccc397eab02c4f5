/**
 * What clamd would skip and call clean (shared/ECOSYSTEM.md: ClamAV 1.4.6 reports an archive member
 * larger than its limits as clean unless clamd runs with AlertExceedsMax): the ZIP attachments of
 * a message are read here first, from their central directory (APPNOTE.TXT §4.3.12, §4.3.16), and
 * a member declaring more than antivirus.maxArchiveMemberBytes, members adding up to more than
 * antivirus.maxArchiveTotalBytes (a zip bomb), or a ZIP64 size makes the message unscannable.
 * Only the first level of ZIP archives is read; what lies deeper is clamd's (its recursion limit).
 */
import { parseMimeTree, type MimePart } from '../mime/mime-tree.ts';
import { decodeTransfer, parseTransferEncoding } from '../mime/transfer-encoding.ts';

export interface ArchiveLimits {
  maxMemberBytes: number;
  maxTotalBytes: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;

/** Why the archive is over the limits, or undefined. Not a ZIP, or a broken one: undefined (clamd's call). */
export function zipOverLimits(zip: Buffer, limits: ArchiveLimits): string | undefined {
  if (zip.length < 22 || zip.readUInt32LE(0) !== 0x04034b50) return undefined;
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65_535); i--) {
    if (zip.readUInt32LE(i) === EOCD) { eocd = i; break; }
  }
  if (eocd < 0) return undefined;
  const entries = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  let total = 0;
  for (let n = 0; n < entries && at + 46 <= zip.length && zip.readUInt32LE(at) === CENTRAL; n++) {
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const name = zip.toString('utf8', at + 46, Math.min(zip.length, at + 46 + nameLength));
    if (size === 0xffffffff) return `archive member ${name} is ZIP64 (4 GiB or more)`;
    if (size > limits.maxMemberBytes) return `archive member ${name} unpacks to ${size} bytes, over antivirus.maxArchiveMemberBytes (${limits.maxMemberBytes})`;
    total += size;
    if (total > limits.maxTotalBytes) return `archive unpacks to more than antivirus.maxArchiveTotalBytes (${limits.maxTotalBytes})`;
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return undefined;
}

/** The first attachment of the message whose ZIP is over the limits, with the reason. */
export function messageOverArchiveLimits(raw: Buffer, limits: ArchiveLimits, tree?: MimePart): string | undefined {
  const walk = (part: MimePart): string | undefined => {
    if (part.message) return walk(part.message);
    if (part.type === 'multipart') {
      for (const c of part.children) {
        const r = walk(c);
        if (r) return r;
      }
      return undefined;
    }
    if (part.type === 'text') return undefined;
    const body = decodeTransfer(raw.subarray(part.bodyStart, part.bodyEnd), parseTransferEncoding(part.encoding) ?? '7bit');
    return zipOverLimits(body, limits);
  };
  try {
    return walk(tree ?? parseMimeTree(raw));
  } catch {
    return undefined;
  }
}
