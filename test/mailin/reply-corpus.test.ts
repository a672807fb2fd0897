import t from 'tap';
import { messageBody, loadSanitizer } from '../../src/mailin/content.js';
import { extractReply } from '../../src/mailin/reply.js';
import { accuracy, loadCorpus } from './reply-corpus.js';

await loadSanitizer();

t.test('the reply corpus: at least 150 replies in at least eight languages, 95 % or more stored exactly', async (t) => {
  const cases = loadCorpus();
  t.ok(cases.length >= 150, `${cases.length} cases`);
  const languages = new Set(cases.map((c) => c.name.split('-')[0]));
  for (const lang of ['en', 'de', 'fr', 'es', 'it', 'nl', 'pl', 'ru']) t.ok(languages.has(lang), `has ${lang}`);
  const result = await accuracy(cases);
  const percent = (100 * result.exact) / result.total;
  t.ok(percent >= 95, `${result.exact}/${result.total} exact (${percent.toFixed(1)} %); missed: ${result.failures.map((f) => f.c.name).join(', ')}`);
});

t.test('extraction is linear: a 1 MB quote, a 1 MB line and 1 MB of near-attributions finish fast', async (t) => {
  // Each shape at 100 kB and at 1 MB: linear work grows ~10 times (a backtracking regex ~100 times
  // or far more). Bounds are loose: the machine is shared, and a catastrophic case takes minutes.
  const shapes: ((n: number) => string)[] = [
    (n) => `Thanks!\n\nOn Tue, 3 Mar 2026 at 10:02, Help Desk <support@desk.test> wrote:\n${Array.from({ length: n * 2 }, (_, i) => `> line ${i} of the old conversation, On Tue wrote schrieb a écrit`).join('\n')}`,
    (n) => `Thanks!\n\n${'On Tue wrote On '.repeat(n * 6.5)}`,
    (n) => `Thanks!\n\n${'From: a Sent: b To: '.repeat(n * 5)}`,
    (n) => `${'From: x\n'.repeat(n * 12)}`,
    (n) => `${'On 3 Mar 2026, Help <a@b> \n'.repeat(n * 4)}`,
    (n) => `<${'a@b '.repeat(n * 25)}>wrote:`,
  ];
  const timed = (text: string) => {
    const started = performance.now();
    extractReply(text);
    messageBody({ text }, '-');
    return performance.now() - started;
  };
  for (const [i, shape] of shapes.entries()) {
    const big = shape(10_000);
    t.ok(big.length >= 900_000, `shape ${i}: ${big.length} characters`);
    const small = timed(shape(1_000));
    const large = timed(big);
    t.ok(large < 10_000, `shape ${i}: 1 MB in ${large.toFixed(0)} ms`);
    t.ok(large < 40 * small + 500, `shape ${i}: grows linearly (${small.toFixed(0)} ms -> ${large.toFixed(0)} ms)`);
  }
  t.equal(extractReply(shapes[0]!(10_000)), 'Thanks!');
  const html = `<div>Thanks!</div><blockquote>${'<div>old &amp; older</div>'.repeat(40_000)}</blockquote>`;
  const started = performance.now();
  t.equal(messageBody({ html }, '-').text, 'Thanks!');
  t.ok(performance.now() - started < 10_000, 'a 1 MB HTML quote too');
});
