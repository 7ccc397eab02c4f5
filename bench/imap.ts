/**
 * IMAP benchmark (issue #4): one INBOX of N messages (default 100,000; `--messages N`) of 2-6 KiB,
 * varied senders, subjects and bodies, a fifth in Chinese, a few multipart with attachments, all
 * generated from a fixed seed so Youju and Dovecot hold the same bytes. It times SELECT, FETCH 1:*
 * of (UID FLAGS), (ENVELOPE) and (UID FLAGS RFC822.SIZE ENVELOPE), UID SEARCH TEXT for an English
 * and a Chinese word each in 1% of the messages, UID SEARCH SUBJECT and FROM for substrings, UID
 * SORT (DATE), UID THREAD REFERENCES (also each right after one new message, so no kept answer
 * serves), and the server memory 200 sessions idling in
 * INBOX add (`--idle N`). Every command goes through the same raw client (below), on loopback.
 * Youju's mailbox is written through MailboxService.append before `youju start`, which then
 * indexes it; Dovecot (when /usr/sbin/dovecot exists) gets Maildir files, builds its index on the
 * first SELECT; with --dovecot-fts, its full-text index too (fts-xapian) with `doveadm index`.
 * Options: --messages N, --idle N (sessions), --runs N (timed runs per command after one warm-up),
 * --profile DIR (youju runs with node --cpu-prof into DIR: one profile per phase, named in the output),
 * --no-dovecot (Youju alone), --dovecot-fts (index Dovecot with fts-xapian first: slow: 51 msg/s at 10k here, over half an hour at 100k).
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBootConfig } from '../src/config/boot.ts';
import { createLogger } from '../src/core/log/logger.ts';
import { openRuntime, type Runtime } from '../src/main.ts';
import { startYoujuProcess, youju } from '../test/helpers/cli.ts';
import { dovecotMissing, startDovecot, type Dovecot } from '../test/helpers/dovecot.ts';
import { freePort, PASSWORD } from '../test/helpers/server.ts';
import { median, option, optionText } from './options.ts';

const USER = 'bench';
const ADDRESS = 'bench@bench.test';
/** In 1% of the messages each (i % 100 == 7 and 53): the words UID SEARCH TEXT looks for. */
const WORD = 'kumquat';
const CHINESE_WORD = '发票';
/** Header searches: a substring of a subject word, and of one sender's address. */
const SUBJECT_WORD = 'eeting';
const FROM_WORD = 'bob.ch';
const XAPIAN_PLUGIN = '/usr/lib/dovecot/modules/lib21_fts_xapian_plugin.so';

// ── The mailbox ────────────────────────────────────────────────────────────────────────────

/** mulberry32: a small seeded PRNG, so both servers get the same messages. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const EN = ('the of and to in for on with as by at from that this is are was be will have has not we you our your they ' +
  'meeting project report customer contract budget quarter schedule notice server system upgrade test deploy data ' +
  'user manager team plan market sales finance review confirm attachment time place office department colleague ' +
  'question proposal progress document training event weekend tomorrow afternoon morning thanks please reply soon ' +
  'about already need can cannot should would could invoice shipment delivery order payment account password ' +
  'security update release version feature bug issue ticket support network storage backup restore migration ' +
  'database cluster latency throughput capacity forecast revenue expense travel hotel flight agenda minutes ' +
  'summary draft final approval signature deadline holiday announcement policy compliance audit vendor partner ' +
  'invitation conference workshop webinar newsletter subscription renewal discount offer campaign launch ' +
  'design prototype feedback survey interview candidate position salary benefits onboarding laptop printer ' +
  'monday tuesday wednesday thursday friday january march june september december morning evening lunch dinner')
  .split(' ');
// No word here contains 发 or 票, so 发票 occurs only where it is put on purpose.
const ZH = ('会议 项目 报告 客户 合同 预算 季度 安排 通知 邮件 服务器 系统 升级 测试 部署 数据 用户 管理 团队 计划 市场 ' +
  '销售 财务 审核 确认 附件 时间 地点 北京 上海 深圳 广州 公司 部门 经理 同事 问题 方案 进度 文档 资料 培训 活动 周末 ' +
  '明天 下午 上午 谢谢 您好 请 查收 回复 尽快 关于 我们 已经 需要 可以 没有 今天 下周 产品 质量 价格 订单 付款 账户 ' +
  '密码 安全 版本 功能 支持 网络 存储 备份 恢复 迁移 数据库 集群 预测 收入 费用 出差 酒店 航班 议程 总结 草稿 审批')
  .split(' ');
const PEOPLE = [
  ['Alice Martin', 'alice.martin@example.com'], ['Bob Chen', 'bob.chen@partner.example'], ['Carol Diaz', 'carol@vendor.example'],
  ['David Okafor', 'david.okafor@example.org'], ['Emma Schulz', 'e.schulz@example.de'], ['Frank Moreau', 'frank@example.fr'],
  ['Grace Kim', 'grace.kim@example.kr'], ['Hiro Tanaka', 'tanaka@example.jp'], ['Ines Costa', 'ines.costa@example.pt'],
  ['Jack Wilson', 'jack@newsletter.example'], ['Karen Patel', 'karen.patel@example.in'], ['Leo Rossi', 'leo.rossi@example.it'],
  ['Billing', 'billing@shop.example'], ['IT Helpdesk', 'helpdesk@bench.test'], ['GitLab', 'noreply@git.example'],
  ['张伟', 'zhang.wei@example.cn'], ['王芳', 'wang.fang@example.cn'], ['李娜', 'li.na@corp.example.cn'],
  ['刘洋', 'liu.yang@example.cn'], ['陈静', 'chen.jing@corp.example.cn'], ['杨帆', 'yang.fan@example.com.cn'],
  ['赵敏', 'zhao.min@example.cn'], ['黄磊', 'huang.lei@example.cn'], ['周杰', 'zhou.jie@example.tw'],
] as const;
const SUBJECTS_EN = ['Weekly status report', 'Re: Budget for next quarter', 'Invitation: design review', 'Your order has shipped',
  'Fwd: contract draft', 'Server maintenance tonight', 'Re: Re: question about the migration', 'Minutes of the team meeting',
  'Action required: password expires soon', 'Travel plan for the conference', 'New ticket assigned to you',
  'Monthly newsletter', 'Re: feedback on the prototype', 'Payment received, thank you', 'Agenda for tomorrow'];
const SUBJECTS_ZH = ['关于下周会议的安排', '回复：项目进度报告', '请查收本季度预算', '服务器升级通知', '转发：合同草稿',
  '培训活动报名', '回复：回复：数据迁移的问题', '本月财务总结', '客户反馈汇总', '出差申请审批'];

const base64Lines = (b: Buffer): string => b.toString('base64').replace(/.{76}/g, '$&\n');
const encodeWord = (s: string): string => (/^[\x20-\x7e]*$/.test(s) ? s : `=?UTF-8?B?${Buffer.from(s).toString('base64')}?=`);
const rfc2822 = (ms: number): string => new Date(ms).toUTCString().replace('GMT', '+0000');

interface BenchMessage {
  /** LF line ends (a Maildir file); Youju gets it with CRLF, as SMTP delivers it. */
  text: Buffer;
  flags: Array<'\\Seen' | '\\Flagged' | '\\Answered'>;
  internalDate: number;
}

