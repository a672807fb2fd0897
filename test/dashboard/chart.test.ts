import t from 'tap';
import { barChart, niceTop } from '../../src/dashboard/chart.js';

t.test('the y axis tops out at a round number and bars scale to it', async (t) => {
  t.same([0, 3, 5, 9, 37, 140, 999].map(niceTop), [4, 4, 8, 20, 40, 200, 2000]);
  const chart = barChart(['a', 'b', 'c'], [{ key: 'created', label: 'created', values: [0, 2, 4] }, { key: 'solved', label: 'solved', values: [1, 0, 0] }], 2);
  t.equal(chart.max, 4);
  t.same(chart.yTicks.map((tick) => tick.label), ['0', '1', '2', '3', '4']);
  t.same(chart.xLabels.map((l) => l.label), ['a', 'c'], 'labelled from the newest day back');
  const [created, solved] = chart.series;
  t.equal(created!.bars[2]!.height, chart.plot.bottom - chart.plot.top, 'the largest value fills the plot');
  t.equal(created!.bars[1]!.height * 2, created!.bars[2]!.height);
  t.equal(created!.bars[2]!.y + created!.bars[2]!.height, chart.plot.bottom, 'bars stand on the axis');
  t.ok(solved!.bars[0]!.x > created!.bars[0]!.x, 'the series sit side by side');
});
