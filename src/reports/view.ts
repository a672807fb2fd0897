import { barChart, type BarChart } from '../dashboard/chart.js';
import { dayLabel, formatDuration } from '../dashboard/view.js';
import type { Translate } from '../i18n.js';
import { SLA_TARGETS, type Figures, type Report } from './report.js';

/**
 * What the reports page shows: each figure as a chart (the geometry for the template's <svg>) with
 * the table of its numbers beside it. The same tables are the CSV exports, their values raw there
 * (durations in minutes, shares in percent) and formatted on the page.
 */

export type Kind = 'text' | 'count' | 'duration' | 'percent';
export type Cell = string | number | null;
export interface Table { columns: { label: string; kind: Kind }[]; rows: Cell[][] }
export interface ChartView { id: string; title: string; desc: string; chart: BarChart; table: Table }

export const TABLES = ['volume', 'backlog', 'times', 'sla', 'ratings'] as const;
export type TableName = (typeof TABLES)[number];

const HOUR = 3600;
const hours = (seconds: number | null) => (seconds === null ? 0 : Math.round((seconds / HOUR) * 10) / 10);

/** The breakdown's rows with their names: the whole first, then one per value. */
function named(report: Report, t: Translate): { name: string; figures: Figures }[] {
  const nameOf = (key: string, name: string | null) => {
    if (key === '') return t('reports.none');
    if (report.by === 'channel') return t(`channel.${key}`);
    return name ?? `#${key}`;
  };
  return [{ name: t('reports.total'), figures: report.total }, ...report.rows.map((row) => ({ name: nameOf(row.key, row.name), figures: row }))];
}

export function reportTables(report: Report, t: Translate): Record<TableName, Table> {
  const col = (key: string, kind: Kind) => ({ label: t(key), kind });
  const by = col(`reports.by.${report.by === 'none' ? 'total' : report.by}`, 'text');
  const rows = named(report, t);
  return {
    volume: { columns: [col('reports.col.day', 'text'), col('reports.col.created', 'count'), col('reports.col.solved', 'count')],
      rows: report.days.map((d) => [d.date, d.created, d.solved]) },
    backlog: { columns: [col('reports.col.day', 'text'), col('reports.col.backlog', 'count')], rows: report.days.map((d) => [d.date, d.backlog]) },
    times: {
      columns: [by, col('reports.col.created', 'count'), col('reports.col.solved', 'count'), col('reports.col.answered', 'count'),
        col('reports.col.firstReplyMedian', 'duration'), col('reports.col.firstReplyP90', 'duration'),
        col('reports.col.resolutionMedian', 'duration'), col('reports.col.resolutionP90', 'duration')],
      rows: rows.map(({ name, figures: f }) => [name, f.created, f.solved, f.firstReply.n, f.firstReply.median, f.firstReply.p90, f.resolution.median, f.resolution.p90]),
    },
    sla: {
      columns: [by, ...SLA_TARGETS.flatMap((target) => [
        { label: `${t(`reports.target.${target}`)}: ${t('reports.col.met')}`, kind: 'count' as const },
        { label: `${t(`reports.target.${target}`)}: ${t('reports.col.missed')}`, kind: 'count' as const },
        { label: `${t(`reports.target.${target}`)}: ${t('reports.col.attainment')}`, kind: 'percent' as const },
      ])],
      rows: rows.map(({ name, figures: f }) => [name, ...SLA_TARGETS.flatMap((target) => [f.sla[target].met, f.sla[target].missed, f.sla[target].percent])]),
    },
    ratings: {
      columns: [by, col('reports.col.good', 'count'), col('reports.col.bad', 'count'), col('reports.col.goodShare', 'percent')],
      rows: rows.map(({ name, figures: f }) => [name, f.ratings.good, f.ratings.bad, f.ratings.percent]),
    },
  };
}

/** A cell as the page shows it. */
export function cellText(cell: Cell, kind: Kind, t: Translate): string {
  if (cell === null) return kind === 'duration' ? t('dashboard.none') : '–';
  if (kind === 'duration') return formatDuration(Number(cell) * 1000, t);
  if (kind === 'percent') return `${cell} %`;
  return String(cell);
}

