/**
 * Protection pipeline benchmark (issue #13 "Measure"): a realistic inbound mix through SMTP with
 * every stage on, then the same mix with the stages off, against one `youju start` in the same run.
 * Stages on: DNS-BL (one list) and a URI block list, SPF, DKIM and DMARC, heuristic scoring with a
 * Bayes classifier trained on the training half of the SpamAssassin corpus, and a real clamd
 * (test/helpers/clamd.ts, its own signature file). Every DNS answer comes from a DNS server on
 * loopback (test/helpers/dns-server.ts). Greylisting stays off: it answers every new sender 451.
 * The mix (`--messages N`, default 3,000), cycled over the test half of the corpus:
 *   - ham and spam of the corpus, to 100 local users, each message on a connection of its own;
 *   - 20 % from good.test (SPF pass, DKIM-signed, DMARC p=reject), 10 % from bad.test (SPF fail),
 *     the rest from domains without records;
 *   - 5 % from 127.0.0.2, listed on the DNS-BL; 3 % link to a domain on the URI list;
 *   - 2 % carry the EICAR test file.
 * 20 sessions at a time (nodemailer's SMTP client). Prints msg/s, what became of the mail (accepted,
 * refused at DATA or earlier, by reply code), CPU seconds of the server per message (/proc), and
 * pipeline-on against pipeline-off. `--smtp-processes N` sets the server's processes.smtp; `--profile DIR`
 * runs it under node --cpu-prof.
 * Measures; never asserts.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { loadavg, tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import { BayesLearning } from '../src/antispam/bayes-learning.ts';
import { listMessageFiles, readMessageFile } from '../src/antispam/message-files.ts';
import { loadBootConfig } from '../src/config/boot.ts';
import { createLogger } from '../src/core/log/logger.ts';
import { generateDkimKey, signDkim } from '../src/delivery/rewrite/dkim.ts';
import { openRuntime } from '../src/main.ts';
import { EICAR, startClamd } from '../test/helpers/clamd.ts';
import { startYoujuProcess, writeSmtpOnlyConfig, youju } from '../test/helpers/cli.ts';
import { startDnsServer } from '../test/helpers/dns-server.ts';
import { freePort, PASSWORD } from '../test/helpers/server.ts';
import { messageCount, optionText } from './options.ts';
import { cpuTotal, treeCpu } from './proc-cpu.ts';

const CORPUS = fileURLToPath(new URL('../test/fixtures/corpus/spamassassin/', import.meta.url));
const DOMAIN = 'bench.test';
const USERS = 100;
const CONNECTIONS = 20;
const DNSBL = 'bl.bench.test';
const URIBL = 'uribl.bench.test';
const LISTED_SITE = 'spam-site.test';

interface Sample { cls: 'spam' | 'ham'; raw: Buffer }
interface Outgoing { from: string; to: string; raw: Buffer; localAddress: string; virus: boolean }
interface Outcome { seconds: number; replies: Map<string, number>; cpuSeconds: number }

const hashOf = (path: string) => createHash('sha256').update(basename(path)).digest();
/** The split of bench/antispam.ts: even first byte of the name's hash trains, odd tests. */
const isTraining = (path: string) => hashOf(path)[0]! % 2 === 0;

/** The corpus message without its mbox line and old envelope, with our own From/To at the top. */
function readied(raw: Buffer, from: string, to: string, extra: string): Buffer {
  let text = raw.toString('latin1');
  if (text.startsWith('From ')) text = text.slice(text.indexOf('\n') + 1);
  text = text.replace(/\r?\n/g, '\r\n');
  const end = text.indexOf('\r\n\r\n');
  const head = (end < 0 ? text : text.slice(0, end + 2)).replace(/^(from|to|return-path|dkim-signature):.*\r\n([ \t].*\r\n)*/gim, '');
  const body = end < 0 ? '' : text.slice(end + 4);
  return Buffer.from(`From: <${from}>\r\nTo: <${to}>\r\n${head}\r\n${body}${extra}`, 'latin1');
}

const EICAR_PART = (b: string) => `\r\n--${b}\r\nContent-Type: application/octet-stream; name="test.com"\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.from(EICAR).toString('base64')}\r\n--${b}--\r\n`;