/** Message i of n: the same bytes on every call. */
export function benchMessage(i: number, n: number): BenchMessage {
  const rnd = prng(i * 7919 + 17);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
  const start = Date.UTC(2023, 0, 1);
  const step = (2 * 365 * 86400_000) / n;
  // Strictly increasing whole seconds, so Dovecot numbers the Maildir files in this order.
  const internalDate = Math.floor((start + i * step) / 1000) * 1000;
  const chinese = rnd() < 0.2;
  const [name, addr] = chinese ? pick(PEOPLE.slice(15)) : pick(PEOPLE.slice(0, 15));
  const subject = `${chinese ? pick(SUBJECTS_ZH) : pick(SUBJECTS_EN)} #${1000 + Math.floor(rnd() * 9000)}`;
  const target = 2048 + Math.floor(rnd() * 4096);
  const sentence = (): string => {
    const k = 6 + Math.floor(rnd() * 12);
    if (chinese) return `${Array.from({ length: k }, () => pick(ZH)).join('')}${rnd() < 0.3 ? '。\n' : '，'}`;
    const words = Array.from({ length: k }, () => pick(EN));
    words[0] = words[0]!.charAt(0).toUpperCase() + words[0]!.slice(1);
    return `${words.join(' ')}${rnd() < 0.2 ? '.\n\n' : '. '}`;
  };
  const kind = i % 50 === 11 ? 'attachment' : i % 50 === 29 ? 'alternative' : 'plain';
  let body = chinese ? `${name}：\n\n` : `Hello,\n\n`;
  if (i % 100 === 7) body += `The ${WORD} shipment is late again, see below. `;
  if (i % 100 === 53) body += `请查收附件中的${CHINESE_WORD}，谢谢。\n`;
  const bodyTarget = kind === 'attachment' ? Math.floor(target / 3) : target - 700;
  while (Buffer.byteLength(body) < bodyTarget) body += sentence();
  body += chinese ? `\n\n${name}\n` : `\n\nBest regards,\n${name}\n`;
  const to = i % 9 === 0 ? `${ADDRESS}, team@bench.test` : ADDRESS;
  const base64Body = chinese && i % 2 === 0;
  const textPart = (b: string) => base64Body
    ? `Content-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: base64\n\n${base64Lines(Buffer.from(b))}\n`
    : `Content-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\n${b}`;
  const sent = internalDate - Math.floor(rnd() * 600) * 1000;
  let head = `Return-Path: <${addr}>\n` +
    `Received: from mail.${addr.split('@')[1]} (mail.${addr.split('@')[1]} [192.0.2.${1 + (i % 250)}])\n\tby mx.bench.test with ESMTPS id ${i.toString(36)}x${Math.floor(rnd() * 1e9).toString(36)}\n\tfor <${ADDRESS}>; ${rfc2822(internalDate)}\n` +
    `From: ${encodeWord(name)} <${addr}>\nTo: ${to}\n${i % 13 === 0 ? `Cc: ${encodeWord(pick(PEOPLE)[0])} <${pick(PEOPLE)[1]}>\n` : ''}` +
    `Subject: ${encodeWord(subject)}\nDate: ${rfc2822(sent)}\nMessage-ID: <${i}.${Math.floor(rnd() * 1e12).toString(36)}@${addr.split('@')[1]}>\n` +
    `${i % 4 === 1 ? `In-Reply-To: <${i - 1}.ref@${addr.split('@')[1]}>\n` : ''}MIME-Version: 1.0\n` +
    `${i % 3 === 0 ? 'X-Mailer: Foxmail 7.2\n' : 'User-Agent: Mozilla Thunderbird\n'}`;
  let text: string;
  if (kind === 'plain') {
    text = `${head}${textPart(body)}`;
  } else if (kind === 'alternative') {
    const html = `<html><body><p>${body.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/\n\n/g, '</p><p>')}</p></body></html>\n`;
    text = `${head}Content-Type: multipart/alternative; boundary="alt-${i}"\n\n--alt-${i}\n${textPart(body)}\n--alt-${i}\n` +
      `Content-Type: text/html; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\n${html}\n--alt-${i}--\n`;
  } else {
    const bytes = Buffer.from(Array.from({ length: Math.max(512, Math.floor((target - bodyTarget - 900) * 0.74)) }, () => Math.floor(rnd() * 256)));
    const file = chinese ? '季度报告.pdf' : `report-${i}.pdf`;
    head += `Content-Type: multipart/mixed; boundary="mix-${i}"\n`;
    text = `${head}\nThis is a multi-part message in MIME format.\n\n--mix-${i}\n${textPart(body)}\n--mix-${i}\n` +
      `Content-Type: application/pdf; name="${encodeWord(file)}"\nContent-Disposition: attachment; filename="${encodeWord(file)}"\n` +
      `Content-Transfer-Encoding: base64\n\n${base64Lines(bytes)}\n--mix-${i}--\n`;
  }
  const r = rnd();
  const flags: BenchMessage['flags'] = [];
  if (r < 0.1) flags.push('\\Answered');
  if (r < 0.03 || r > 0.97) flags.push('\\Flagged');
  if (i < n - 200 && rnd() < 0.9) flags.push('\\Seen');
  return { text: Buffer.from(text), flags, internalDate };
}

