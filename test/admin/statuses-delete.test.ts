import t from 'tap';
import { checkSubmission, writeSubmission } from '../../src/submissions/submit.js';
import { readSubmitForm } from '../../src/submissions/schemas.js';
import type { Actor } from '../../src/users/actor.js';
import { makeTickets } from '../helpers/factories.js';
import { activeStatuses, adminDesk, auditActions, selectedValues, statusId } from './statuses-helpers.js';

t.test('the last status of a required category cannot be deleted', async (t) => {
  const { db, admin } = await adminDesk(t);
  for (const name of ['New', 'Solved', 'Closed']) {
    const id = await statusId(db, name);
    const page = await admin.get(`/admin/statuses/${id}/delete`);
    t.equal(page.statusCode, 200);
    t.match(page.body, 'a workflow always needs at least one New, Open, Solved and Closed status');
    t.notMatch(page.body, `action="/admin/statuses/${id}/delete"`, 'no confirm button');
    const refused = await admin.post(`/admin/statuses/${id}/delete`);
    t.equal(refused.statusCode, 409, name);
    t.match(refused.body, 'Add another status of this category first.');
  }
  // Open has a sibling (Pending), so it may go; then Pending is the last open status.
  const open = await statusId(db, 'Open');
  await admin.get(`/admin/statuses/${open}/delete`);
  t.equal((await admin.post(`/admin/statuses/${open}/delete`)).statusCode, 303);
  t.equal((await admin.post(`/admin/statuses/${await statusId(db, 'Pending')}/delete`)).statusCode, 409);
  t.same((await activeStatuses(db)).map((s) => s.name), ['New', 'Pending', 'Solved', 'Closed']);
});

t.test('deleting a status in use asks where its tickets go, then moves them with history', async (t) => {
  const { db, admin, user, customer } = await adminDesk(t);
  const pending = await statusId(db, 'Pending');
  const solved = await statusId(db, 'Solved');
  const moving = await makeTickets(db, 3, { requesterId: customer.id, statusId: pending });
  const staying = await makeTickets(db, 2, { requesterId: customer.id, statusId: await statusId(db, 'New') });
  await db.updateTable('ticket_types').set({ initial_status_id: pending }).where('id', '=', 1).execute();
  await db.insertInto('settings').values({ key: 'assignment_status_id', value: String(pending) }).execute();

  const page = await admin.get(`/admin/statuses/${pending}/delete`);
  t.equal(page.statusCode, 200);
  t.match(page.body, 'Tickets with this status: 3.');
  t.match(page.body, 'New tickets of these types start in it: General.');
  t.match(page.body, 'It is the assignment status.');
  t.same(selectedValues(page.body), { moveTo: String(await statusId(db, 'Open')) }, 'another open status is suggested');

  const missing = await admin.post(`/admin/statuses/${pending}/delete`, { moveTo: '' });
  t.equal(missing.statusCode, 422);
  t.match(missing.body, 'Choose the status its tickets move to.');
  const itself = await admin.post(`/admin/statuses/${pending}/delete`, { moveTo: String(pending) });
  t.equal(itself.statusCode, 422);
  t.equal((await activeStatuses(db)).length, 5, 'nothing changed yet');

  const done = await admin.post(`/admin/statuses/${pending}/delete`, { moveTo: String(solved) });
  t.equal(done.statusCode, 303);
  t.match((await admin.get('/admin/statuses')).body, 'Status deleted; its tickets have moved.');

  const tickets = await db.selectFrom('tickets').select(['id', 'status_id', 'solved_at']).orderBy('id').execute();
  t.same(tickets.filter((x) => moving.includes(x.id)).map((x) => x.status_id), [solved, solved, solved]);
  t.ok(tickets.filter((x) => moving.includes(x.id)).every((x) => x.solved_at !== null), 'moved into solved: stamped solved');
  t.same(tickets.filter((x) => staying.includes(x.id)).map((x) => x.status_id), [await statusId(db, 'New'), await statusId(db, 'New')]);
  const events = await db.selectFrom('ticket_events').selectAll().orderBy('ticket_id').execute();
  t.same(events.map((e) => [e.ticket_id, e.kind, e.from_value, e.to_value, e.actor_id]), moving.map((id) => [id, 'status', 'Pending', 'Solved', user.id]));

  const retired = await db.selectFrom('statuses').selectAll().where('id', '=', pending).executeTakeFirstOrThrow();
  t.not(retired.retired_at, null, 'the status is retired, kept for old history');
  t.notMatch(await admin.page('/admin/statuses'), '<td>Pending</td>');
  t.equal((await db.selectFrom('ticket_types').select('initial_status_id').where('id', '=', 1).executeTakeFirstOrThrow()).initial_status_id, solved);
  t.equal((await db.selectFrom('settings').select('value').where('key', '=', 'assignment_status_id').executeTakeFirstOrThrow()).value, String(solved));

  const audit = (await auditActions(db)).at(-1)!;
  t.equal(audit.action, 'status.deleted');
  t.match(JSON.parse(audit.details), { before: { name: 'Pending', category: 'open' }, moved_to: 'Solved', tickets_moved: 3, types: ['General'], settings: ['assignment_status_id'] });
});

t.test('an unused status is deleted after a plain confirmation', async (t) => {
  const { db, admin } = await adminDesk(t);
  const pending = await statusId(db, 'Pending');
  const page = await admin.get(`/admin/statuses/${pending}/delete`);
  t.equal(page.statusCode, 200);
  t.match(page.body, 'No ticket, ticket type or setting uses this status.');
  t.notMatch(page.body, 'name="moveTo"');
  t.equal((await admin.post(`/admin/statuses/${pending}/delete`)).statusCode, 303);
  t.same((await activeStatuses(db)).map((s) => s.name), ['New', 'Open', 'Solved', 'Closed']);
  t.equal((await db.selectFrom('ticket_events').select('id').execute()).length, 0);
});

t.test('a submission whose topic was read just before its starting status was deleted starts in the default New status', async (t) => {
  // The portal reads the topic (and so its starting status) before its transaction; the status is
  // read again inside, after the writer lock, where a deletion committed meanwhile is seen.
  const { db, admin, customer } = await adminDesk(t);
  const pending = await statusId(db, 'Pending');
  await db.updateTable('ticket_types').set({ initial_status_id: pending, customer_can_choose: 1 }).where('id', '=', 1).execute();
  const cora: Actor = { id: customer.id, email: customer.email, name: customer.name, role: 'customer', organizationId: null, isOrgManager: false, locale: 'en', timeZone: null };
  const form = await checkSubmission(db, cora, readSubmitForm({ typeId: '1', subject: 'Printer', message: 'It jams.' }));
  t.equal(form.topic.initial_status_id, pending, 'the form was read with Pending as the topic\'s starting status');

  await admin.get(`/admin/statuses/${pending}/delete`);
  t.equal((await admin.post(`/admin/statuses/${pending}/delete`, { moveTo: String(await statusId(db, 'Open')) })).statusCode, 303, 'Pending deleted');
  const id = await db.transaction().execute((trx) => writeSubmission(trx, cora, form, [], 20));
  const ticket = await db.selectFrom('tickets').innerJoin('statuses', 'statuses.id', 'tickets.status_id')
    .select(['statuses.name', 'statuses.retired_at']).where('tickets.id', '=', id).executeTakeFirstOrThrow();
  t.same(ticket, { name: 'New', retired_at: null }, 'the ticket is in New, not in the retired Pending');
});
