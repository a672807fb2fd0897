// The reports' pure parts: local days across a DST change, median and nearest-rank percentile (and
// their estimate from a histogram), the rollup's cells for a range, CSV cells, and the form's
// reading of a range.
import t from 'tap';
import { csvCell, toCsv } from '../../src/reports/csv.js';
import { dayIn } from '../../src/reports/facts.js';
import { addStored, addValue, decodeHistogram, emptyDense, encodeHistogram, type Histogram } from '../../src/reports/histogram.js';
import { histogramSpread, median, percentile, spread } from '../../src/reports/report.js';
import { cover } from '../../src/reports/rollup.js';
import { readReportQuery } from '../../src/reports/schemas.js';

t.test('a local day in a zone, across the spring and autumn changes', async (t) => {
  const berlin = dayIn('Europe/Berlin');
  t.equal(berlin('2026-03-28T22:59:59.000Z'), '2026-03-28', '23:59:59 CET');
  t.equal(berlin('2026-03-28T23:00:00.000Z'), '2026-03-29', 'midnight CET');
  t.equal(berlin('2026-03-29T21:59:00.000Z'), '2026-03-29', '23:59 CEST, after the change');
  t.equal(berlin('2026-03-29T22:00:00.000Z'), '2026-03-30', 'midnight CEST');
  t.equal(berlin('2026-10-24T21:59:00.000Z'), '2026-10-24');
  t.equal(berlin('2026-10-25T22:59:00.000Z'), '2026-10-25', '23:59 CET, after the autumn change');
  t.equal(berlin('2026-10-25T23:00:00.000Z'), '2026-10-26');
  const kolkata = dayIn('Asia/Kolkata');
  t.equal(kolkata('2026-03-10T18:29:00.000Z'), '2026-03-10', 'a half-hour offset: 23:59');
  t.equal(kolkata('2026-03-10T18:30:00.000Z'), '2026-03-11', '00:00');
  t.equal(dayIn('UTC')('2026-03-10T23:59:59.999Z'), '2026-03-10');
});

t.test('median and the 90th percentile', async (t) => {
  t.equal(median([]), null);
  t.equal(median([5]), 5);
  t.equal(median([1, 3]), 2, 'the mean of the two middle values');
  t.equal(percentile([], 90), null);
  t.equal(percentile([7], 90), 7);
  t.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90), 9, 'the 9th of 10');
  t.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 90), 10, 'rank ceil(9.9) = 10');
  t.same(spread([30, 10, 20]), { n: 3, median: 20, p90: 30 }, 'sorted first');
});

t.test('CSV cells: quotes, separators and formulas', async (t) => {
  t.equal(csvCell(null), '');
  t.equal(csvCell(12.5), '12.5');
  t.equal(csvCell('plain'), 'plain');
  t.equal(csvCell('a, b'), '"a, b"');
  t.equal(csvCell('say "hi"'), '"say ""hi"""');
  t.equal(csvCell('two\nlines'), '"two\nlines"');
  t.equal(csvCell('=HYPERLINK("x")'), '"\'=HYPERLINK(""x"")"');
  t.equal(csvCell('-1'), "'-1", 'text that looks like a formula; numbers stay numbers');
  t.equal(toCsv([['a', 1], ['b', null]]), 'a,1\r\nb,\r\n');
});