const crlf = (b: Buffer): Buffer => Buffer.from(b.toString('latin1').replace(/\n/g, '\r\n'), 'latin1');

/** Runs fn(0..n-1) on `width` workers. */
async function forEachIndex(n: number, width: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    for (let i = next++; i < n; i = next++) await fn(i);
  }));
}

// ── The client ─────────────────────────────────────────────────────────────────────────────

interface Reply {
  status: string;
  ms: number;
  bytes: number;
  /** Untagged responses (a FETCH with literals counts once). */
  untagged: number;
  /** The untagged responses, when asked to keep them. */
  kept: string[];
}

/**
 * A small tagged-command IMAP client: writes one command, reads responses (skipping literals by
 * their announced size) until the tagged one, and counts bytes and untagged responses. It keeps
 * no response unless asked, so its cost per FETCH line is a search for LF and a byte compare.
 */
class RawImap {
  private partial: Buffer[] = [];
  private literalLeft = 0;
  private lines: Buffer[] = [];
  private head: Buffer | undefined;
  private n = 0;
  private bytes = 0;
  private pending: { tag: string; keep: boolean; untagged: number; kept: string[]; resolve: (r: { status: string; text: string }) => void } | undefined;
  private onContinue: (() => void) | undefined;
  private onGreeting: (() => void) | undefined;
  private failure: Error | undefined;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('error', (err) => { this.failure = err; });
    socket.on('close', () => {
      this.failure ??= new Error('connection closed');
      this.pending?.resolve({ status: 'CLOSED', text: this.failure.message });
    });
  }

  static async connect(port: number): Promise<RawImap> {
    const socket = connect({ host: '127.0.0.1', port, noDelay: true });
    const c = new RawImap(socket);
    await new Promise<void>((resolve, reject) => {
      c.onGreeting = resolve;
      socket.once('error', reject);
    });
    return c;
  }

  private read(chunk: Buffer): void {
    this.bytes += chunk.length;
    let i = 0;
    while (i < chunk.length) {
      if (this.literalLeft > 0) {
        const take = Math.min(this.literalLeft, chunk.length - i);
        if (this.pending?.keep) this.lines.push(chunk.subarray(i, i + take));
        this.literalLeft -= take;
        i += take;
        continue;
      }
      const lf = chunk.indexOf(10, i);
      if (lf < 0) {
        this.partial.push(chunk.subarray(i));
        return;
      }
      const line = this.partial.length === 0 ? chunk.subarray(i, lf + 1) : Buffer.concat([...this.partial, chunk.subarray(i, lf + 1)]);
      this.partial = [];
      i = lf + 1;
      this.head ??= line;
      if (this.pending?.keep) this.lines.push(line);
      const literal = literalSize(line);
      if (literal >= 0) {
        this.literalLeft = literal;
        continue;
      }
      this.response(this.head);
      this.head = undefined;
    }
  }

  private response(head: Buffer): void {
    if (this.onGreeting) {
      const done = this.onGreeting;
      this.onGreeting = undefined;
      done();
      return;
    }
    if (head[0] === 0x2b /* + */) {
      this.onContinue?.();
      return;
    }
    const p = this.pending;
    if (!p) return;
    if (head[0] === 0x2a /* * */) {
      p.untagged++;
      if (p.keep) p.kept.push(Buffer.concat(this.lines).toString('utf8'));
      this.lines = [];
      return;
    }
    const text = head.toString('utf8').trimEnd();
    if (!text.startsWith(`${p.tag} `)) return;
    this.pending = undefined;
    this.lines = [];
    const [, status = '', ...rest] = text.split(' ');
    p.resolve({ status, text: rest.join(' ') });
  }

  /** Sends `tag command` and waits for the tagged reply. */
  async command(command: string | Buffer, opts: { keep?: boolean; expect?: string } = {}): Promise<Reply> {
    if (this.failure) throw this.failure;
    const tag = `A${++this.n}`;
    const p = { tag, keep: opts.keep ?? false, untagged: 0, kept: [] as string[], resolve: (_: { status: string; text: string }) => {} };
    const done = new Promise<{ status: string; text: string }>((resolve) => { p.resolve = resolve; });
    this.pending = p;
    const bytes0 = this.bytes;
    const t0 = performance.now();
    this.socket.write(Buffer.concat([Buffer.from(`${tag} `), Buffer.from(command), Buffer.from('\r\n')]));
    const r = await done;
    const ms = performance.now() - t0;
    if (r.status !== (opts.expect ?? 'OK')) throw new Error(`${String(command).slice(0, 60)}: ${r.status} ${r.text}`);
    return { status: r.status, ms, bytes: this.bytes - bytes0, untagged: p.untagged, kept: p.kept };
  }

  /** IDLE: resolves at the server's continuation; done() ends it. */
  async idle(): Promise<{ done: () => Promise<void> }> {
    const tag = `A${++this.n}`;
    const reply = new Promise<{ status: string; text: string }>((resolve) => {
      this.pending = { tag, keep: false, untagged: 0, kept: [], resolve };
    });
    const continued = new Promise<void>((resolve) => { this.onContinue = resolve; });
    this.socket.write(`${tag} IDLE\r\n`);
    await Promise.race([continued, reply.then((r) => { throw new Error(`IDLE: ${r.status} ${r.text}`); })]);
    this.onContinue = undefined;
    return {
      done: async () => {
        this.socket.write('DONE\r\n');
        await reply;
      },
    };
  }

  close(): void {
    this.socket.destroy();
  }
}

