/**
 * Which module the shell shows, from the URL's hash: '#contacts' the address books, anything else
 * mail (compose's '#compose?to=…' included, handled by the mail side). Back and forward work.
 */
import { useEffect, useState } from 'react';

export type Module = 'mail' | 'contacts';

const moduleOf = (hash: string): Module => (/^#contacts\b/.test(hash) ? 'contacts' : 'mail');

export function useModule(): Module {
  const [module, setModule] = useState<Module>(() => moduleOf(window.location.hash));
  useEffect(() => {
    const onHash = () => setModule(moduleOf(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return module;
}