t.test('the form: defaults, the range as typed, and its mistakes', async (t) => {
  const today = '2026-03-20';
  t.same(readReportQuery({}, today).value, { range: { from: '2026-02-19', to: '2026-03-20' }, by: 'none' }, 'the last 30 days');
  t.same(readReportQuery({ from: '', to: '2026-03-10', by: 'tag' }, today).value, { range: { from: '2026-02-09', to: '2026-03-10' }, by: 'tag' });
  t.same(readReportQuery({ from: '2025-03-20', to: '2026-03-20' }, today).errors, {}, '366 days');
  t.same(readReportQuery({ from: '2025-03-19', to: '2026-03-20' }, today).errors, { to: 'reports.errors.tooLong' }, '367 days');
  t.same(readReportQuery({ from: '2026-03-02', to: '2026-03-01' }, today).errors, { to: 'reports.errors.order' });
  const wrong = readReportQuery({ from: '2026-02-29', to: 'soon', by: 'moon' }, today);
  t.same(wrong.errors, { from: 'reports.errors.date', to: 'reports.errors.date', by: 'errors.choice' }, '2026 is no leap year');
  t.same(wrong.fields, { from: '2026-02-29', to: 'soon', by: 'none' }, 'as typed');
  t.same(wrong.value.range, { from: '2026-02-19', to: '2026-03-20' }, 'the default range meanwhile');
});

const dense = (values: number[]) => {
  const h: Histogram = new Map();
  for (const v of values) addValue(h, v, 1);
  const d = emptyDense();
  addStored(d, encodeHistogram(h));
  return d;
};

t.test('a histogram gives back values alone in their bucket, and equal values, exactly', async (t) => {
  t.same(histogramSpread(dense([1800, 3600, 7200, 10_800])), spread([1800, 3600, 7200, 10_800]), '30 min, 1 h, 2 h, 3 h');
  t.same(histogramSpread(dense([3600, 3600, 3600, 36_000])), { n: 4, median: 3600, p90: 36_000 }, 'three of 1 h share a bucket');
  t.same(histogramSpread(dense([0, 5, 22])), { n: 3, median: 5, p90: 22 }, 'single seconds');
  t.same(histogramSpread(emptyDense()), { n: 0, median: null, p90: null });
});

t.test('a histogram\'s median and 90th percentile stay within 4.43 % + 1 s of the exact ones', async (t) => {
  let seed = 7;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  for (const [n, scale] of [[10, 3600], [101, 600], [1000, 86_400], [5000, 30 * 86_400]] as const) {
    const values = Array.from({ length: n }, () => Math.round(scale * Math.exp(3 * random() - 1.5)));
    const exact = spread(values);
    const estimate = histogramSpread(dense(values));
    t.equal(estimate.n, n);
    for (const key of ['median', 'p90'] as const) {
      t.ok(Math.abs(estimate[key]! - exact[key]!) <= 0.0443 * exact[key]! + 1, `${n} values: ${key} ${estimate[key]} for ${exact[key]}`);
    }
  }
});

t.test('a histogram stored, changed and emptied', async (t) => {
  const h: Histogram = new Map();
  for (const v of [10, 4000, 4010, 90_000]) addValue(h, v, 1);
  const stored = encodeHistogram(h)!;
  t.match(stored, /^[A-Za-z0-9+/]+=*$/, 'base64 text');
  const back = decodeHistogram(stored);
  t.same(back, h, 'read back as it was');
  addValue(back, 4010, -1);
  t.same(histogramSpread(dense([10, 4000, 90_000])), (() => { const d = emptyDense(); addStored(d, encodeHistogram(back)); return histogramSpread(d); })(), 'one taken away');
  for (const v of [10, 4000, 90_000]) addValue(back, v, -1);
  t.equal(encodeHistogram(back), null, 'nothing left');
});

t.test('the rollup\'s cells for a range: blocks of 64 and 8 days where they fit, single days at the ends', async (t) => {
  t.same(cover('2026-03-10', '2026-03-10'), [{ day: '2026-03-10', span: 1 }]);
  const cells = cover('2026-01-01', '2026-03-31');
  t.same(cells.reduce((n, c) => n + c.span, 0), 90, 'every day once');
  t.ok(cells.length <= 20, `${cells.length} cells for 90 days`);
  t.ok(cells.some((c) => c.span === 64));
  const quarter = cover('2025-10-01', '2026-09-30');
  t.same(quarter.reduce((n, c) => n + c.span, 0), 365);
  t.ok(quarter.length <= 30, `${quarter.length} cells for a year`);
});
