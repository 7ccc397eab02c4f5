// The heuristic rules as a table: each case a message (or HELO) and the rules it must and must not
// raise. Chinese cases are encoded as real mail is (GBK, base64, RFC 2047 subjects).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gbkEncode } from '../../test/helpers/gbk.ts';
import { parseMimeTree } from '../mime/mime-tree.ts';
import { searchableText } from '../mime/search-text.ts';
import { scoreHeuristics } from './heuristics.ts';

const NOW = Date.parse('2026-12-04T10:00:00+08:00');
const DATE = 'Fri, 04 Dec 2026 09:58:00 +0800';
const gbkBase64 = (s: string) => gbkEncode(s).toString('base64');
const msg = (headers: string[], body: string) => Buffer.from(`${headers.join('\r\n')}\r\n\r\n${body}\r\n`, 'latin1');
const ok = ['From: <a@remote.test>', 'To: <u@example.cn>', `Date: ${DATE}`, 'Message-ID: <1@remote.test>', 'Subject: Meeting notes'];
const rules = (raw: Buffer, helo = 'mail.remote.test') => {
  const tree = parseMimeTree(raw);
  return scoreHeuristics({ raw, tree, text: searchableText(raw, tree), helo, now: NOW, maxChars: 512 * 1024 }).map((i) => i.rule);
};

describe('heuristic rules', () => {
  const cases: Array<[string, Buffer, string, string[], string[]]> = [
    ['a plain, well-formed message raises nothing', msg(ok, 'See you at 10.'), 'mail.remote.test', [], ['MISSING_DATE', 'SPAM_PHRASE', 'CN_INVOICE']],
    ['missing Date, Message-ID and Subject', msg(['From: <a@remote.test>', 'To: <u@example.cn>'], 'x'), 'mail.remote.test', ['MISSING_DATE', 'MISSING_MESSAGE_ID', 'MISSING_SUBJECT'], []],
    ['a Date a week in the future', msg([...ok.slice(0, 2), 'Date: Fri, 25 Dec 2026 09:58:00 +0800', ...ok.slice(3)], 'x'), 'h.test', ['DATE_IN_FUTURE'], ['DATE_IN_PAST']],
    ['a shouting subject', msg([...ok.slice(0, 4), 'Subject: URGENT BUSINESS PROPOSAL'], 'x'), 'h.test', ['SUBJ_ALL_CAPS'], []],
    ['a bare-IP HELO and a one-label HELO', msg(ok, 'x'), '192.0.2.1', ['HELO_BARE_IP'], []],
    ['HTML only, a link to a numeric IP and a shortener',
      msg([...ok, 'Content-Type: text/html; charset=utf-8'], '<p><a href="http://192.0.2.5/login">verify</a> <a href="https://bit.ly/x">more</a></p>'), 'h.test',
      ['HTML_ONLY', 'URI_NUMERIC_IP', 'URI_SHORTENER'], []],
    ['invoice spam in GBK, base64, with an encoded subject',
      msg([...ok.slice(0, 4), `Subject: =?GBK?B?${gbkBase64('代开增值税发票')}?=`, 'Content-Type: text/plain; charset=GBK', 'Content-Transfer-Encoding: base64'],
        gbkBase64('本公司长期低价代开各类发票，详情加微信: fp88888')), 'h.test', ['CN_INVOICE', 'SPAM_PHRASE'], []],
    ['invisible characters hiding words', msg(ok, Buffer.from('免\u200b费\u200b领\u200b取').toString('latin1')), 'h.test', ['INVISIBLE_CHARS'], []],
    ['an advance-fee letter', msg(ok, 'Dear beneficiary, you are the next of kin of a late client.'), 'h.test', ['SPAM_PHRASE'], ['CN_INVOICE']],
    ['the word 发票 alone (an ordinary invoice mail) is not invoice spam',
      msg([...ok, 'Content-Type: text/plain; charset=utf-8'], Buffer.from('附件是本月的发票，请查收。').toString('latin1')), 'h.test', [], ['CN_INVOICE', 'SPAM_PHRASE']],
  ];
  for (const [name, raw, helo, want, notWant] of cases) {
    it(name, () => {
      const got = rules(raw, helo);
      for (const r of want) assert.ok(got.includes(r), `${r} missing from ${got.join(',')}`);
      for (const r of notWant) assert.ok(!got.includes(r), `${r} unexpected in ${got.join(',')}`);
      if (want.length === 0 && notWant.length > 0 && name.startsWith('a plain')) assert.deepEqual(got, []);
    });
  }
});