/** n when the line ends with a literal announcement {n} or {n+}, else -1. */
function literalSize(line: Buffer): number {
  let e = line.length - 1;
  if (line[e] === 10) e--;
  if (line[e] === 13) e--;
  if (line[e] !== 0x7d /* } */) return -1;
  e--;
  if (line[e] === 0x2b /* + */) e--;
  let n = 0;
  let mul = 1;
  let digits = 0;
  while (e >= 0 && line[e]! >= 0x30 && line[e]! <= 0x39) {
    n += (line[e]! - 0x30) * mul;
    mul *= 10;
    digits++;
    e--;
  }
  return digits > 0 && line[e] === 0x7b /* { */ ? n : -1;
}

/** A LOGIN command with the password as a quoted string. */
const login = (user: string, password: string) => `LOGIN "${user}" "${password.replace(/(["\\])/g, '\\$1')}"`;

/** `UID SEARCH CHARSET UTF-8 TEXT word`, the word a non-synchronizing literal (LITERAL+) when 8-bit. */
function searchText(word: string): Buffer {
  const bytes = Buffer.from(word);
  return /^[a-z]+$/.test(word)
    ? Buffer.from(`UID SEARCH TEXT ${word}`)
    : Buffer.concat([Buffer.from(`UID SEARCH CHARSET UTF-8 TEXT {${bytes.length}+}\r\n`), bytes]);
}

// ── The workload ───────────────────────────────────────────────────────────────────────────

interface Figure {
  ms: number;
  /** The first (cold) run, before the timed ones. */
  firstMs: number;
  bytes: number;
  untagged: number;
  hits?: number;
}

interface Figures {
  select: Figure;
  fetchFlags: Figure;
  fetchEnvelope: Figure;
  fetchAll: Figure;
  searchWord: Figure;
  searchChinese: Figure;
  searchSubject: Figure;
  searchFrom: Figure;
  sortDate: Figure;
  threadReferences: Figure;
  /** The same, each run after one new message (measureAfterAppend). */
  sortDateNew: Figure;
  threadReferencesNew: Figure;
  /** Filled by the idle phase. */
  idle?: IdleFigures;
  notes: string[];
}

interface IdleFigures {
  /** Sessions that were idling when memory was read. */
  sessions: number;
  /** Why fewer than asked were opened. */
  failure?: string;
  growthMb: number;
  perSessionKib: number;
  /** Growth of the proportional set size (shared pages split among the processes sharing them). */
  pssGrowthMb?: number;
  setupSeconds: number;
  detail: string;
}

/** One run not counted (it warms caches), then `runs` timed ones: the median. */
async function measure(c: RawImap, command: string | Buffer, runs: number, hits = false): Promise<Figure> {
  const first = await c.command(command, { keep: hits });
  const times: number[] = [];
  let last = first;
  for (let r = 0; r < runs; r++) {
    last = await c.command(command, { keep: hits });
    times.push(last.ms);
  }
  // Only the SEARCH response: Dovecot also sends "* OK Searched 40% of the mailbox" while it reads.
  const found = hits ? last.kept.filter((r) => r.startsWith('* SEARCH')).join(' ').trim().split(/\s+/).filter((w) => /^\d+$/.test(w)).length : undefined;
  return { ms: median(times), firstMs: first.ms, bytes: last.bytes, untagged: last.untagged, hits: found };
}

let appended = 0;

/**
 * Like measure(), but before each run (the warm-up too) one new message is APPENDed and a NOOP
 * lets the session see it: what a command costs when the mailbox changed since it last ran (no
 * answer kept from the run before can serve; Dovecot updates its indexes with the new message).
 */
