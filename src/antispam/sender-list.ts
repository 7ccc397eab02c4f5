/**
 * Address lists in the manual's style, shared by the anti-spam stages: an entry is a full address
 * (bob@qq.com), a domain (qq.com or @qq.com), or a pattern with * and ? (*@qq.com, *.qq.com,
 * sales*@example.cn). Compared case-insensitively. IPs and CIDRs are core/cidr.ts's job.
 */

const cache = new Map<string, RegExp>();

function patternOf(entry: string): RegExp {
  let re = cache.get(entry);
  if (!re) {
    const e = entry.trim().toLowerCase().replace(/^@/, '');
    const body = e.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    re = new RegExp(e.includes('@') ? `^${body}$` : `(^|@)${body}$`);
    if (cache.size > 10_000) cache.clear();
    cache.set(entry, re);
  }
  return re;
}

/** Whether `address` matches any entry of `list`. */
export function matchesSender(address: string, list: readonly string[]): boolean {
  const a = address.toLowerCase();
  return list.some((entry) => entry.trim() !== '' && patternOf(entry).test(a));
}
