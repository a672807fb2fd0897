import t from 'tap';
import type { Test } from 'tap';
import type { Db } from '../../src/db/connect.js';
import { readForm } from '../../src/lib/form.js';
import { statusSchema } from '../../src/statuses/schemas.js';
import { createStatus } from '../../src/statuses/statuses.js';
import { applyPreset } from '../../src/statuses/workflow.js';
import type { Client } from '../helpers/client.js';
import { makeTickets } from '../helpers/factories.js';
import { activeStatuses, adminDesk, auditActions, selectedValues, statusId, ticketsInEveryStatus } from './statuses-helpers.js';

const setting = async (db: Db, key: string) => (await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst())?.value;

/** Open the mapping page, submit what it pre-selects (plus overrides), and check no ticket is left behind. */
async function applyThroughPage(t: Test, db: Db, admin: Client, key: string, started: Map<number, string>, overrides: Record<string, string> = {}) {
  const page = await admin.get(`/admin/statuses/presets/${key}`);
  t.equal(page.statusCode, 200);
  const form = { ...selectedValues(page.body), ...overrides };
  t.equal(Object.keys(selectedValues(page.body)).length, new Set(started.values()).size, 'a select for every status with tickets');
  const done = await admin.post(`/admin/statuses/presets/${key}`, form);
  t.equal(done.statusCode, 303);
  t.match((await admin.get('/admin/statuses')).body, 'Preset applied; every ticket has its new status.');

  const active = new Map((await activeStatuses(db)).map((s) => [s.id, s.name]));
  const tickets = await db.selectFrom('tickets').select(['id', 'status_id']).execute();
  t.equal(tickets.length, started.size, 'no ticket lost');
  t.ok(tickets.every((x) => active.has(x.status_id)), 'every ticket has a status of the new workflow');
  const events = await db.selectFrom('ticket_events').select(['ticket_id', 'kind', 'from_value', 'to_value']).orderBy('id').execute();
  const last = new Map(events.map((e) => [e.ticket_id, e]));
  for (const x of tickets) {
    const event = last.get(x.id);
    t.same(event && [event.kind, event.from_value, event.to_value], ['status', started.get(x.id), active.get(x.status_id)], `ticket ${x.id}'s history`);
  }
  const moveOf = (from: string) => active.get(tickets.find((x) => started.get(x.id) === from)!.status_id);
  return { page: page.body, moveOf };
}

t.test('Simple, applied to a desk with tickets in every category', async (t) => {
  const { db, admin, actor, customer } = await adminDesk(t);
  for (const [name, category] of [['Draft', 'draft'], ['Waiting', 'pending'], ['Vendor', 'on_hold'], ['Cancelled', 'cancelled']]) {
    await createStatus(db, actor, readForm(statusSchema, { name, customerLabel: name, category }));
  }
  await db.insertInto('settings').values({ key: 'assignment_status_id', value: String(await statusId(db, 'Pending')) }).execute();
  const started = await ticketsInEveryStatus(db, customer.id);
  const { moveOf } = await applyThroughPage(t, db, admin, 'simple', started);
  t.same((await activeStatuses(db)).map((s) => [s.name, s.customer_label, s.category, s.is_default_for_category]), [
    ['New', 'Received', 'new', 1], ['Open', 'Open', 'open', 1], ['Pending', 'In progress', 'open', 0],
    ['Solved', 'Solved', 'solved', 1], ['Closed', 'Closed', 'closed', 1],
  ]);
  t.same(['Draft', 'Waiting', 'Vendor', 'Cancelled', 'Pending', 'Solved'].map(moveOf), ['New', 'Open', 'Open', 'Closed', 'Pending', 'Solved'],
    'missing categories land in the nearest one; same names stay');
  t.equal(await setting(db, 'assignment_status_id'), undefined, 'Simple has no assignment status');
  const audit = (await auditActions(db)).at(-1)!;
  t.equal(audit.action, 'workflow.preset_applied');
  t.match(JSON.parse(audit.details), { preset: 'simple', tickets_moved: started.size, after: { statuses: ['New (new)', 'Open (open)', 'Pending (open)', 'Solved (solved)', 'Closed (closed)'] } });
});

