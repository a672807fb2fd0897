// `npm run mail:accuracy`: the exact-match accuracy of reply extraction on the reply corpus, and
// the cases it gets wrong (with `-v`, what it stored for each).
import { accuracy } from './reply-corpus.js';

const verbose = process.argv.includes('-v');
const result = await accuracy();
for (const { c, got } of result.failures) {
  console.log(`MISS ${c.file} ${c.name}`);
  if (verbose) console.log(`  expected: ${JSON.stringify(c.expected)}\n  stored:   ${JSON.stringify(got)}`);
}
const percent = (100 * result.exact) / result.total;
console.log(`reply extraction: ${result.exact}/${result.total} exact (${percent.toFixed(1)} %)`);