async function measureAfterAppend(c: RawImap, command: string, runs: number): Promise<Figure> {
  const oneMore = async () => {
    const n = ++appended;
    const m = Buffer.from(`From: New Sender <new${n}@example.org>\r\nTo: ${ADDRESS}\r\nSubject: fresh mail ${n}\r\n` +
      `Date: ${new Date(Date.UTC(2026, 0, 1) + n * 60_000).toUTCString().replace('GMT', '+0000')}\r\nMessage-ID: <fresh.${n}@example.org>\r\n\r\nnew ${n}\r\n`);
    await c.command(Buffer.concat([Buffer.from(`APPEND INBOX {${m.length}+}\r\n`), m]));
    await c.command('NOOP');
  };
  await oneMore();
  const first = await c.command(command);
  const times: number[] = [];
  let last = first;
  for (let r = 0; r < runs; r++) {
    await oneMore();
    last = await c.command(command);
    times.push(last.ms);
  }
  return { ms: median(times), firstMs: first.ms, bytes: last.bytes, untagged: last.untagged };
}

async function runWorkload(port: number, user: string, password: string, n: number, runs: number): Promise<Omit<Figures, 'notes'>> {
  const c = await RawImap.connect(port);
  try {
    await c.command(login(user, password));
    const select = await measure(c, 'SELECT INBOX', Math.max(5, runs));
    if (select.untagged < 1) throw new Error('SELECT gave no untagged responses');
    const fetchFlags = await measure(c, 'FETCH 1:* (UID FLAGS)', runs);
    const fetchEnvelope = await measure(c, 'FETCH 1:* (ENVELOPE)', runs);
    const fetchAll = await measure(c, 'FETCH 1:* (UID FLAGS RFC822.SIZE ENVELOPE)', runs);
    for (const f of [fetchFlags, fetchEnvelope, fetchAll]) {
      if (f.untagged !== n) throw new Error(`FETCH 1:* gave ${f.untagged} responses for ${n} messages`);
    }
    const searchWord = await measure(c, searchText(WORD), runs, true);
    const searchChinese = await measure(c, searchText(CHINESE_WORD), runs, true);
    const searchSubject = await measure(c, `UID SEARCH SUBJECT ${SUBJECT_WORD}`, runs, true);
    const searchFrom = await measure(c, `UID SEARCH FROM ${FROM_WORD}`, runs, true);
    const sortDate = await measure(c, 'UID SORT (DATE) UTF-8 ALL', runs);
    const threadReferences = await measure(c, 'UID THREAD REFERENCES UTF-8 ALL', runs);
    // Last: these add messages to the mailbox.
    const sortDateNew = await measureAfterAppend(c, 'UID SORT (DATE) UTF-8 ALL', runs);
    const threadReferencesNew = await measureAfterAppend(c, 'UID THREAD REFERENCES UTF-8 ALL', runs);
    await c.command('LOGOUT');
    return { select, fetchFlags, fetchEnvelope, fetchAll, searchWord, searchChinese, searchSubject, searchFrom, sortDate, threadReferences, sortDateNew, threadReferencesNew };
  } finally {
    c.close();
  }
}

/**
 * `sessions` clients each LOGIN, SELECT INBOX and IDLE; memory() is read before and 2 s after they
 * are all idling. Returns the growth, then ends the sessions. When the server fails part way (a
 * refused login, a crash) it stops opening sessions and reports the last reading it got.
 * One session selects INBOX and logs out before the first reading, on both servers: the mailbox's
 * index is then loaded (Dovecot's on disk from the workload phase, Youju's in the node's snapshot
 * cache of a fresh process), so the growth is what the sessions themselves cost.
 */
async function idleMemory(port: number, user: string, password: string, sessions: number,
  memory: () => { rssKib: number; pssKib?: number; detail: string }): Promise<IdleFigures> {
  const warm = await RawImap.connect(port);
  await warm.command(login(user, password));
  await warm.command('SELECT INBOX');
  await warm.command('LOGOUT');
  warm.close();
  await new Promise((r) => setTimeout(r, 1000));
  const before = memory();
  let last = before;
  const clients: Array<{ c: RawImap; done: () => Promise<void> }> = [];
  let failure: string | undefined;
  const t0 = performance.now();
  try {
    await forEachIndex(sessions, 10, async () => {
      if (failure) return;
      try {
        const c = await RawImap.connect(port);
        clients.push({ c, done: async () => undefined });
        await c.command(login(user, password));
        await c.command('SELECT INBOX');
        const { done } = await c.idle();
        clients[clients.length - 1] = { c, done };
        if (clients.length % 10 === 0) last = memory();
      } catch (err) {
        failure ??= `after ${clients.length - 1} sessions: ${(err as Error).message}`;
      }
    });
    const setupSeconds = (performance.now() - t0) / 1000;
    if (!failure) {
      await new Promise((r) => setTimeout(r, 2000));
      try {
        last = memory();
      } catch (err) {
        failure = `server gone: ${(err as Error).message}`;
      }
    }
    const opened = failure ? Math.max(1, clients.length - 1) : sessions;
    const growthKib = last.rssKib - before.rssKib;
    return {
      sessions: opened, failure, growthMb: growthKib / 1024, perSessionKib: growthKib / opened, setupSeconds,
      pssGrowthMb: last.pssKib !== undefined && before.pssKib !== undefined ? (last.pssKib - before.pssKib) / 1024 : undefined,
      detail: `before ${before.detail}, after ${last.detail}`,
    };
  } finally {
    await Promise.all(clients.map(async ({ c, done }) => {
      await done().catch(() => undefined);
      c.close();
    }));
  }
}

function statusKib(pid: number, field: 'VmRSS' | 'Pss'): number {
  const file = field === 'Pss' ? `/proc/${pid}/smaps_rollup` : `/proc/${pid}/status`;
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(file, 'utf8'));
  return m ? Number(m[1]) : 0;
}