t.test('Field service, with a mapping chosen by the admin; the settings point at Assigned', async (t) => {
  const { db, admin, customer } = await adminDesk(t);
  const closed = await statusId(db, 'Closed');
  const typeRow = await db.insertInto('ticket_types').values({ name: 'Account created', initial_status_id: closed, created_at: new Date().toISOString() })
    .returning('id').executeTakeFirstOrThrow();
  const started = await ticketsInEveryStatus(db, customer.id, 3);
  const page = await admin.get('/admin/statuses/presets/field_service');
  t.match(page.body, 'Assigned (Open) — ');
  const pending = await statusId(db, 'Pending');
  const { moveOf } = await applyThroughPage(t, db, admin, 'field_service', started, { [`map_${pending}`]: '3' });
  t.same((await activeStatuses(db)).map((s) => [s.name, s.category]), [
    ['Draft', 'draft'], ['Open', 'new'], ['Assigned', 'open'], ['In Progress', 'open'], ['Done', 'solved'], ['Closed', 'closed'], ['Cancelled', 'cancelled'],
  ]);
  t.same(['New', 'Open', 'Pending', 'Solved', 'Closed'].map(moveOf), ['Open', 'Assigned', 'In Progress', 'Done', 'Closed']);
  const assigned = String(await statusId(db, 'Assigned'));
  t.equal(await setting(db, 'assignment_status_id'), assigned);
  t.equal(await setting(db, 'offer_accepted_status_id'), assigned);
  t.equal((await db.selectFrom('ticket_types').select('initial_status_id').where('id', '=', typeRow.id).executeTakeFirstOrThrow()).initial_status_id,
    await statusId(db, 'Closed'), 'a type starting tickets as Closed starts them in the new Closed');
  const list = await admin.get('/admin/statuses');
  t.match(list.body, new RegExp(`<option value="${assigned}" selected>Assigned</option>`), 'the settings form shows Assigned');
});

t.test('Escalation, over a Field service desk; a ticket that arrives after the page was shown still moves', async (t) => {
  const { db, admin, actor, customer } = await adminDesk(t);
  await applyPreset(db, actor, 'field_service', new Map());
  await db.deleteFrom('ticket_events').execute();
  const started = await ticketsInEveryStatus(db, customer.id);
  const page = await admin.get('/admin/statuses/presets/escalation');
  const late = await makeTickets(db, 1, { requesterId: customer.id, statusId: await statusId(db, 'Done') });
  started.set(late[0]!, 'Done');
  const done = await admin.post('/admin/statuses/presets/escalation', selectedValues(page.body));
  t.equal(done.statusCode, 303);
  const active = await activeStatuses(db);
  t.same(active.map((s) => [s.name, s.category]), [
    ['Support Team (Notified)', 'new'], ['Waiting on Customer (Initial Information)', 'pending'], ['Support Team (Triaging)', 'open'],
    ['Product Team', 'on_hold'], ['Support Team (Investigating)', 'open'], ['Technical Team', 'on_hold'],
    ['Support Team (Information Request)', 'open'], ['Waiting on Customer (Additional Information)', 'pending'],
    ['Support Team (Liaising)', 'open'], ['Technical Team (Investigating)', 'on_hold'], ['Development Team', 'on_hold'],
    ['Deployment Team', 'on_hold'], ['Support Team (Fix Validation)', 'open'], ['Waiting on Customer (Fix Validation)', 'pending'],
    ['Resolved', 'solved'], ['Closed', 'closed'],
  ]);
  const names = new Map(active.map((s) => [s.id, s.name]));
  const tickets = await db.selectFrom('tickets').select(['id', 'status_id']).execute();
  t.equal(tickets.length, started.size);
  const moved = Object.fromEntries(tickets.map((x) => [started.get(x.id), names.get(x.status_id)]));
  t.same(moved, {
    Draft: 'Support Team (Notified)', Open: 'Support Team (Notified)', Assigned: 'Support Team (Triaging)', 'In Progress': 'Support Team (Triaging)',
    Done: 'Resolved', Closed: 'Closed', Cancelled: 'Closed',
  });
  const events = await db.selectFrom('ticket_events').select(['ticket_id', 'from_value', 'to_value']).execute();
  t.equal(events.length, tickets.length, 'one history event per ticket');
  t.ok(events.every((e) => e.from_value === started.get(e.ticket_id) && e.to_value === moved[e.from_value!]));
  t.equal(await setting(db, 'assignment_status_id'), undefined, 'Assigned is gone, so is the assignment status');
  t.equal(await setting(db, 'offer_accepted_status_id'), undefined);
  const retiredLeft = await db.selectFrom('tickets').innerJoin('statuses', 'statuses.id', 'tickets.status_id')
    .select('tickets.id').where('statuses.retired_at', 'is not', null).execute();
  t.equal(retiredLeft.length, 0, 'no ticket in a retired status');
});

t.test('a bad mapping changes nothing; unknown presets are 404', async (t) => {
  const { db, admin, customer } = await adminDesk(t);
  await ticketsInEveryStatus(db, customer.id, 1);
  const before = await activeStatuses(db);
  await admin.get('/admin/statuses/presets/escalation');
  const bad = await admin.post('/admin/statuses/presets/escalation', { [`map_${before[0]!.id}`]: '99' });
  t.equal(bad.statusCode, 422);
  t.match(bad.body, 'Choose one of the options.');
  t.same((await activeStatuses(db)).map((s) => s.id), before.map((s) => s.id));
  t.equal((await db.selectFrom('ticket_events').select('id').execute()).length, 0);
  t.equal((await admin.get('/admin/statuses/presets/kanban')).statusCode, 404);
  t.equal((await auditActions(db)).length, 0);
});
