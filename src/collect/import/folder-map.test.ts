// Folder mapping: special-use folders onto ours with their children, namespace prefixes, other
// delimiters, Chinese names, and the folders that must not be imported.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { planFolders, type RemoteFolder } from './folder-map.ts';

const OURS = { '\\Sent': 'Sent', '\\Drafts': 'Drafts', '\\Trash': 'Trash', '\\Junk': 'Junk' } as const;
const f = (path: string, specialUse?: string, flags: string[] = [], delimiter = '/'): RemoteFolder => ({ path, delimiter, flags, specialUse });

describe('folder map', () => {
  it('maps special-use folders and their children onto ours', () => {
    const plans = planFolders([
      f('INBOX', '\\Inbox'), f('Sent Messages', '\\Sent'), f('Sent Messages/2019'), f('Deleted Items', '\\Trash'),
      f('Spam', '\\Junk'), f('Drafts', '\\Drafts'), f('客户/重要'), f('All Mail', '\\All'), f('Starred', '\\Flagged'),
      f('[Gmail]', undefined, ['\\Noselect']), f('Sent', undefined), f('Archive', '\\Archive'),
    ], OURS);
    assert.deepEqual(plans.map((p) => [p.remote, p.local]), [
      ['INBOX', 'INBOX'], ['Sent Messages', 'Sent'], ['Sent Messages/2019', 'Sent/2019'], ['Deleted Items', 'Trash'],
      ['Spam', 'Junk'], ['Drafts', 'Drafts'], ['客户/重要', '客户/重要'], ['Sent', 'Sent'], ['Archive', 'Archive'],
    ]);
  });

  it('drops an INBOX. namespace prefix and re-splits other delimiters', () => {
    const plans = planFolders([
      f('INBOX', undefined, [], '.'), f('INBOX.Sent', '\\Sent', [], '.'), f('INBOX.Projects.a/b', undefined, [], '.'), f('INBOX.inbox', undefined, [], '.'),
    ], OURS, 'INBOX.');
    assert.deepEqual(plans.map((p) => p.local), ['INBOX', 'Sent', 'Projects/a_b', 'INBOX']);
  });
});
