// The Bayesian classifier: the chi-square tail against known values, Robinson's f(w), Fisher
// combining, tokens of Chinese text and header fields, the score bands, and the classifier over a
// real store: no verdict before the minimum training, a message learned twice counted once, and one
// learned again as the other class moved. Training texts are written here, not taken from the corpus.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../core/clock.ts';
import { parseMimeTree } from '../mime/mime-tree.ts';
import { searchableText } from '../mime/search-text.ts';
import { openTestStore } from '../store/testing.ts';
import { SettingsSchema } from '../config/schema/index.ts';
import { BayesClassifier, bayesScoreItem, chi2Q, combine, hashToken, tokenProbability } from './bayes.ts';
import { BayesLearning } from './bayes-learning.ts';
import { tokenize } from './bayes-tokens.ts';

const input = (s: string) => {
  const raw = Buffer.from(s.replace(/\n/g, '\r\n'));
  const tree = parseMimeTree(raw);
  return { raw, tree, text: searchableText(raw, tree), maxChars: 1 << 20 };
};

describe('Bayes: the arithmetic', () => {
  it('computes the chi-square upper tail (v even)', () => {
    assert.ok(Math.abs(chi2Q(2, 2) - Math.exp(-1)) < 1e-12);
    assert.ok(Math.abs(chi2Q(9.488, 4) - 0.05) < 1e-3, 'the 5 % point of chi-square(4)');
    assert.equal(chi2Q(0, 10), 1);
    assert.equal(chi2Q(5000, 4), 0, 'underflows to 0, never NaN');
  });

  it("smooths a token's probability towards 0.5 when it was seen rarely", () => {
    const totals = { spam: 100, ham: 100 };
    assert.equal(tokenProbability({ spam: 0, ham: 0 }, totals), 0.5);
    const once = tokenProbability({ spam: 1, ham: 0 }, totals);
    const often = tokenProbability({ spam: 50, ham: 0 }, totals);
    assert.ok(once > 0.8 && once < 0.85 && often > 0.99, `${once} ${often}`);
    assert.ok(tokenProbability({ spam: 0, ham: 40 }, totals) < 0.02);
    // Ratios, not raw counts: 10 of 20 spam against 10 of 200 ham is spammy.
    assert.ok(tokenProbability({ spam: 10, ham: 10 }, { spam: 20, ham: 200 }) > 0.85);
  });

  it('combines clues with Fisher’s method, ignoring the ones near 0.5', () => {
    assert.deepEqual(combine([]), { probability: 0.5, clues: 0 });
    assert.deepEqual(combine([0.5, 0.55, 0.45]), { probability: 0.5, clues: 0 });
    assert.ok(combine([0.99, 0.98, 0.95, 0.9]).probability > 0.99);
    assert.ok(combine([0.01, 0.02, 0.05, 0.1]).probability < 0.01);
    const mixed = combine([0.99, 0.01]);
    assert.ok(Math.abs(mixed.probability - 0.5) < 1e-9 && mixed.clues === 2, 'equal evidence both ways is unsure');
    assert.equal(combine(Array.from({ length: 400 }, () => 0.9)).clues, 300);
  });

  it('names the bands as SpamAssassin does', () => {
    assert.deepEqual([0.001, 0.03, 0.1, 0.3, 0.5, 0.7, 0.85, 0.92, 0.97, 0.995, 0.9995].map((p) => bayesScoreItem(p).rule),
      ['BAYES_00', 'BAYES_05', 'BAYES_20', 'BAYES_40', 'BAYES_50', 'BAYES_60', 'BAYES_80', 'BAYES_90', 'BAYES_95', 'BAYES_99', 'BAYES_999']);
    assert.equal(bayesScoreItem(0.9995).score, 6);
    assert.ok(bayesScoreItem(0.92).score >= 5 && bayesScoreItem(0.85).score < 5, "SpamBayes' cutoff 0.90 marks on its own");
    assert.ok(bayesScoreItem(0.001).score < 0);
  });
});

describe('Bayes: tokens', () => {
  it('cuts Chinese words with the segmenter and into bigrams, and prefixes header words with the field', () => {
    const t = tokenize(input(`From: =?UTF-8?B?${Buffer.from('发票服务').toString('base64')}?= <sales@fapiao.example>
Subject: 本月优惠
Message-ID: <1@mx.fapiao.example>
Received: from evil by us
X-Spam-Flag: YES
Content-Type: text/html; charset=utf-8

<p>本公司长期代开发票, call 13812345678 <a href="http://www.fapiao.example/x">here</a></p>
`));
    for (const want of ['长期', 'bi:发票', 'bi:代开', 'call', 'num:11', 'subject:优惠', 'from:发票', 'from:sales', 'mid:mx.fapiao.example',
      'has:subject', 'received:evil', 'mime:text/html', 'charset:utf-8', 'url:www.fapiao.example', 'url:fapiao.example']) {
      assert.ok(t.includes(want), `${want} in ${t.join(' ')}`);
    }
    for (const never of ['has:x-spam-flag', 'p', 'yes']) assert.ok(!t.includes(never), never);
    assert.equal(new Set(t).size, t.length, 'each token once');
  });
});

