/**
 * A real DNS server over UDP on 127.0.0.1 for tests (node:dgram + dns-packet): answers MX, A,
 * AAAA and TXT from a table, NXDOMAIN for names not in it, an empty NOERROR answer (NODATA) for a
 * known name without records of the asked type, SERVFAIL for names marked failing, and nothing
 * at all for names marked silent (the client times out). Not a resolver: no recursion, no CNAME
 * chasing, no TCP. Names match case-insensitively, with or without the trailing dot.
 * RFC 1035 §4.1 (message format), RFC 2308 (NXDOMAIN vs NODATA).
 */
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';

export interface DnsRecords {
  MX?: { exchange: string; priority: number }[];
  A?: string[];
  AAAA?: string[];
  TXT?: string[];
  /** TTL of every answer for this name, in seconds. Default 300. */
  ttl?: number;
}

export interface DnsServerOptions {
  records: Record<string, DnsRecords>;
  /** Names answered with SERVFAIL. */
  servfail?: string[];
  /** Names never answered (the client's query times out). */
  silent?: string[];
}

export interface TestDnsServer {
  readonly port: number;
  readonly address: '127.0.0.1';
  /** 'ip:port', ready for Resolver.setServers and the boot config's dns.servers. */
  readonly server: string;
  /** Every question received, as 'TYPE name' (e.g. 'MX example.net'), oldest first. */
  readonly queries: string[];
  /** Replaces the table (and, when given, the failing and silent names). */
  setRecords(records: Record<string, DnsRecords>, opts?: { servfail?: string[]; silent?: string[] }): void;
  close(): Promise<void>;
}

const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3 } as const;
const norm = (name: string): string => name.toLowerCase().replace(/\.$/, '');

export async function startDnsServer(opts: DnsServerOptions): Promise<TestDnsServer> {
  let records = new Map<string, DnsRecords>();
  let servfail = new Set<string>();
  let silent = new Set<string>();
  const queries: string[] = [];
  const load = (r: Record<string, DnsRecords>, o: { servfail?: string[]; silent?: string[] }): void => {
    records = new Map(Object.entries(r).map(([k, v]) => [norm(k), v]));
    if (o.servfail) servfail = new Set(o.servfail.map(norm));
    if (o.silent) silent = new Set(o.silent.map(norm));
  };
  load(opts.records, opts);

  const answer = (q: dnsPacket.Question): { rcode: number; answers: dnsPacket.Answer[] } | undefined => {
    const name = norm(q.name);
    if (silent.has(name)) return undefined;
    if (servfail.has(name)) return { rcode: RCODE.SERVFAIL, answers: [] };
    const r = records.get(name);
    if (!r) return { rcode: RCODE.NXDOMAIN, answers: [] };
    const ttl = r.ttl ?? 300;
    const base = { name: q.name, ttl, class: 'IN' as const };
    switch (q.type) {
      case 'MX':
        return { rcode: 0, answers: (r.MX ?? []).map((m) => ({ ...base, type: 'MX' as const, data: { exchange: m.exchange, preference: m.priority } })) };
      case 'A':
        return { rcode: 0, answers: (r.A ?? []).map((a) => ({ ...base, type: 'A' as const, data: a })) };
      case 'AAAA':
        return { rcode: 0, answers: (r.AAAA ?? []).map((a) => ({ ...base, type: 'AAAA' as const, data: a })) };
      case 'TXT':
        // A TXT string holds at most 255 bytes (RFC 1035 §3.3.14): longer values (DKIM keys) go as several.
        return { rcode: 0, answers: (r.TXT ?? []).map((t) => ({ ...base, type: 'TXT' as const, data: t.match(/[\s\S]{1,255}/g) ?? [''] })) };
      default:
        return { rcode: 0, answers: [] };
    }
  };

  const socket = dgram.createSocket('udp4');
  socket.on('message', (msg, rinfo) => {
    let query: dnsPacket.DecodedPacket;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return; // not DNS: ignore, as a real server would
    }
    const q = query.questions?.[0];
    if (!q) return;
    queries.push(`${q.type} ${norm(q.name)}`);
    const a = answer(q);
    if (!a) return;
    const reply = dnsPacket.encode({
      type: 'response',
      id: query.id,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | a.rcode,
      questions: [q],
      answers: a.answers,
    });
    socket.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => { socket.off('error', reject); resolve(); });
  });
  const port = socket.address().port;

  return {
    port,
    address: '127.0.0.1',
    server: `127.0.0.1:${port}`,
    queries,
    setRecords: (r, o = {}) => load(r, o),
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
