/** Plain text and HTML forms of a template or signature body (DOMParser runs no script and loads nothing). */
const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** Each line a paragraph. */
export const textToHtml = (s: string): string => s.split('\n').map((l) => `<p>${escapeHtml(l)}</p>`).join('');

/** The words of an HTML body, a line per block. */
export function htmlToText(html: string): string {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  doc.querySelectorAll('br').forEach((br) => br.replaceWith('\n'));
  doc.querySelectorAll('p, div, li, h1, h2, h3, h4, h5, h6, blockquote, pre').forEach((el) => el.append('\n'));
  return (doc.body.textContent ?? '').replace(/\n+$/, '');
}
