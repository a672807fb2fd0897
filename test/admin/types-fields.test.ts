import t, { type Test } from 'tap';
import { nowIso } from '../../src/lib/time.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeTickets, makeUser, PASSWORD } from '../helpers/factories.js';
import { panelValue } from '../helpers/panel.js';

/** Seed 000's Domain approval: a type that already has a ticket with a Domain value. */
async function setup(t: Test) {
  const desk = await buildTestDesk(t);
  const { db } = desk;
  const now = nowIso();
  const type = await db.insertInto('ticket_types').values({ name: 'Domain approval', created_at: now }).returning('id').executeTakeFirstOrThrow();
  const field = (key: string, label: string) => db.insertInto('fields').values({ key, label, kind: 'text', created_at: now }).returning('id').executeTakeFirstOrThrow();
  const domain = await field('domain', 'Domain');
  const partner = await field('partner', 'Partner name');
  const notes = await field('reviewer_notes', 'Reviewer notes');
  await db.insertInto('ticket_type_fields').values({ type_id: type.id, field_id: domain.id, position: 0 }).execute();
  const customer = await makeUser(db, 'customer');
  const agent = await makeUser(db, 'agent');
  const [ticketId] = await makeTickets(db, 1, { requesterId: customer.id, typeId: type.id, subject: 'Approve acme.test' });
  await db.insertInto('ticket_field_values').values({ ticket_id: ticketId!, field_id: domain.id, value: 'acme.test' }).execute();
  const admin = new Client(desk.app);
  await admin.login((await makeUser(db, 'admin')).email, PASSWORD);
  await admin.get(`/admin/types/${type.id}`);
  const agentClient = new Client(desk.app);
  await agentClient.login(agent.email, PASSWORD);
  return { ...desk, admin, agentClient, typeId: type.id, ticketId: ticketId!, ids: { domain: domain.id, partner: partner.id, notes: notes.id } };
}

/** The custom fields of the Updating Ticket form, in the order the agent sees them. */
const editFormFields = (html: string) => [...html.matchAll(/name="field_([a-z_]+)"/g)].map((m) => m[1]);

t.test('the admin adds fields and orders them; the agent\'s edit form follows that order', async (t) => {
  const { admin, agentClient, db, typeId, ticketId, ids } = await setup(t);
  const page = await admin.get(`/admin/types/${typeId}`);
  t.equal(page.statusCode, 200);
  t.match(page.body, /<option value="\d+">Partner name \(partner\)<\/option>/, 'active fields not on the type can be added');
  t.notMatch(page.body, 'Domain (domain)</option>', 'a field already on the type is not offered again');

  t.equal((await admin.post(`/admin/types/${typeId}/fields`, { fieldId: String(ids.partner) })).statusCode, 303);
  await admin.post(`/admin/types/${typeId}/fields`, { fieldId: String(ids.notes) });
  t.same(editFormFields((await agentClient.get(`/agent/tickets/${ticketId}/edit`)).body), ['domain', 'partner', 'reviewer_notes']);

  const move = await admin.post(`/admin/types/${typeId}/fields/${ids.notes}/position`, { direction: 'up' });
  t.equal(move.statusCode, 303);
  await admin.post(`/admin/types/${typeId}/fields/${ids.notes}/position`, { direction: 'up' });
  t.same(editFormFields((await agentClient.get(`/agent/tickets/${ticketId}/edit`)).body), ['reviewer_notes', 'domain', 'partner']);
  await admin.post(`/admin/types/${typeId}/fields/${ids.domain}/position`, { direction: 'down' });
  t.same(editFormFields((await agentClient.get(`/agent/tickets/${ticketId}/edit`)).body), ['reviewer_notes', 'partner', 'domain']);

  const shown = await admin.get(`/admin/types/${typeId}`);
  t.equal(shown.statusCode, 200);
  t.match(shown.body, /Reviewer notes<\/a>[\s\S]*Partner name<\/a>[\s\S]*Domain<\/a>/, 'the admin page lists them in order');
  t.notMatch(shown.body, 'aria-label="Move Reviewer notes up"', 'the first cannot move up');
  t.notMatch(shown.body, 'aria-label="Move Domain down"', 'the last cannot move down');
  t.match((await admin.get('/admin/types')).body, /Domain approval<\/a><\/td>[\s\S]*?<td>3<\/td>/, 'the list counts the fields');

  const moves = await db.selectFrom('audit_log').select('details').where('action', '=', 'type.field_moved').orderBy('id').execute();
  t.equal(moves.length, 3);
  t.same(JSON.parse(moves[2]!.details), { name: 'Domain approval', field: 'domain',
    before: { fields: ['reviewer_notes', 'domain', 'partner'] }, after: { fields: ['reviewer_notes', 'partner', 'domain'] } });
  t.equal((await db.selectFrom('audit_log').select('id').where('action', '=', 'type.field_added').execute()).length, 2);
});

