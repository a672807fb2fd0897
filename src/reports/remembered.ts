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
// A few supervisors look at a few ranges between writes; what is kept costs the garbage collector
// work on every request that computes anew (~60 KB of page each), hence few entries.
const reports = new ChangeCache<Report>(20);
const pages = new ChangeCache<{ report: Report; charts: string }>(20);
const help = new ChangeCache<HelpActivity>(20);

const keyOf = (scope: ReportScope, range: DayRange, by: Dimension) => `${scope.assigneeId ?? 'all'}|${range.from}|${range.to}|${by}`;

/** The report alone (the CSV exports of its tables). */
export function rememberedReport(db: Db, scope: ReportScope, range: DayRange, by: Dimension): Promise<Report> {
  const read = () => buildReport(db, scope, range, by);
  return db.isTransaction ? read() : reports.get(db, keyOf(scope, range, by), read);
}

/**
 * The report and its five charts with their tables, rendered (the bulk of the page: ~1,000 escaped
 * values in SVG and tables, written once rather than for every request). Computed together, under
 * one reading of the change marker.
 */
export function rememberedPage(app: FastifyInstance, scope: ReportScope, range: DayRange, by: Dimension, t: Translate) {
  return pages.get(app.db, `${keyOf(scope, range, by)}|${t.locale ?? ''}|${app.catalogue.version}`, async () => {
    const report = await buildReport(app.db, scope, range, by);
    const tables = reportTables(report, t);
    const query = new URLSearchParams({ from: report.range.from, to: report.range.to, by: report.by }).toString();
    const charts = await app.view('reports/_charts', {
      t, charts: reportCharts(report, tables, t), colours: COLOURS, query,
      cellText: (cell: Cell, kind: Kind) => cellText(cell, kind, t),
    }) as string;
    return { report, charts };
  });
}

export function rememberedHelp(db: Db, range: DayRange, timeZone: string, locale: string): Promise<HelpActivity> {
  return help.get(db, `${range.from}|${range.to}|${timeZone}|${locale}`, () => helpActivity(db, range, timeZone, locale));
}