/** The whole mix, built once before the runs. */
async function buildMix(test: Sample[], messages: number, dkim: { privateKey: string; selector: string }): Promise<Outgoing[]> {
  const out: Outgoing[] = [];
  for (let i = 0; i < messages; i++) {
    const s = test[i % test.length]!;
    const to = `user${i % USERS}@${DOMAIN}`;
    const pick = i % 100;
    const domain = pick < 20 ? 'good.test' : pick < 30 ? 'bad.test' : `sender${i % 37}.test`;
    const from = `news${i % 13}@${domain}`;
    let raw: Buffer;
    if (i % 50 === 7) {
      // A virus: a multipart message of our own around the EICAR file.
      const b = `b${i}`;
      raw = Buffer.from(`From: <${from}>\r\nTo: <${to}>\r\nSubject: invoice ${i}\r\nMessage-ID: <v${i}@${domain}>\r\nMIME-Version: 1.0\r\n` +
        `Content-Type: multipart/mixed; boundary="${b}"\r\n\r\n--${b}\r\nContent-Type: text/plain\r\n\r\nSee the attachment.\r\n${EICAR_PART(b)}`, 'latin1');
    } else {
      raw = readied(s.raw, from, to, i % 33 === 5 ? `\r\nMore at http://www.${LISTED_SITE}/offer\r\n` : '');
    }
    if (domain === 'good.test') raw = Buffer.concat([Buffer.from(await signDkim(raw, { domain, key: dkim }), 'latin1'), raw]);
    out.push({ from, to, raw, localAddress: i % 20 === 3 ? '127.0.0.2' : '127.0.0.1', virus: i % 50 === 7 });
  }
  return out;
}

async function load(port: number, mix: Outgoing[], serverPid: number): Promise<Outcome> {
  const replies = new Map<string, number>();
  const note = (k: string) => replies.set(k, (replies.get(k) ?? 0) + 1);
  let next = 0;
  const cpuBefore = cpuTotal(await treeCpu([serverPid]));
  const start = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    for (let i = next++; i < mix.length; i = next++) {
      const m = mix[i]!;
      const conn = new SMTPConnection({ host: '127.0.0.1', port, localAddress: m.localAddress, ignoreTLS: true, socketTimeout: 60_000, name: `mta${i % 7}.${m.from.split('@')[1]}` });
      try {
        await new Promise<void>((resolve, reject) => { conn.once('error', reject); conn.connect(() => resolve()); });
        await new Promise<void>((resolve, reject) => conn.send({ from: m.from, to: [m.to] }, m.raw, (err) => (err ? reject(err) : resolve())));
        note('250 accepted');
      } catch (err) {
        const e = err as { responseCode?: number; response?: string; message: string };
        note(e.responseCode ? `${e.responseCode} ${(e.response ?? '').replace(/^\d{3}[ -](\d\.\d+\.\d+ )?/, '').slice(0, 48)}` : `error ${e.message.slice(0, 48)}`);
      } finally {
        conn.quit();
      }
    }
  }));
  const seconds = (performance.now() - start) / 1000;
  return { seconds, replies, cpuSeconds: cpuTotal(await treeCpu([serverPid])) - cpuBefore };
}

const STAGES_ON = (clamd: string): Record<string, unknown> => ({
  'dnsbl.enabled': true, 'dnsbl.lists': [{ host: DNSBL, message: '$IP$ is listed' }], 'dnsbl.uriLists': [{ host: URIBL, message: 'links to $DOMAIN$' }],
  'senderAuth.spfEnabled': true, 'senderAuth.dkimEnabled': true, 'senderAuth.dmarcEnabled': true, 'senderAuth.dmarcHonourReject': true,
  'antispam.enabled': true, 'antispam.bayesEnabled': true, 'antivirus.clamd': clamd,
});
const STAGES_OFF: Record<string, unknown> = {
  'dnsbl.enabled': false, 'dnsbl.uriLists': [], 'senderAuth.spfEnabled': false, 'senderAuth.dkimEnabled': false, 'senderAuth.dmarcEnabled': false,
  'antispam.enabled': false, 'antivirus.clamd': '',
};

