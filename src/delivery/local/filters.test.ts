import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateFilters, globMatch, type FilterMessage } from './filters.ts';
import { FilterSchema, type Filter } from './user-rules.ts';

/** A message; headers given as [name, value] pairs. */
function msg(over: Partial<Omit<FilterMessage, 'header'>> = {}, headers: Array<[string, string]> = []): FilterMessage {
  return {
    from: '"张经理" <boss@corp.cn>',
    to: 'Bob <bob@x.cn>, aaa@domain.com',
    cc: '',
    subject: '关于发票的通知',
    size: 20_000,
    ...over,
    // Strict on purpose: evaluateFilters must ask with lower-case names.
    header: (name) => headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v),
  };
}

/** A filter through the real schema, so tests use what users can store. */
function filter(f: unknown): Filter {
  return FilterSchema.parse(f);
}
const when = (field: string, op: string, value: string | number, extra: object = {}) =>
  filter({ name: `${field} ${op} ${value}`.slice(0, 100), conditions: [{ field, op, value, ...extra }], actions: [{ kind: 'move', folder: 'Hit' }] });
const hits = (f: Filter, m: FilterMessage = msg()) => evaluateFilters([f], m).folder === 'Hit';

test('no filters: inbox, no flags, nothing discarded or forwarded', () => {
  assert.deepEqual(evaluateFilters([], msg()), { flags: [], discard: false, forwardTo: [], matched: [] });
});

test('Chinese subject: contains, starts-with, ends-with, equals, matches', () => {
  assert.ok(hits(when('subject', 'contains', '发票')));
  assert.ok(hits(when('subject', 'starts-with', '关于')));
  assert.ok(hits(when('subject', 'ends-with', '通知')));
  assert.ok(hits(when('subject', 'equals', '关于发票的通知')));
  assert.ok(hits(when('subject', 'matches', '关于??的*')));
  assert.ok(!hits(when('subject', 'matches', '关于?的*')), '? is exactly one character');
  assert.ok(!hits(when('subject', 'contains', '合同')));
  assert.ok(!hits(when('subject', 'equals', '发票')), 'equals is the whole subject');
  assert.ok(hits(when('subject', 'not-contains', '合同')));
  assert.ok(!hits(when('subject', 'not-contains', '发票')));
});

test('case- and width-insensitive: INVOICE, ｉｎｖｏｉｃｅ and Invoice are the same', () => {
  const m = msg({ subject: 'Your INVOICE  for March' });
  assert.ok(hits(when('subject', 'contains', 'invoice'), m));
  assert.ok(hits(when('subject', 'contains', 'ｉｎｖｏｉｃｅ'), m));
  assert.ok(hits(when('subject', 'equals', 'your invoice for march'), m), 'white space runs collapse');
  assert.ok(hits(when('subject', 'contains', 'ÄRGER'), msg({ subject: 'viel ärger' })), 'non-ASCII case folding');
});

test('address fields test the whole header and each address and name', () => {
  assert.ok(hits(when('from', 'equals', 'BOSS@corp.cn')));
  assert.ok(hits(when('from', 'equals', '张经理')));
  assert.ok(hits(when('from', 'contains', '经理')));
  assert.ok(hits(when('from', 'ends-with', '@corp.cn')));
  assert.ok(hits(when('from', 'matches', '*@*.cn')));
  assert.ok(!hits(when('from', 'equals', 'corp.cn')));
  // The manual's example: recipient aaa@domain.com goes to folder aaa.
  assert.ok(hits(when('to', 'equals', 'aaa@domain.com')));
  assert.ok(hits(when('to', 'starts-with', 'bob@')));
  assert.ok(!hits(when('to', 'equals', 'ccc@domain.com')));
  assert.ok(!hits(when('cc', 'contains', 'x')), 'empty Cc contains nothing');
  assert.ok(hits(when('cc', 'not-contains', 'x')));
  assert.ok(hits(when('cc', 'equals', 'carol@x.cn'), msg({ cc: 'undisclosed: carol@x.cn;' })), 'groups are flattened');
});

test('any header by name; absent headers match only not-contains', () => {
  const m = msg({}, [['X-Priority', '1 (Highest)'], ['Received', 'from a'], ['Received', 'from relay.spam.example']]);
  assert.ok(hits(when('header', 'starts-with', '1', { header: 'x-priority' }), m));
  assert.ok(hits(when('header', 'contains', 'spam.example', { header: 'Received' }), m), 'any of several values');
  assert.ok(!hits(when('header', 'not-contains', 'spam.example', { header: 'Received' }), m), 'not-contains: none may');
  assert.ok(!hits(when('header', 'contains', 'x', { header: 'X-Mailer' }), m));
  assert.ok(hits(when('header', 'not-contains', 'x', { header: 'X-Mailer' }), m));
});

test('size greater-than and less-than are strict, in bytes', () => {
  assert.ok(hits(when('size', 'greater-than', 19_999)));
  assert.ok(!hits(when('size', 'greater-than', 20_000)));
  assert.ok(hits(when('size', 'less-than', 20_001)));
  assert.ok(!hits(when('size', 'less-than', 20_000)));
  assert.ok(hits(when('size', 'greater-than', '1048576'), msg({ size: 5 * 1024 * 1024 })), 'a digit string is accepted');
});