t.test('fields change on a type that already has tickets: old values are kept and shown', async (t) => {
  const { admin, agentClient, db, typeId, ticketId, ids } = await setup(t);
  await admin.post(`/admin/types/${typeId}/fields`, { fieldId: String(ids.partner) });
  const res = await admin.post(`/admin/types/${typeId}/fields/${ids.domain}/removal`);
  t.equal(res.statusCode, 303);
  t.match((await admin.get(`/admin/types/${typeId}`)).body, 'Tickets keep the values they have.');

  const edit = await agentClient.get(`/agent/tickets/${ticketId}/edit`);
  t.same(editFormFields(edit.body), ['partner'], 'the form asks for the type\'s fields as they are now');
  t.match((await agentClient.get(`/agent/tickets/${ticketId}`)).body, /<dt>Domain<\/dt><dd>acme\.test<\/dd>/, 'General still shows the old value');

  const saved = await agentClient.post(`/agent/tickets/${ticketId}/edit`, {
    subject: 'Approve acme.test', typeId: String(typeId), statusId: '1', priority: 'normal', visibility: 'public', assigneeId: '', groupId: '',
    requesterEmail: (await db.selectFrom('users').select('email').where('role', '=', 'customer').executeTakeFirstOrThrow()).email, ccs: '',
    field_partner: 'Acme Ltd',
  });
  t.equal(saved.statusCode, 303);
  const values = await db.selectFrom('ticket_field_values').innerJoin('fields', 'fields.id', 'field_id').select(['key', 'value'])
    .where('ticket_id', '=', ticketId).orderBy('key').execute();
  t.same(values, [{ key: 'domain', value: 'acme.test' }, { key: 'partner', value: 'Acme Ltd' }], 'saving the ticket keeps the removed field\'s value');
  const general = (await agentClient.get(`/agent/tickets/${ticketId}`)).body;
  t.equal(panelValue(general, 'Partner name'), 'Acme Ltd', 'a field of the type is in the panel, to change in place');
  t.match(general, /<dt>Domain<\/dt><dd>acme\.test<\/dd>/);

  const [removed] = await db.selectFrom('audit_log').select('details').where('action', '=', 'type.field_removed').execute();
  t.same(JSON.parse(removed!.details), { name: 'Domain approval', field: 'domain', before: { fields: ['domain', 'partner'] }, after: { fields: ['partner'] } });

  await admin.post(`/admin/types/${typeId}/fields`, { fieldId: String(ids.domain) });
  const back = await agentClient.get(`/agent/tickets/${ticketId}/edit`);
  t.same(editFormFields(back.body), ['partner', 'domain'], 'added back, at the end');
  t.match(back.body, 'value="acme.test"', 'with the value the ticket always had');
});

t.test('adding a retired or unknown field is refused with the page and a message', async (t) => {
  const { admin, db, typeId, ids } = await setup(t);
  await db.updateTable('fields').set({ retired_at: nowIso() }).where('id', '=', ids.notes).execute();
  t.notMatch(await admin.page(`/admin/types/${typeId}`), 'Reviewer notes (reviewer_notes)', 'retired fields are not offered');
  const res = await admin.post(`/admin/types/${typeId}/fields`, { fieldId: String(ids.notes) });
  t.equal(res.statusCode, 422);
  t.match(res.body, 'Choose a field to add.');
  t.equal((await admin.post(`/admin/types/${typeId}/fields`, { fieldId: 'x' })).statusCode, 422);
  t.equal((await db.selectFrom('ticket_type_fields').select('field_id').where('type_id', '=', typeId).execute()).length, 1);
  t.equal((await admin.post(`/admin/types/999/fields/${ids.domain}/removal`)).statusCode, 404);
});

t.test('non-admins cannot change a type\'s fields', async (t) => {
  const { app, db, typeId, ids } = await setup(t);
  for (const role of ['supervisor', 'agent'] as const) {
    const other = new Client(app);
    await other.login((await makeUser(db, role)).email, PASSWORD);
    await other.get('/agent/tickets');
    t.equal((await other.post(`/admin/types/${typeId}/fields`, { fieldId: String(ids.partner) })).statusCode, 403, role);
    t.equal((await other.post(`/admin/types/${typeId}/fields/${ids.domain}/removal`)).statusCode, 403, role);
    t.equal((await other.post(`/admin/types/${typeId}/fields/${ids.domain}/position`, { direction: 'down' })).statusCode, 403, role);
  }
  t.equal((await db.selectFrom('ticket_type_fields').select('field_id').execute()).length, 1);
});
