/**
 * Where each remote IMAP folder lands here. INBOX is INBOX; the remote Sent, Drafts, Trash and Junk
 * (by SPECIAL-USE flags, or names like "Sent Items" that imapflow recognises) go into ours, with
 * their subfolders under ours; other folders keep their names, re-split on our '/' separator. A
 * personal namespace prefix such as Courier's "INBOX." is dropped. Virtual folders (\All, \Flagged)
 * and folders that hold no messages (\Noselect, \NonExistent) are skipped: importing them would
 * copy messages twice or fail. Pure: the caller lists the folders.
 */
import type { SpecialUse } from '../../store/store.ts';

export interface RemoteFolder {
  /** Unicode path as the server lists it (imapflow decodes modified UTF-7). */
  path: string;
  delimiter: string;
  flags: ReadonlySet<string> | readonly string[];
  specialUse?: string;
}

export interface FolderPlan {
  remote: string;
  local: string;
}

const MAPPED: readonly SpecialUse[] = ['\\Sent', '\\Drafts', '\\Trash', '\\Junk'];
const SKIP_FLAGS = ['\\noselect', '\\nonexistent', '\\all', '\\flagged'];

/** One level of a name: our separator and the characters checkName refuses become '_'. */
const cleanLevel = (s: string): string => (s.replace(/[/\x00-\x1f\x7f*%]/g, '_').trim() || '_');

/**
 * ours: our folder for each special use, e.g. { '\\Sent': 'Sent' } (the user's own folders).
 * prefix: the server's personal namespace prefix ('' or e.g. 'INBOX.').
 */
export function planFolders(remote: readonly RemoteFolder[], ours: Partial<Record<SpecialUse, string>>, prefix = ''): FolderPlan[] {
  const skipped = (f: RemoteFolder) =>
    [...f.flags].some((x) => SKIP_FLAGS.includes(x.toLowerCase())) || ['\\All', '\\Flagged'].includes(f.specialUse ?? '');
  const levels = (f: RemoteFolder): string[] => {
    let p = f.path;
    if (prefix !== '' && p.toUpperCase() !== 'INBOX' && p.toUpperCase().startsWith(prefix.toUpperCase()) && p.length > prefix.length) {
      p = p.slice(prefix.length);
    }
    return f.delimiter ? p.split(f.delimiter) : [p];
  };
  // The first remote folder of each special use we map is the one that becomes ours.
  const specials = new Map<string, string[]>();
  for (const f of remote) {
    const use = f.specialUse as SpecialUse | undefined;
    if (skipped(f) || !use || !MAPPED.includes(use) || !ours[use] || specials.has(use)) continue;
    specials.set(use, levels(f));
  }
  const plans: FolderPlan[] = [];
  for (const f of remote) {
    if (skipped(f)) continue;
    if (f.path.toUpperCase() === 'INBOX' || f.specialUse === '\\Inbox') {
      plans.push({ remote: f.path, local: 'INBOX' });
      continue;
    }
    const parts = levels(f);
    let local = parts.map(cleanLevel).join('/');
    // Under a mapped special folder (or it itself): swap its prefix for ours.
    for (const [use, sp] of specials) {
      if (sp.length <= parts.length && sp.every((s, i) => s === parts[i])) {
        local = [ours[use as SpecialUse]!, ...parts.slice(sp.length).map(cleanLevel)].join('/');
        break;
      }
    }
    if (/^inbox$/i.test(local)) local = 'INBOX';
    else if (/^inbox\//i.test(local)) local = `INBOX${local.slice(5)}`;
    plans.push({ remote: f.path, local });
  }
  return plans;
}
