/**
 * Attachment names made safe to show and to offer as a download name: no path (`../`, `C:\`),
 * no control or bidirectional-override characters (U+202E turns "gpj.exe" into "exe.jpg" on
 * screen), no leading dots, no characters Windows refuses, at most 200 characters. A name that
 * comes out empty becomes `attachment-N` (N from 1).
 */
const MAX_CHARS = 200;

export function safeFileName(name: string | undefined, index: number): string {
  let s = (name ?? '').normalize('NFC');
  s = s.split(/[\\/]/).pop() ?? '';
  s = s.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, '');
  s = s.replace(/[<>:"|?*]/g, '_').trim().replace(/^\.+/, '').replace(/[. ]+$/, '');
  if (s.length > MAX_CHARS) {
    const dot = s.lastIndexOf('.');
    const ext = dot > 0 && s.length - dot <= 16 ? s.slice(dot) : '';
    s = Array.from(s.slice(0, s.length - ext.length)).slice(0, MAX_CHARS - ext.length).join('') + ext;
  }
  return s === '' ? `attachment-${index + 1}` : s;
}
