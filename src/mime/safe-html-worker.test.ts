// The sanitiser's worker: results match the in-thread sanitiser, jobs queue in order, an input over
// the size limit is refused without parsing, and a job past its time limit ends the worker with a
// TooHeavyError (the next job starts a new one).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HtmlSanitiser, MAX_HTML_CHARS, TooHeavyError } from './safe-html-worker.ts';
import { sanitiseMailHtml } from './safe-html.ts';

const opts = { allowRemoteImages: false, cids: {} };

describe('HtmlSanitiser', () => {
  const s = new HtmlSanitiser();
  after(() => s.close());

  it('gives what sanitiseMailHtml gives, in order', async () => {
    const inputs = ['<p onclick="x()">a<img src="http://t.test/p.gif"></p>', '<b>b</b>', '<script>c()</script>d'];
    const got = await Promise.all(inputs.map((h) => s.sanitise(h, opts)));
    assert.deepEqual(got, await Promise.all(inputs.map((h) => sanitiseMailHtml(h, opts))));
    assert.equal(got[0]!.remoteImages, 1);
  });

  it('refuses HTML over the limit without parsing it', async () => {
    await assert.rejects(s.sanitise('x'.repeat(MAX_HTML_CHARS + 1), opts), TooHeavyError);
  });

  it('ends a job past its time limit and starts afresh', async () => {
    const slow = new HtmlSanitiser({ timeoutMs: 1 });
    await assert.rejects(slow.sanitise('<p>x</p>'.repeat(10_000), opts), TooHeavyError);
    await slow.close();
    assert.match((await s.sanitise('<i>after</i>', opts)).html, /<i>after<\/i>/);
  });
});
