/**
 * Look-alike domains: names that render like one of ours but are not (UTS #39 "skeleton" idea,
 * with a small table of the confusables that matter for Latin domains: Cyrillic and Greek letters,
 * full-width forms via NFKC, digit/letter swaps). Used by SMTP to refuse mail to exаmple.cn
 * (Cyrillic а) when example.cn is local, a favourite of phishing and relay tricks.
 */
import { domainToUnicode } from 'node:url';

const CONFUSABLES: Record<string, string> = {
  'а': 'a', 'в': 'b', 'е': 'e', 'ё': 'e', 'к': 'k', 'м': 'm', 'н': 'h', 'о': 'o', 'р': 'p', 'с': 'c', 'т': 't',
  'у': 'y', 'х': 'x', 'ѕ': 's', 'і': 'i', 'ї': 'i', 'ј': 'j', 'һ': 'h', 'ԁ': 'd', 'ԛ': 'q', 'ԝ': 'w', 'ɡ': 'g',
  'α': 'a', 'β': 'b', 'ε': 'e', 'η': 'n', 'ι': 'i', 'κ': 'k', 'ν': 'v', 'ο': 'o', 'ρ': 'p', 'τ': 't', 'υ': 'u',
  'χ': 'x', 'ѵ': 'v', 'ℓ': 'l', 'ı': 'i', '0': 'o', '1': 'l', 'l': 'l', 'rn': 'm', 'vv': 'w',
};

/** A form under which look-alikes compare equal. */
export function skeleton(domain: string): string {
  let s = domainToUnicode(domain.toLowerCase()) || domain.toLowerCase();
  s = s.normalize('NFKC').toLowerCase().normalize('NFD').replace(/\p{M}/gu, '');
  s = s.replace(/rn|vv/g, (m) => CONFUSABLES[m]!);
  return [...s].map((c) => CONFUSABLES[c] ?? c).join('');
}

/** The local domain `domain` imitates, or undefined when it imitates none (or is one itself). */
export function lookalikeOf(domain: string, localDomains: readonly string[]): string | undefined {
  const d = domain.toLowerCase();
  if (localDomains.includes(d)) return undefined;
  const sk = skeleton(d);
  return localDomains.find((l) => skeleton(l) === sk);
}