describe('Bayes: tokens of relays, markup and shouting', () => {
  it("takes a Received field's networks and domains, an HTML part's markup, capitals and money punctuation", () => {
    const t = tokenize(input(`Received: from mail.relay.example.net (dsl-7.isp.example.org [203.0.113.77]) by mx.us
Subject: FREE money!!! $$$
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: quoted-printable

<table bgcolor=3D"#FF0000"><tr><td><font size=3D"+3" color=3D#fff>ACT NOW</font> for $50!</td></tr></table>
`));
    for (const want of ['rip:203', 'rip:203.0', 'rip:203.0.113', 'rhost:example.net', 'rhost:relay.example.net', 'rhost:example.org',
      'html:table', 'html:table.bgcolor', 'html:table.bgcolor=#ff0000', 'html:font.size=+3', 'html:font.color=#fff', 'html:td',
      'subject:caps:free', 'subject:punct:!!!', 'subject:punct:$$$', 'caps:act', 'punct:$', 'punct:!', 'act', 'now']) {
      assert.ok(t.includes(want), `${want} in ${t.join(' ')}`);
    }
    assert.ok(!t.some((x) => x.includes('3d')), 'markup read after quoted-printable is undone');
    assert.ok(!t.includes('rip:203.0.113.77'), 'the /24, not the host');
  });

  it('keeps header and markup tokens when a long body reaches the cap', () => {
    const words = Array.from({ length: 5000 }, (_, i) => `word${i}x`).join(' ');
    const t = tokenize(input(`Subject: hello\nContent-Type: text/html\n\n<font color=red>${words}</font>\n`));
    assert.equal(t.length, 3000);
    for (const want of ['subject:hello', 'has:subject', 'html:font.color=red', 'mime:text/html', 'word0x']) assert.ok(t.includes(want), want);
  });
});

describe('Bayes: header presence', () => {
  it("counts a mailing list's fields as one presence token; other fields keep their own", () => {
    const t = tokenize(input(`From: a@example.org
Subject: [dev] build broken
X-BeenThere: dev@lists.example.org
X-Mailman-Version: 2.0.11
List-Id: Developers <dev.lists.example.org>
List-Post: <mailto:dev@lists.example.org>
List-Unsubscribe: <mailto:dev-request@lists.example.org?subject=unsubscribe>
Errors-To: dev-admin@lists.example.org
X-Mailer: Mutt

the build is broken again
`));
    for (const want of ['has:list-fields', 'has:from', 'has:subject', 'has:x-mailer', 'list-id:developers']) assert.ok(t.includes(want), `${want} in ${t.join(' ')}`);
    for (const never of ['has:list-id', 'has:list-post', 'has:list-unsubscribe', 'has:x-beenthere', 'has:x-mailman-version', 'has:errors-to']) {
      assert.ok(!t.includes(never), never);
    }
  });
});

describe('Bayes: recipients and subject shapes', () => {
  it('counts the addresses of To and Cc on a doubling scale', () => {
    const t = tokenize(input(`To: "Doe, Jane" <jane@example.org>, bob@example.org, carol@example.org
Cc: undisclosed-recipients:;
Subject: hello

hi all
`));
    for (const want of ['to:2**2', 'cc:no-address']) assert.ok(t.includes(want), `${want} in ${t.join(' ')}`);
    assert.ok(tokenize(input(`To: Team: a@example.org, b@example.org;
Subject: x

hi
`)).includes('to:2**1'), 'a group counts its members');
    assert.ok(tokenize(input(`To: a@example.org
Subject: x

hi
`)).includes('to:2**0'));
  });

  it('marks a run of blanks inside a subject and a last word mixing letters and digits', () => {
    const t = tokenize(input(`Subject: A gift for you        k7Qz82Lm

hi
`));
    for (const want of ['subject:shape:blank-run', 'subject:shape:trailing-id', 'subject:gift']) assert.ok(t.includes(want), `${want} in ${t.join(' ')}`);
    for (const plain of ['Re: release 2.4 is out', 'Meeting at 10am in room B12', 'Order 12345678']) {
      const u = tokenize(input(`Subject: ${plain}

hi
`));
      assert.ok(!u.some((x) => x.startsWith('subject:shape:')), `${plain}: ${u.join(' ')}`);
    }
  });
});