// ── Youju ──────────────────────────────────────────────────────────────────────────────────

async function benchYouju(n: number, runs: number, sessions: number, profileDir: string | undefined): Promise<Figures> {
  const dir = await mkdtemp(join(tmpdir(), 'youju-bench-imap-'));
  const notes: string[] = [];
  const note = (text: string) => {
    notes.push(text);
    console.log(`imap/youju: ${text}`);
  };
  let server: ChildProcess | undefined;
  let stderrTail = '';
  let rt: Runtime | undefined;
  const stop = async () => {
    if (!server || server.exitCode !== null || server.signalCode !== null) return;
    const exited = new Promise((r) => server!.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  };
  /** `youju start`, under the CPU profiler when asked (the profile is written when it stops). */
  const start = async (data: string, cfg: string, phase: string) => {
    const name = `youju-${phase}.cpuprofile`;
    server = await startYoujuProcess(data, cfg, profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}`] : []);
    server.stderr!.on('data', (d: Buffer) => { stderrTail = `${stderrTail}${d.toString()}`.slice(-2000); });
    if (profileDir) note(`profile of the ${phase} phase: ${join(profileDir, name)}`);
  };
  try {
    const data = join(dir, 'data');
    const port = await freePort();
    const cfg = join(dir, 'youju.json');
    await writeFile(cfg, JSON.stringify({ hostname: 'mx.bench.test', listen: '127.0.0.1',
      ports: { smtp: 0, submission: 0, smtps: 0, imap: port, imaps: 0, pop3: 0, pop3s: 0, http: 0, https: 0, admin: 0 } }));
    const init = youju(['--data', data, '--config', cfg, 'init', '--domain', 'bench.test']);
    if (init.code !== 0) throw new Error(`youju init: ${init.stderr}`);
    rt = await openRuntime(loadBootConfig({ dataDir: data, file: cfg, env: {} }), { logger: createLogger({ level: 'silent' }) });
    const actor = { who: 'bench', from: 'bench', role: { kind: 'system' as const } };
    const user = await rt.users.add(actor, ADDRESS, { password: PASSWORD });
    await rt.settings.set('security.allowPlaintextAuth', true); // LOGIN without TLS, as with Dovecot's ssl = no
    await rt.settings.set('imap.maxConnectionsPerUser', 0); // the idle phase holds `sessions` of one user
    await rt.settings.set('limits.maxConnectionsPerIp', 0); // … from one address (loopback is not a trusted network here)

    // Load: the APPEND path (blob, summary, message row under the quota), 32 at a time so commits are shared.
    let t0 = performance.now();
    const mailboxes = rt.mailboxes;
    await forEachIndex(n, 32, async (i) => {
      const m = benchMessage(i, n);
      await mailboxes.append(user.id, 'INBOX', { raw: crlf(m.text), flags: m.flags, internalDate: m.internalDate });
    });
    const loadSeconds = (performance.now() - t0) / 1000;
    note(`loaded ${n} messages through MailboxService.append in ${loadSeconds.toFixed(1)} s (${Math.round(n / loadSeconds)} msg/s)`);

    // Start, and wait for the full-text indexer to finish before measuring anything.
    t0 = performance.now();
    await start(data, cfg, 'index');
    const store = rt.store;
    while ((await store.read((tx) => tx.fulltext.pending(1))).length > 0) await new Promise((r) => setTimeout(r, 250));
    const indexSeconds = (performance.now() - t0) / 1000;
    note(`youju start + full-text indexing of ${n} messages: ${indexSeconds.toFixed(1)} s (${Math.round(n / indexSeconds)} msg/s)`);

    // Each phase in a fresh process: the indexer's garbage is not the workload's, and the
    // workload's garbage, collected while the idle sessions open, would hide their cost.
    await stop();
    await start(data, cfg, 'workload');
    const figures = await runWorkload(port, ADDRESS, PASSWORD, n, runs);
    console.log(`imap/youju: workload measured; opening ${sessions} idle sessions`);
    await stop();
    await start(data, cfg, 'idle');
    await new Promise((r) => setTimeout(r, 2000));
    const pid = server!.pid!;
    const idle = await idleMemory(port, ADDRESS, PASSWORD, sessions, () => {
      const rssKib = statusKib(pid, 'VmRSS');
      const pssKib = statusKib(pid, 'Pss');
      return { rssKib, pssKib, detail: `RSS ${(rssKib / 1024).toFixed(0)} MB, PSS ${(pssKib / 1024).toFixed(0)} MB` };
    });
    if (server!.exitCode !== null || server!.signalCode !== null) {
      note(`youju exited during the idle phase (${server!.exitCode ?? server!.signalCode}): ${stderrTail.trim().split('\n').slice(0, 3).join(' / ')}`);
    }
    return { ...figures, idle, notes };
  } finally {
    await stop();
    await rt?.close();
    await rm(dir, { recursive: true, force: true });
  }
}

// ── Dovecot ────────────────────────────────────────────────────────────────────────────────

/** Maildir flag letters, in the ASCII order Maildir wants. */
const maildirFlags = (flags: readonly string[]) =>
  [flags.includes('\\Flagged') ? 'F' : '', flags.includes('\\Answered') ? 'R' : '', flags.includes('\\Seen') ? 'S' : ''].join('');

/** The dovecot imap processes (one per session), children of the master. */
function dovecotImapProcesses(master: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (comm === 'imap' && ppid === master) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

async function benchDovecot(n: number, runs: number, sessions: number, withFts: boolean): Promise<Figures> {
  const notes: string[] = [];
  const note = (text: string) => {
    notes.push(text);
    console.log(`imap/dovecot: ${text}`);
  };
  const fts = withFts && existsSync(XAPIAN_PLUGIN);
  const extraConfig = `
# IMAP benchmark: full-text search, and room for the idle sessions of one user
${fts ? 'mail_plugins = $mail_plugins fts fts_xapian' : ''}
${fts ? 'plugin {\n  fts = xapian\n  fts_xapian = partial=3 full=20 verbose=0\n  fts_autoindex = no\n  fts_enforced = yes\n}' : ''}
protocol imap {
  mail_max_userip_connections = ${sessions + 10}
}
service imap {
  process_limit = ${sessions + 10}
}
`;
  const dovecot: Dovecot = await startDovecot({ users: [{ name: USER, password: PASSWORD }], extraConfig });
  try {
    // Maildir files as a delivery agent leaves them: LF line ends, size (S=) and CRLF size (W=) in the name.
    const maildir = join(dovecot.home(USER), 'Maildir');
    for (const sub of ['cur', 'new', 'tmp']) await mkdir(join(maildir, sub), { recursive: true });
    let t0 = performance.now();
    await forEachIndex(n, 32, async (i) => {
      const m = benchMessage(i, n);
      const lines = m.text.reduce((k, b) => k + (b === 10 ? 1 : 0), 0);
      const seconds = m.internalDate / 1000;
      const name = `${seconds}.M${i % 1_000_000}P${process.pid}.bench,S=${m.text.length},W=${m.text.length + lines}:2,${maildirFlags(m.flags)}`;
      const f = await open(join(maildir, 'cur', name), 'w');
      try {
        await f.write(m.text);
        await f.utimes(seconds, seconds);
      } finally {
        await f.close();
      }
    });
    const chown = spawnSync('chown', ['-R', `${dovecot.owner.uid}:${dovecot.owner.gid}`, dovecot.home(USER)]);
    if (chown.status !== 0) throw new Error(`chown: ${chown.stderr}`);
    note(`wrote ${n} Maildir files in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // The first SELECT builds the index (uidlist, dovecot.index); FETCHes below then fill its cache.
    const c = await RawImap.connect(dovecot.imapPort);
    await c.command(login(USER, PASSWORD));
    const first = await c.command('SELECT INBOX');
    note(`first SELECT (builds the index of ${n} files): ${first.ms.toFixed(0)} ms`);
    await c.command('LOGOUT');
    c.close();

    if (fts) {
      t0 = performance.now();
      const index = spawnSync('doveadm', ['-c', dovecot.configFile, 'index', '-u', USER, 'INBOX'], { encoding: 'utf8' });
      if (index.status !== 0) throw new Error(`doveadm index: ${index.stderr}\n${await dovecot.log()}`);
      const s = (performance.now() - t0) / 1000;
      note(`doveadm index (fts-xapian) of ${n} messages: ${s.toFixed(1)} s (${Math.round(n / s)} msg/s)`);
    } else if (!existsSync(XAPIAN_PLUGIN)) {
      note(`no full-text plugin (${XAPIAN_PLUGIN} missing: apt-get install dovecot-fts-xapian): SEARCH TEXT reads every message`);
    } else {
      note('without its full-text index: SEARCH TEXT reads every message (--dovecot-fts indexes with fts-xapian first, ' +
        'which indexed 51 msg/s here at 10,000: over half an hour for 100,000; and it found no Chinese word)');
    }

    const figures = await runWorkload(dovecot.imapPort, USER, PASSWORD, n, runs);
    console.log(`imap/dovecot: workload measured; opening ${sessions} idle sessions`);

    const imapKib = (pids: number[], field: 'VmRSS' | 'Pss') => pids.reduce((k, p) => {
      try {
        return k + statusKib(p, field);
      } catch {
        return k; // exited meanwhile
      }
    }, 0);
    const idle = await idleMemory(dovecot.imapPort, USER, PASSWORD, sessions, () => {
      const pids = dovecotImapProcesses(dovecot.pid);
      const rssKib = imapKib(pids, 'VmRSS');
      const pssKib = imapKib(pids, 'Pss');
      return { rssKib, pssKib, detail: `${pids.length} imap processes, RSS ${(rssKib / 1024).toFixed(0)} MB, PSS ${(pssKib / 1024).toFixed(0)} MB` };
    });
    note('idle sessions: the RSS of each imap process counts the pages they share (libraries, the mapped index) again; ' +
      'PSS splits shared pages among the processes sharing them, so summed PSS is what they really hold');
    return { ...figures, idle, notes };
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- dovecot log ---\n${(await dovecot.log()).slice(-3000)}`);
  } finally {
    // Let the session processes finish writing their index before the directory goes.
    for (let i = 0; i < 100 && dovecotImapProcesses(dovecot.pid).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    await dovecot.stop().catch((err: Error) => console.error(`imap/dovecot: stopping: ${err.message}`));
  }
}

// ── Report ─────────────────────────────────────────────────────────────────────────────────

function printTable(n: number, runs: number, y: Figures, d: Figures | undefined, load: string): void {
  const ms = (f: Figure | undefined) => (f ? `${f.ms < 10 ? f.ms.toFixed(1) : f.ms.toFixed(0)} ms` : '-');
  const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined && a > 0 ? `${(b / a).toFixed(2)}` : '-');
  const detail = (f: Figure) => `${(f.bytes / 1024 / 1024).toFixed(1)} MB${f.hits !== undefined ? `, ${f.hits} hits` : ''}, first ${f.firstMs.toFixed(0)} ms`;
  const rows: Array<[string, string, string, string, string]> = [];
  const line = (label: string, key: keyof Omit<Figures, 'idle' | 'notes'>) => {
    const yf = y[key];
    const df = d?.[key];
    rows.push([label, ms(yf), ms(df), ratio(yf.ms, df?.ms), `youju ${detail(yf)}${df ? `; dovecot ${detail(df)}` : ''}`]);
  };
  line('SELECT INBOX (warm, median)', 'select');
  line('FETCH 1:* (UID FLAGS)', 'fetchFlags');
  line('FETCH 1:* (ENVELOPE)', 'fetchEnvelope');
  line('FETCH 1:* (UID FLAGS RFC822.SIZE ENVELOPE)', 'fetchAll');
  line(`UID SEARCH TEXT ${WORD}`, 'searchWord');
  line(`UID SEARCH TEXT ${CHINESE_WORD}`, 'searchChinese');
  line(`UID SEARCH SUBJECT ${SUBJECT_WORD}`, 'searchSubject');
  line(`UID SEARCH FROM ${FROM_WORD}`, 'searchFrom');
  line('UID SORT (DATE) UTF-8 ALL', 'sortDate');
  line('UID THREAD REFERENCES UTF-8 ALL', 'threadReferences');
  line('  UID SORT (DATE), after one new message', 'sortDateNew');
  line('  UID THREAD REFERENCES, after one new message', 'threadReferencesNew');
  const yi = y.idle!;
  const di = d?.idle;
  if (yi.failure) y.notes.push(`IDLE sessions failed ${yi.failure}`);
  if (di?.failure) d!.notes.push(`IDLE sessions failed ${di.failure}`);
  rows.push([`${yi.sessions}${di && di.sessions !== yi.sessions ? `/${di.sessions}` : ''} IDLE sessions: RSS growth`, `${yi.growthMb.toFixed(0)} MB`, di ? `${di.growthMb.toFixed(0)} MB` : '-',
    ratio(yi.growthMb, di?.growthMb), `youju ${yi.detail}${di ? `; dovecot ${di.detail}` : ''}`]);
  rows.push(['  per session', `${yi.perSessionKib.toFixed(0)} KiB`, di ? `${di.perSessionKib.toFixed(0)} KiB` : '-',
    ratio(yi.perSessionKib, di?.perSessionKib), `opening them took youju ${yi.setupSeconds.toFixed(1)} s${di ? `, dovecot ${di.setupSeconds.toFixed(1)} s` : ''}`]);
  const pss = (f: IdleFigures | undefined) => (f?.pssGrowthMb !== undefined ? (f.pssGrowthMb * 1024) / f.sessions : undefined);
  rows.push(['  per session, PSS', pss(yi) !== undefined ? `${pss(yi)!.toFixed(0)} KiB` : '-', pss(di) !== undefined ? `${pss(di)!.toFixed(0)} KiB` : '-',
    ratio(pss(yi), pss(di)), 'proportional set size: shared pages split among the processes sharing them']);
  const head: [string, string, string, string, string] = ['', 'Youju', 'Dovecot', 'ratio', 'response bytes, hits, first (cold) run'];
  const widths = [0, 1, 2, 3].map((k) => Math.max(...[head, ...rows].map((r) => r[k]!.length)));
  const fmt = (r: string[]) => r.map((c, k) => (k === 4 ? c : k === 0 ? c.padEnd(widths[k]!) : c.padStart(widths[k]!))).join('  ');
  console.log(`\nimap: INBOX of ${n} messages; times are medians of ${runs} runs after one warm-up (SELECT: of ${Math.max(5, runs)}), ` +
    'one raw client on loopback. ratio = Dovecot / Youju: above 1 Youju is faster (or uses less memory), below 1 Dovecot is.');
  console.log(fmt(head));
  for (const r of rows) console.log(fmt(r));
  console.log(`  machine: load average (1 min) ${load} (other work on the machine skews figures)`);
  for (const note of y.notes) console.log(`  youju: ${note}`);
  for (const note of d?.notes ?? []) console.log(`  dovecot: ${note}`);
  if (!d) console.log(`  dovecot: ${dovecotMissing || (process.argv.includes('--no-dovecot') ? 'not run (--no-dovecot)' : 'failed (above)')}`);
}

export async function run(): Promise<void> {
  const n = option('messages', 100_000);
  const runs = option('runs', 3);
  const sessions = option('idle', 200);
  const skipDovecot = process.argv.includes('--no-dovecot');
  const profileDir = optionText('profile');
  if (profileDir) await mkdir(profileDir, { recursive: true });
  const load = [loadavg()[0]!.toFixed(1)];
  const youjuFigures = await benchYouju(n, runs, sessions, profileDir);
  load.push(loadavg()[0]!.toFixed(1));
  let dovecotFigures: Figures | undefined;
  if (!dovecotMissing && !skipDovecot) {
    try {
      dovecotFigures = await benchDovecot(n, runs, sessions, process.argv.includes('--dovecot-fts'));
    } catch (err) {
      // Youju's figures took long to get: print them anyway.
      youjuFigures.notes.push(`(the Dovecot run failed: ${(err as Error).message.split('\n')[0]})`);
      console.error(err);
    }
  }
  load.push(loadavg()[0]!.toFixed(1));
  printTable(n, runs, youjuFigures, dovecotFigures, `${load.join(' → ')} at start, after Youju, after Dovecot`);
}
