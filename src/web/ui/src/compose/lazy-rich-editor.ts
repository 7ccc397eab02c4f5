/**
 * Compose's rich-text editor as its own chunk, for the options tabs that edit HTML (signatures,
 * reply templates). The options module starts fetching it when it opens, so a dialog that needs
 * the editor shows it at once instead of a spinner.
 */
import { lazy } from 'react';

const load = () => import('./RichEditor.tsx').then((m) => ({ default: m.RichEditor }));

export const LazyRichEditor = lazy(load);

/** Fetches the chunk ahead of use; the browser keeps the module, so a later render does not fetch again. */
export function preloadRichEditor(): void {
  void load().catch(() => undefined); // a failed fetch is tried again when the editor renders
}