describe('Bayes: numbers', () => {
  it('keeps three- and four-digit numbers and counts the others by their length', () => {
    const t = tokenize(input(`Subject: order

Item 7 of 12: 499 yuan, since 2002, order 88812345, call 13812345678
`));
    for (const want of ['num:1', 'num:2', '499', '2002', 'num:8', 'num:11', 'yuan']) assert.ok(t.includes(want), `${want} in ${t.join('|')}`);
    for (const never of ['7', '12', '88812345']) assert.ok(!t.includes(never), never);
  });
});

describe('Bayes: word pairs', () => {
  it('pairs adjacent body words, restarting after a word too short to count; only pairs have a space', () => {
    const t = tokenize(input(`Subject: offer\n\nClick here now to be removed, 低价代开\n`));
    for (const want of ['click here', 'here now', 'click', 'now']) assert.ok(t.includes(want), `${want} in ${t.join('|')}`);
    assert.ok(!t.includes('now removed') && !t.includes('now to'), '"to" and "be" are not words here: no pair spans them');
    assert.ok(!t.some((x) => x.startsWith('subject:') && x.includes(' ')), 'header words are not paired');
    const pairs = t.filter((x) => x.includes(' '));
    assert.ok(pairs.every((x) => x.split(' ').length === 2 && !x.includes(':')), pairs.join('|'));
  });

  it('a store learned before pairs existed still gives verdicts: the pairs it lacks weigh 0.5', async () => {
    const t = await openTestStore();
    try {
      const classifier = new BayesClassifier(t.store, systemClock);
      const old = (s: string) => tokenize(input(s)).filter((x) => !x.includes(' ')).map(hashToken);
      const spam = (i: number) => `Subject: cheap pills ${i}\n\nbuy cheap pills online now discount pharmacy ${i}\n`;
      const ham = (i: number) => `Subject: meeting ${i}\n\nthe project meeting moved to thursday afternoon ${i}\n`;
      for (let i = 0; i < 3; i++) {
        await classifier.learn('', `s${i}`, old(spam(i)), 'spam');
        await classifier.learn('', `h${i}`, old(ham(i)), 'ham');
      }
      const s = await classifier.classify('', classifier.tokens(input(spam(9))), 3);
      const h = await classifier.classify('', classifier.tokens(input(ham(9))), 3);
      assert.ok(s.kind === 'verdict' && s.probability > 0.9, JSON.stringify(s));
      assert.ok(h.kind === 'verdict' && h.probability < 0.1, JSON.stringify(h));
    } finally {
      await t.close();
    }
  });
});

describe('Bayes: the classifier over the store', () => {
  const spam = (i: number) => `Subject: 代开发票 ${i}\nFrom: a${i}@spam.example\n\n低价代开各类发票，加微信 fp${i}，优惠多多 cheap invoice offer\n`;
  const ham = (i: number) => `Subject: 周会纪要 ${i}\nFrom: colleague@work.example\n\n各位好，本周项目进度正常，下周一上午开会讨论测试计划 meeting notes\n`;

  it('gives no verdict before the minimum training, then tells spam from ham; learning twice counts once, relearning moves', async () => {
    const t = await openTestStore();
    try {
      const classifier = new BayesClassifier(t.store, systemClock);
      const settings = SettingsSchema.parse({});
      const learning = new BayesLearning({ classifier, store: t.store, blobs: t.blobs, settings: () => settings, warn: () => undefined });
      const tokens = (s: string) => classifier.tokens(input(s));
      for (let i = 0; i < 3; i++) await learning.learnMessage('', Buffer.from(spam(i)), 'spam');
      for (let i = 0; i < 2; i++) await learning.learnMessage('', Buffer.from(ham(i)), 'ham');
      assert.deepEqual(await classifier.classify('', tokens(spam(9)), 3), { kind: 'untrained', learned: { spam: 3, ham: 2 } });
      assert.equal(await learning.learnMessage('', Buffer.from(ham(1)), 'ham'), 'already');
      assert.equal(await learning.learnMessage('', Buffer.from(ham(2)), 'ham'), 'learned');
      const s = await classifier.classify('', tokens(spam(9)), 3);
      const h = await classifier.classify('', tokens(ham(9)), 3);
      assert.ok(s.kind === 'verdict' && s.probability > 0.95, JSON.stringify(s));
      assert.ok(h.kind === 'verdict' && h.probability < 0.05, JSON.stringify(h));
      assert.equal((await classifier.classify('example.cn', tokens(spam(9)), 3)).kind, 'untrained', 'another scope knows nothing');

      assert.equal(await learning.learnMessage('', Buffer.from(spam(0)), 'ham'), 'moved');
      assert.deepEqual((await classifier.scopes()).map((x) => [x.scope, x.spam, x.ham]), [['', 2, 4]]);
    } finally {
      await t.close();
    }
  });
});
