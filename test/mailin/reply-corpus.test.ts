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
  const quote = Array.from({ length: 20_000 }, (_, i) => `> line ${i} of the old conversation, On Tue wrote schrieb a écrit`).join('\n');
  const shapes = [
    `Thanks!\n\nOn Tue, 3 Mar 2026 at 10:02, Help Desk <support@desk.test> wrote:\n${quote}`,
    `Thanks!\n\n${'On Tue wrote On '.repeat(65_000)}`,
    `Thanks!\n\n${'From: a Sent: b To: '.repeat(50_000)}`,
    `${'From: x\n'.repeat(120_000)}`,
    `${'On 3 Mar 2026, Help <a@b> \n'.repeat(40_000)}`,
    `<${'a@b '.repeat(250_000)}>wrote:`,
  ];
  for (const text of shapes) {
    t.ok(text.length >= 900_000, `${text.length} characters`);
    const started = performance.now();
    extractReply(text);
    messageBody({ text }, '-');
    const ms = performance.now() - started;
    t.ok(ms < 2_000, `done in ${ms.toFixed(0)} ms`);
  }
  t.equal(extractReply(shapes[0]!), 'Thanks!');
  const html = `<div>Thanks!</div><blockquote>${'<div>old &amp; older</div>'.repeat(40_000)}</blockquote>`;
  const started = performance.now();
  t.equal(messageBody({ html }, '-').text, 'Thanks!');
  t.ok(performance.now() - started < 3_000, 'a 1 MB HTML quote too');
});