test('match all needs every condition, any needs one', () => {
  const conditions = [
    { field: 'subject', op: 'contains', value: '发票' },
    { field: 'from', op: 'ends-with', value: '@other.cn' },
  ];
  const actions = [{ kind: 'move', folder: 'Hit' }];
  assert.ok(!hits(filter({ name: 'all', match: 'all', conditions, actions })));
  assert.ok(hits(filter({ name: 'any', match: 'any', conditions, actions })));
  assert.ok(hits(filter({ name: 'all2', conditions: [conditions[0]], actions })), 'match defaults to all');
});

test('filters run in order; a later move replaces an earlier one; flags accumulate once', () => {
  const out = evaluateFilters([
    filter({ name: 'a', conditions: [{ field: 'subject', op: 'contains', value: '发票' }],
      actions: [{ kind: 'move', folder: '财务' }, { kind: 'mark-read' }] }),
    filter({ name: 'b', conditions: [{ field: 'from', op: 'contains', value: 'boss' }],
      actions: [{ kind: 'move', folder: '老板' }, { kind: 'flag' }, { kind: 'mark-read' }] }),
    filter({ name: 'c', conditions: [{ field: 'subject', op: 'contains', value: 'nope' }],
      actions: [{ kind: 'move', folder: 'Never' }] }),
  ], msg());
  assert.equal(out.folder, '老板');
  assert.deepEqual(out.flags, ['\\Seen', '\\Flagged']);
  assert.deepEqual(out.matched, ['a', 'b']);
});

test('stop ends evaluation after the filter it is in (its other actions still apply)', () => {
  const out = evaluateFilters([
    filter({ name: 'first', conditions: [{ field: 'subject', op: 'contains', value: '发票' }],
      actions: [{ kind: 'stop' }, { kind: 'move', folder: '财务' }] }),
    filter({ name: 'second', conditions: [{ field: 'size', op: 'greater-than', value: 0 }],
      actions: [{ kind: 'move', folder: 'All' }, { kind: 'delete' }] }),
  ], msg());
  assert.equal(out.folder, '财务');
  assert.equal(out.discard, false);
  assert.deepEqual(out.matched, ['first']);
});

test('disabled filters are skipped, including their stop', () => {
  const out = evaluateFilters([
    filter({ name: 'off', enabled: false, conditions: [{ field: 'size', op: 'greater-than', value: 0 }],
      actions: [{ kind: 'move', folder: 'Off' }, { kind: 'stop' }] }),
    filter({ name: 'on', conditions: [{ field: 'size', op: 'greater-than', value: 0 }],
      actions: [{ kind: 'move', folder: 'On' }] }),
  ], msg());
  assert.equal(out.folder, 'On');
});

test('delete discards the local copy but forwards still go, de-duplicated', () => {
  const out = evaluateFilters([
    filter({ name: 'fwd', conditions: [{ field: 'subject', op: 'contains', value: '发票' }],
      actions: [{ kind: 'forward', to: ['Acct@Corp.cn', 'cfo@corp.cn'] }, { kind: 'move', folder: '财务' }] }),
    filter({ name: 'del', conditions: [{ field: 'from', op: 'contains', value: 'boss' }],
      actions: [{ kind: 'forward', to: ['acct@corp.cn'] }, { kind: 'delete' }] }),
  ], msg());
  assert.equal(out.discard, true);
  assert.equal(out.folder, undefined, 'discard wins over move');
  assert.deepEqual(out.forwardTo, ['acct@corp.cn', 'cfo@corp.cn']);
});

test('glob: * spans any run including none, ? one code point, everything else literal', () => {
  assert.ok(globMatch('*', ''));
  assert.ok(globMatch('a*b*c', 'abc'));
  assert.ok(globMatch('a*b*c', 'a--b--c'));
  assert.ok(!globMatch('a*b*c', 'a--b--'));
  assert.ok(globMatch('?', '😀'), 'astral characters are one character');
  assert.ok(globMatch('[x].(y)+', '[x].(y)+'), 'regex syntax is literal');
  assert.ok(!globMatch('a.c', 'abc'));
});

test('hostile input: a star-heavy pattern against a long subject stays fast', () => {
  // A backtracking regex would take exponential time here; the two-pointer glob is O(p × t).
  const subject = 'a'.repeat(50_000);
  const started = performance.now();
  assert.ok(!hits(when('subject', 'matches', `${'*a'.repeat(100)}b`), msg({ subject })));
  assert.ok(performance.now() - started < 5_000);
});

test('field "tag" tests the sub-address the mail came to (bob+News@ → news)', () => {
  assert.equal(hits(when('tag', 'equals', 'news'), msg({ tag: 'News' })), true);
  assert.equal(hits(when('tag', 'equals', 'news'), msg({ tag: 'shop' })), false);
  assert.equal(hits(when('tag', 'equals', 'news'), msg()), false, 'no tag, no match');
  assert.equal(hits(when('tag', 'not-contains', 'news'), msg()), true);
});
