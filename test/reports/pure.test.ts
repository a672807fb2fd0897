// The reports' pure parts: local days across a DST change, median and nearest-rank percentile,
// CSV cells, and the form's reading of a range.
import t from 'tap';
import { csvCell, toCsv } from '../../src/reports/csv.js';
import { dayIn } from '../../src/reports/facts.js';
import { median, percentile, spread } from '../../src/reports/report.js';
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
