/** Display helpers: folder names (system folders translated), dates and sizes in the UI language. */
import type { TFunction } from 'i18next';
import type { Folder } from './api.ts';

const SPECIAL: Record<string, string> = {
  '\\Inbox': 'folders.inbox', '\\Drafts': 'folders.drafts', '\\Sent': 'folders.sent',
  '\\Trash': 'folders.trash', '\\Junk': 'folders.junk', '\\Archive': 'folders.archive',
};

/** The last path segment, or the translated name of a system folder. */
export function folderLabel(t: TFunction, f: Pick<Folder, 'name' | 'specialUse'>): string {
  if (f.specialUse && SPECIAL[f.specialUse]) return t(SPECIAL[f.specialUse]!);
  return f.name.split('/').pop() ?? f.name;
}

/** Today: the time; this year: month and day; else the full date. */
export function shortDate(ms: number, lng: string): string {
  const d = new Date(ms);
  const now = new Date();
  const sameDay = d.toDateString() === now.toDateString();
  const opts: Intl.DateTimeFormatOptions = sameDay ? { hour: '2-digit', minute: '2-digit' }
    : d.getFullYear() === now.getFullYear() ? { month: 'short', day: 'numeric' } : { year: 'numeric', month: '2-digit', day: '2-digit' };
  return new Intl.DateTimeFormat(lng, opts).format(d);
}

export function fullDate(ms: number, lng: string): string {
  return new Intl.DateTimeFormat(lng, { dateStyle: 'full', timeStyle: 'short' }).format(new Date(ms));
}

export function bytes(n: number, lng: string): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${new Intl.NumberFormat(lng, { maximumFractionDigits: i === 0 ? 0 : 1 }).format(v)} ${units[i]}`;
}
