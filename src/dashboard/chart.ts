/**
 * Series → the geometry of a server-drawn bar chart (the template draws the <svg>). Pure, so the
 * chart reads the same without JavaScript and is tested like any function.
 */
export interface Series { key: string; label: string; values: number[] }

export interface Bar { x: number; y: number; width: number; height: number; value: number; category: string }

export interface BarChart {
  width: number;
  height: number;
  plot: { left: number; top: number; right: number; bottom: number };
  yTicks: { y: number; label: string }[];
  xLabels: { x: number; label: string }[];
  series: { key: string; label: string; bars: Bar[] }[];
  max: number;
}

const WIDTH = 640;
const HEIGHT = 220;
const PLOT = { left: 40, top: 12, right: WIDTH - 8, bottom: HEIGHT - 28 };

/** A round top for the y axis (1, 2 or 5 times a power of ten per step), with four steps. */
export function niceTop(max: number): number {
  if (max <= 4) return 4;
  const rough = max / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough)!;
  return step * 4;
}

/** Grouped bars: one group per category (a day), one bar per series; every `labelEvery`th category is labelled. */
export function barChart(categories: string[], series: Series[], labelEvery = 7): BarChart {
  const max = niceTop(Math.max(0, ...series.flatMap((s) => s.values)));
  const plotWidth = PLOT.right - PLOT.left;
  const plotHeight = PLOT.bottom - PLOT.top;
  const slot = plotWidth / Math.max(1, categories.length);
  const barWidth = (slot * 0.8) / Math.max(1, series.length);
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    width: WIDTH,
    height: HEIGHT,
    plot: PLOT,
    max,
    yTicks: [0, 1, 2, 3, 4].map((i) => ({ y: round(PLOT.bottom - (plotHeight * i) / 4), label: String((max * i) / 4) })),
    // Label from the newest day backwards, so today always carries a label.
    xLabels: categories.map((label, i) => ({ x: round(PLOT.left + slot * (i + 0.5)), label, i }))
      .filter(({ i }) => (categories.length - 1 - i) % labelEvery === 0).map(({ x, label }) => ({ x, label })),
    series: series.map((s, si) => ({
      key: s.key,
      label: s.label,
      bars: s.values.map((value, i) => {
        const height = round((plotHeight * value) / max);
        return { x: round(PLOT.left + slot * i + slot * 0.1 + barWidth * si), y: round(PLOT.bottom - height),
          width: round(barWidth), height, value, category: categories[i]! };
      }),
    })),
  };
}
