import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Invalid, NotFound } from '../lib/errors.js';
import { parseForm } from '../lib/form.js';
import { positiveInt } from '../lib/validate.js';
import { allow } from '../plugins/guards.js';
import { createCalendar, createPolicy, updateCalendar, updatePolicy } from './admin.js';
import { calendarOf, listPolicies, readConditions } from './policies.js';
import { calendarById, listCalendars, nextPolicyPosition, policyById, policyChoices } from './queries.js';
import { calendarSchema, formatDayHours, formatHolidays, policySchema } from './schemas.js';
import type { SlaCalendarRow, SlaPolicyRow } from './schema.js';

type Form = Record<string, string | string[] | undefined>;

const notFound = (): never => { throw new NotFound(); };
type Id = { Params: { id: string }; Body: Form };

function calendarForm(row: SlaCalendarRow): Form {
  const calendar = calendarOf(row);
  return {
    name: row.name, timeZone: row.time_zone, holidays: formatHolidays(calendar.holidays), isDefault: row.is_default === 1 ? '1' : '',
    ...Object.fromEntries(calendar.week.map((ranges, day) => [`day${day}`, formatDayHours(ranges)])),
  };
}

const NEW_CALENDAR: Form = { name: '', timeZone: 'UTC', day0: '', day1: '09:00-17:00', day2: '09:00-17:00', day3: '09:00-17:00', day4: '09:00-17:00', day5: '09:00-17:00', day6: '', holidays: '' };

function policyForm(row: SlaPolicyRow): Form {
  const c = readConditions(row.conditions);
  const strings = (values: readonly (string | number)[] | undefined) => (values ?? []).map(String);
  const flagOf = (value: number) => (value === 1 ? '1' : '');
  return {
    name: row.name, position: String(row.position), active: flagOf(row.active),
    priorities: strings(c.priorities), typeIds: strings(c.typeIds), groupIds: strings(c.groupIds), organizationIds: strings(c.organizationIds),
    brandIds: strings(c.brandIds), channels: strings(c.channels), tags: (c.tags ?? []).join(', '),
    firstReplyMinutes: row.first_reply_minutes?.toString() ?? '', firstReplyBusiness: flagOf(row.first_reply_business),
    nextReplyMinutes: row.next_reply_minutes?.toString() ?? '', nextReplyBusiness: flagOf(row.next_reply_business),
    resolutionMinutes: row.resolution_minutes?.toString() ?? '', resolutionBusiness: flagOf(row.resolution_business),
    calendarId: row.calendar_id?.toString() ?? '', pauseOnHold: flagOf(row.pause_on_hold), warnMinutes: String(row.warn_minutes),
  };
}

/** `/admin/sla`: SLA policies in order and the desk's business hours, each with its form. */
export default async function slaAdminRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', allow('sla.manage'));
  const idOf = (request: FastifyRequest<Id>) => positiveInt(request.params.id) ?? -1;

  app.get('/admin/sla', async (_request, reply) => {
    const [policies, calendars] = await Promise.all([listPolicies(db), listCalendars(db)]);
    return reply.page('admin/sla', { policies, calendars: calendars.map((c) => ({ ...c, form: calendarForm(c) })) });
  });

  // Business hours
  const calendarPage = (reply: FastifyReply, calendar: SlaCalendarRow | null, values: Form, errors: Record<string, string>, status = 200) =>
    reply.page('admin/sla-calendar', { calendar, values, errors }, { status });

  app.get('/admin/sla/calendars/new', async (_request, reply) => calendarPage(reply, null, NEW_CALENDAR, {}));
  app.post<{ Body: Form }>('/admin/sla/calendars', async (request, reply) => {
    try {
      await createCalendar(db, request.actor!, parseForm(calendarSchema, request.body));
      return reply.seeOther('/admin/sla', 'sla.admin.calendarSaved');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return calendarPage(reply, null, request.body ?? {}, error.fields, 422);
    }
  });
  const findCalendar = async (id: number) => (await calendarById(db, id)) ?? notFound();
  app.get<Id>('/admin/sla/calendars/:id', async (request, reply) => {
    const row = await findCalendar(idOf(request));
    return calendarPage(reply, row, calendarForm(row), {});
  });
  app.post<Id>('/admin/sla/calendars/:id', async (request, reply) => {
    const row = await findCalendar(idOf(request));
    try {
      await updateCalendar(db, request.actor!, row.id, parseForm(calendarSchema, request.body));
      return reply.seeOther('/admin/sla', 'sla.admin.calendarSaved');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return calendarPage(reply, row, request.body ?? {}, error.fields, 422);
    }
  });

  // Policies
  const policyPage = async (reply: FastifyReply, policy: SlaPolicyRow | null, values: Form, errors: Record<string, string>, status = 200) =>
    reply.page('admin/sla-policy', { policy, values, errors, choices: await policyChoices(db) }, { status });
  const findPolicy = async (id: number) => (await policyById(db, id)) ?? notFound();

  app.get('/admin/sla/policies/new', async (_request, reply) => {
    return policyPage(reply, null, {
      position: String(await nextPolicyPosition(db)), active: '1', firstReplyBusiness: '1', nextReplyBusiness: '1', resolutionBusiness: '1', warnMinutes: '60',
    }, {});
  });
  app.post<{ Body: Form }>('/admin/sla/policies', async (request, reply) => {
    try {
      await createPolicy(db, request.actor!, parseForm(policySchema, request.body));
      return reply.seeOther('/admin/sla', 'sla.admin.policySaved');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return policyPage(reply, null, request.body ?? {}, error.fields, 422);
    }
  });
  app.get<Id>('/admin/sla/policies/:id', async (request, reply) => {
    const row = await findPolicy(idOf(request));
    return policyPage(reply, row, policyForm(row), {});
  });
  app.post<Id>('/admin/sla/policies/:id', async (request, reply) => {
    const row = await findPolicy(idOf(request));
    try {
      await updatePolicy(db, request.actor!, row.id, parseForm(policySchema, request.body));
      return reply.seeOther('/admin/sla', 'sla.admin.policySaved');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return policyPage(reply, row, request.body ?? {}, error.fields, 422);
    }
  });
}
