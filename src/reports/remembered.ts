import type { FastifyInstance } from 'fastify';
import { ChangeCache } from '../db/change-cache.js';
import type { Db } from '../db/connect.js';
import type { Translate } from '../i18n.js';
import { helpActivity, type HelpActivity } from './help-activity.js';
import type { DayRange, Dimension, ReportScope } from './queries.js';
import { buildReport, type Report } from './report.js';
import { cellText, COLOURS, reportCharts, reportTables, type Cell, type Kind } from './view.js';

/**
 * A report, its charts as the page shows them and the help center's activity, remembered until the
 * database changes (db/change-cache.ts, as the agent list's pages: any write, by this process or
 * another, computes them again). A report depends on nothing else: its range is explicit by then
 * (today's date is part of the key), the time zone and the rollup's extent are settings. The charts'
 * HTML also depends on the reader's language and the texts (an admin's override), hence the
 * catalogue's version in its key. Shared between requests: callers must not modify what they get.
 */
const reports = new ChangeCache<Report>(50);
const charts = new ChangeCache<string>(50);
const help = new ChangeCache<HelpActivity>(50);

const keyOf = (scope: ReportScope, range: DayRange, by: Dimension) => `${scope.assigneeId ?? 'all'}|${range.from}|${range.to}|${by}`;

export function rememberedReport(db: Db, scope: ReportScope, range: DayRange, by: Dimension): Promise<Report> {
  const read = () => buildReport(db, scope, range, by);
  return db.isTransaction ? read() : reports.get(db, keyOf(scope, range, by), read);
}

/**
 * The report's five charts with their tables, rendered (the bulk of the page: ~1,000 escaped values
 * in SVG and tables, written once rather than for every request).
 */
export function rememberedCharts(app: FastifyInstance, scope: ReportScope, range: DayRange, by: Dimension, t: Translate): Promise<string> {
  return charts.get(app.db, `${keyOf(scope, range, by)}|${t.locale ?? ''}|${app.catalogue.version}`, async () => {
    const report = await rememberedReport(app.db, scope, range, by);
    const tables = reportTables(report, t);
    const query = new URLSearchParams({ from: report.range.from, to: report.range.to, by: report.by }).toString();
    return app.view('reports/_charts', {
      t, charts: reportCharts(report, tables, t), colours: COLOURS, query,
      cellText: (cell: Cell, kind: Kind) => cellText(cell, kind, t),
    }) as Promise<string>;
  });
}

export function rememberedHelp(db: Db, range: DayRange, timeZone: string, locale: string): Promise<HelpActivity> {
  return help.get(db, `${range.from}|${range.to}|${timeZone}|${locale}`, () => helpActivity(db, range, timeZone, locale));
}