export async function run(): Promise<void> {
  if (!existsSync('/usr/sbin/clamd')) {
    console.log('pipeline: not run: clamd is not installed (Debian clamav-daemon)');
    return;
  }
  const messages = messageCount(3000);
  const samples: Array<Sample & { path: string }> = [];
  for (const cls of ['ham', 'spam'] as const) {
    for (const path of await listMessageFiles([join(CORPUS, cls)])) if (!path.endsWith('README.md')) samples.push({ path, cls, raw: await readMessageFile(path) });
  }
  const train = samples.filter((s) => isTraining(s.path));
  // In the order of their hashes, so that any run length gets ham and spam mixed.
  const test = samples.filter((s) => !isTraining(s.path)).sort((a, b) => Buffer.compare(hashOf(a.path), hashOf(b.path)));
  const dkim = await generateDkimKey('good.test', 'bench');
  const mix = await buildMix(test, messages, dkim);
  console.log(`pipeline: ${messages} messages (corpus test half cycled: ${test.length}; ${mix.filter((m) => m.localAddress === '127.0.0.2').length} from a DNS-BL-listed address, ` +
    `${mix.filter((m) => m.from.endsWith('@good.test')).length} DKIM-signed, ${mix.filter((m) => m.virus).length} with EICAR), one per connection, ${CONNECTIONS} sessions; load average ${loadavg()[0]!.toFixed(1)}`);

  const dir = await mkdtemp(join(tmpdir(), 'youju-bench-pipeline-'));
  const dns = await startDnsServer({ records: {
    'good.test': { TXT: ['v=spf1 ip4:127.0.0.0/8 -all'] }, [dkim.dnsName]: { TXT: [dkim.txt] }, '_dmarc.good.test': { TXT: ['v=DMARC1; p=reject'] },
    'bad.test': { TXT: ['v=spf1 ip4:192.0.2.1 -all'] }, '_dmarc.bad.test': { TXT: ['v=DMARC1; p=none'] },
    [`2.0.0.127.${DNSBL}`]: { A: ['127.0.0.2'], TXT: ['listed for the benchmark'] },
    [`${LISTED_SITE}.${URIBL}`]: { A: ['127.0.0.2'] },
  } });
  const clamd = await startClamd();
  const data = join(dir, 'data');
  const cfg = join(dir, 'youju.json');
  const port = await freePort();
  const smtpProcesses = optionText('smtp-processes');
  await writeSmtpOnlyConfig(cfg, { hostname: `mx.${DOMAIN}`, smtpPort: port, dnsServer: dns.server, ...(smtpProcesses === undefined ? {} : { smtpProcesses: Number(smtpProcesses) }) });
  const init = youju(['--data', data, '--config', cfg, 'init', '--domain', DOMAIN]);
  if (init.code !== 0) throw new Error(`youju init failed: ${init.stderr}`);
  const rt = await openRuntime(loadBootConfig({ dataDir: data, file: cfg, env: {} }), { logger: createLogger({ level: 'silent' }) });
  let server: Awaited<ReturnType<typeof startYoujuProcess>> | undefined;
  try {
    for (let k = 0; k < USERS; k++) await rt.users.add({ who: 'bench', from: 'bench', role: { kind: 'system' } }, `user${k}@${DOMAIN}`, { password: PASSWORD });
    const learning = new BayesLearning({ classifier: rt.bayes.classifier, store: rt.store, blobs: rt.blobs, settings: () => rt.settings.current(), warn: () => undefined });
    for (const s of train) await learning.learnMessage('', s.raw, s.cls, rt.settings.current());
    for (const [k, v] of Object.entries(STAGES_ON(clamd.address))) await rt.settings.set(k, v);
    const profileDir = optionText('profile');
    server = await startYoujuProcess(data, cfg, profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, '--cpu-prof-name=youju-pipeline.cpuprofile'] : []);
    console.log(`  youju: \`youju start\` (embedded SQLite, durable${smtpProcesses === undefined ? '' : `, processes.smtp ${smtpProcesses}`}); Bayes trained on ${train.length} corpus messages; clamd at ${clamd.address}`);
    const report = (title: string, o: Outcome) => {
      const rate = messages / o.seconds;
      console.log(`pipeline/${title}: ${rate.toFixed(0)} msg/s (${o.seconds.toFixed(1)} s), server CPU ${((1000 * o.cpuSeconds) / messages).toFixed(2)} ms per message; ` +
        [...o.replies].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}: ${n}`).join('; '));
      return { rate, cpu: o.cpuSeconds / messages };
    };
    // A few untimed messages first: the server's lazy modules (mailauth, the clamd client) load.
    await load(port, mix.slice(0, 40), server.pid!);
    const on = report('stages on', await load(port, mix, server.pid!));
    for (const [k, v] of Object.entries(STAGES_OFF)) await rt.settings.set(k, v);
    await new Promise((r) => setTimeout(r, 3000)); // the server reads settings every 2 s
    const off = report('stages off', await load(port, mix, server.pid!));
    console.log(`pipeline: the stages cost ${(1000 * (on.cpu - off.cpu)).toFixed(2)} ms of server CPU per message; ` +
      `throughput with them on is ${((100 * on.rate) / off.rate).toFixed(0)} % of without`);
  } finally {
    if (server) {
      const exited = new Promise((r) => server!.once('exit', r));
      server.kill('SIGTERM');
      await exited;
      // The server wrote its daily counters as it stopped: what the stages decided, both runs together.
      const days = Object.values(await rt.pipeline.counters.read('2000-01-01', '2999-12-31'));
      const counts = Object.entries(days.at(-1) ?? {}).sort().map(([k, n]) => `${k} ${n}`).join(', ');
      console.log(`pipeline: daily counters after both runs: ${counts || 'none'}`);
    }
    await rt.close();
    await clamd.close();
    await dns.close();
    if (process.env.BENCH_KEEP) console.log(`pipeline: kept ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  }
}
