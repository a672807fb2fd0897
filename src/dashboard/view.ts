import type { Translate } from '../i18n.js';
import { formatDayMonth } from '../lib/format.js';
import { COUNT_CAP } from '../tickets/list.js';
import { barChart, type BarChart } from './chart.js';
import type { Dashboard } from './dashboard.js';

const MINUTE = 60_000;

/** A duration as people say it: "45 min", "3 h 20 min", "2 d 4 h". */
export function formatDuration(ms: number | null, t: Translate): string {
  if (ms === null) return t('dashboard.none');
  const minutes = Math.round(ms / MINUTE);
  if (minutes < 60) return t('dashboard.duration.minutes', { m: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return t('dashboard.duration.hours', { h: hours, m: minutes % 60 });
  return t('dashboard.duration.days', { d: Math.floor(hours / 24), h: hours % 24 });
}

/** A local date (YYYY-MM-DD) as a short label in the reader's language: "14 Mar". */
export function dayLabel(date: string, locale = 'en'): string {
  return formatDayMonth(date, locale);
}

export interface DashboardView extends Dashboard {
  chart: BarChart;
  chartDesc: string;
  dayLabels: string[];
  firstResponse: string;
  resolution: string;
  /** The counts as shown: a capped count reads "999+". */
  countText: (n: number) => string;
}

/** What the template shows: the figures plus the chart's geometry and the texts it needs. */
export function dashboardView(figures: Dashboard, t: Translate): DashboardView {
  const dayLabels = figures.days.map((day) => dayLabel(day.date, t.locale));
  const sum = (key: 'created' | 'solved') => figures.days.reduce((n, day) => n + day[key], 0);
  return {
    ...figures,
    dayLabels,
    chart: barChart(dayLabels, [
      { key: 'created', label: t('dashboard.chart.created'), values: figures.days.map((d) => d.created) },
      { key: 'solved', label: t('dashboard.chart.solved'), values: figures.days.map((d) => d.solved) },
    ]),
    chartDesc: t('dashboard.chart.desc', {
      created: sum('created'), solved: sum('solved'), from: dayLabels[0]!, to: dayLabels.at(-1)!, zone: figures.timeZone,
    }),
    firstResponse: formatDuration(figures.medianFirstResponseMs, t),
    resolution: formatDuration(figures.medianResolutionMs, t),
    countText: (n) => (n > COUNT_CAP ? `${COUNT_CAP}+` : String(n)),
  };
}