/** A cell as the CSV holds it: durations in minutes, the rest as it is, nothing for none. */
export function cellValue(cell: Cell, kind: Kind): string | number {
  if (cell === null) return '';
  if (kind === 'duration') return Math.round((Number(cell) / 60) * 10) / 10;
  return cell;
}

export function reportCharts(report: Report, tables: Record<TableName, Table>, t: Translate): ChartView[] {
  const labels = report.days.map((d) => dayLabel(d.date, t.locale));
  const every = Math.max(1, Math.ceil(labels.length / 10));
  const span = { from: labels[0]!, to: labels.at(-1)!, zone: report.timeZone };
  const rows = named(report, t);
  const sum = (key: 'created' | 'solved') => report.days.reduce((n, d) => n + d[key], 0);
  return [
    { id: 'volume', title: t('reports.chart.volume'), table: tables.volume,
      desc: t('reports.chart.volume.desc', { ...span, created: sum('created'), solved: sum('solved') }),
      chart: barChart(labels, [
        { key: 'created', label: t('reports.col.created'), values: report.days.map((d) => d.created) },
        { key: 'solved', label: t('reports.col.solved'), values: report.days.map((d) => d.solved) },
      ], every) },
    { id: 'backlog', title: t('reports.chart.backlog'), table: tables.backlog,
      desc: t('reports.chart.backlog.desc', { ...span, start: report.days[0]?.backlog ?? 0, end: report.days.at(-1)?.backlog ?? 0 }),
      chart: barChart(labels, [{ key: 'backlog', label: t('reports.col.backlog'), values: report.days.map((d) => d.backlog) }], every) },
    { id: 'times', title: t('reports.chart.times'), table: tables.times,
      desc: t('reports.chart.times.desc', { median: formatDuration(report.total.firstReply.median === null ? null : report.total.firstReply.median * 1000, t),
        resolution: formatDuration(report.total.resolution.median === null ? null : report.total.resolution.median * 1000, t) }),
      chart: barChart(rows.map((r) => r.name), [
        { key: 'frMedian', label: t('reports.col.firstReplyMedian'), values: rows.map((r) => hours(r.figures.firstReply.median)) },
        { key: 'frP90', label: t('reports.col.firstReplyP90'), values: rows.map((r) => hours(r.figures.firstReply.p90)) },
        { key: 'resMedian', label: t('reports.col.resolutionMedian'), values: rows.map((r) => hours(r.figures.resolution.median)) },
        { key: 'resP90', label: t('reports.col.resolutionP90'), values: rows.map((r) => hours(r.figures.resolution.p90)) },
      ], 1) },
    { id: 'sla', title: t('reports.chart.sla'), table: tables.sla,
      desc: t('reports.chart.sla.desc', Object.fromEntries(SLA_TARGETS.map((target) => [target, report.total.sla[target].percent ?? '–']))),
      chart: barChart(SLA_TARGETS.map((target) => t(`reports.target.${target}`)), [
        { key: 'met', label: t('reports.col.met'), values: SLA_TARGETS.map((target) => report.total.sla[target].met) },
        { key: 'missed', label: t('reports.col.missed'), values: SLA_TARGETS.map((target) => report.total.sla[target].missed) },
      ], 1) },
    { id: 'ratings', title: t('reports.chart.ratings'), table: tables.ratings,
      desc: t('reports.chart.ratings.desc', { good: report.total.ratings.good, bad: report.total.ratings.bad, percent: report.total.ratings.percent ?? '–' }),
      chart: barChart(rows.map((r) => r.name), [
        { key: 'good', label: t('reports.col.good'), values: rows.map((r) => r.figures.ratings.good) },
        { key: 'bad', label: t('reports.col.bad'), values: rows.map((r) => r.figures.ratings.bad) },
      ], 1) },
  ];
}

/** Series colours, by key (the legend and the bars use the same). */
export const COLOURS: Record<string, string> = {
  created: '#3b82c4', solved: '#2f9e6e', backlog: '#b7791f', frMedian: '#3b82c4', frP90: '#1e4e79', resMedian: '#2f9e6e', resP90: '#1d6144',
  met: '#2f9e6e', missed: '#c53030', good: '#2f9e6e', bad: '#c53030',
};
