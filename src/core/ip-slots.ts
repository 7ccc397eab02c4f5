/**
 * Connections one client IP holds open (limits.maxConnectionsPerIp), counted the same way for
 * every protocol: a slot is taken when a connection is accepted and given back when it closes.
 * Addresses the caller exempts (trusted networks) always get a slot.
 */
export class IpSlots {
  private readonly open = new Map<string, number>();

  constructor(private readonly exempt: (ip: string) => boolean = () => false) {}

  /** Takes a slot for ip unless it already holds `max` (0 = no limit); false when refused. */
  take(ip: string, max: number): boolean {
    const n = this.open.get(ip) ?? 0;
    if (max > 0 && n >= max && !this.exempt(ip)) return false;
    this.open.set(ip, n + 1);
    return true;
  }

  /** Gives back a slot taken with take(). */
  release(ip: string): void {
    const n = (this.open.get(ip) ?? 1) - 1;
    if (n > 0) this.open.set(ip, n);
    else this.open.delete(ip);
  }
}
