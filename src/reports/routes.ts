import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NotFound } from '../lib/errors.js';
import { allow } from '../plugins/guards.js';
import { can } from '../policy/can.js';
import type { Actor } from '../users/actor.js';
import { toCsv } from './csv.js';
import { dayIn } from './facts.js';
import { DIMENSIONS, ticketsCreatedIn, type ReportScope } from './queries.js';
import { rememberedHelp, rememberedPage, rememberedReport } from './remembered.js';
import { readReportQuery } from './schemas.js';
import { cellValue, reportTables, TABLES, type TableName } from './view.js';
import { reportTimeZone } from './zone.js';

type Query = { Querystring: Record<string, string | string[] | undefined> };

/** Supervisors and admins see everyone's tickets; other staff their own (assigned to them). */
function scopeOf(actor: Actor): ReportScope {
  return can(actor, 'reports.all') ? { assigneeId: null } : { assigneeId: actor.id };
}

/** `/agent/reports`: a GET form (range and breakdown), the charts with their tables, CSV exports. */
export default async function reportRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', allow('reports.view'));

  const read = async (request: FastifyRequest<Query>) => {
    const today = dayIn(await reportTimeZone(db))(new Date().toISOString());
    return readReportQuery(request.query, today);
  };
  const csv = (reply: FastifyReply, name: string, body: string) => reply.type('text/csv; charset=utf-8')
    .header('Content-Disposition', `attachment; filename="${name}"`).send(body);

  app.get<Query>('/agent/reports', async (request, reply) => {
    const { value, fields, errors } = await read(request);
    const scope = scopeOf(request.actor!);
    const { report, charts } = await rememberedPage(app, scope, value.range, value.by, request.t);
    const query = new URLSearchParams({ from: report.range.from, to: report.range.to, by: report.by }).toString();
    const help = await rememberedHelp(db, report.range, report.timeZone, request.t.locale ?? 'en');
    return reply.page('reports/index', { report, help, charts, fields, errors, query, dimensions: DIMENSIONS },
      { status: Object.keys(errors).length > 0 ? 422 : 200 });
  });

  app.get<Query>('/agent/reports/table.csv', async (request, reply) => {
    const name = String(request.query.table || 'volume') as TableName;
    if (!TABLES.includes(name)) throw new NotFound();
    const { value, errors } = await read(request);
    if (Object.keys(errors).length > 0) return reply.code(422).type('text/plain; charset=utf-8').send(Object.values(errors).map((key) => request.t(key)).join('\n'));
    const report = await rememberedReport(db, scopeOf(request.actor!), value.range, value.by);
    const table = reportTables(report, request.t)[name];
    return csv(reply, `report-${name}-${value.range.from}-${value.range.to}.csv`,
      toCsv([table.columns.map((c) => c.label), ...table.rows.map((row) => row.map((cell, i) => cellValue(cell, table.columns[i]!.kind)))]));
  });

  app.get<Query>('/agent/reports/tickets.csv', async (request, reply) => {
    const { value, errors } = await read(request);
    if (Object.keys(errors).length > 0) return reply.code(422).type('text/plain; charset=utf-8').send(Object.values(errors).map((key) => request.t(key)).join('\n'));
    const rows = await ticketsCreatedIn(db, scopeOf(request.actor!), value.range);
    const t = request.t;
    const minutes = (s: number | null) => (s === null ? null : Math.round((s / 60) * 10) / 10);
    const header = ['ticket', 'subject', 'created_at', 'first_response_at', 'solved_at', 'channel', 'group', 'assignee', 'type', 'brand',
      'first_reply_minutes', 'resolution_minutes', 'sla_first_reply', 'sla_next_reply', 'sla_resolution', 'rating'].map((key) => t(`reports.csv.${key}`));
    return csv(reply, `tickets-${value.range.from}-${value.range.to}.csv`, toCsv([header, ...rows.map((r) => [
      r.ticket_id, r.subject, r.created_at, r.first_response_at, r.solved_at, r.channel, r.group_name, r.assignee_name, r.type_name, r.brand_name,
      minutes(r.first_reply_seconds), minutes(r.resolution_seconds), r.sla_first_reply, r.sla_next_reply, r.sla_resolution, r.rating,
    ])]));
  });
}
