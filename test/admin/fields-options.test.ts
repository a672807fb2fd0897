import t, { type Test } from 'tap';
import { fieldsOfType, readFieldValues } from '../../src/fields/fields.js';
import { collect } from '../../src/lib/form.js';
import { nowIso } from '../../src/lib/time.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeTickets, makeUser, PASSWORD } from '../helpers/factories.js';
import { panelValue } from '../helpers/panel.js';

/**
 * Seed 000's Domain approval, offered to customers: Domain Approved (a dropdown customers see) and
 * an internal Reviewer notes; one old ticket holds "cleared" and a note.
 */
async function setup(t: Test) {
  const desk = await buildTestDesk(t);
  const { db, app } = desk;
  const now = nowIso();
  const type = await db.insertInto('ticket_types').values({ name: 'Domain approval', created_at: now }).returning('id').executeTakeFirstOrThrow();
  const approval = await db.insertInto('fields').values({ key: 'domain_approved', label: 'Domain Approved', kind: 'dropdown', created_at: now,
    options: JSON.stringify([{ value: 'approved', label: 'Approved' }, { value: 'declined', label: 'Declined' }, { value: 'cleared', label: 'Cleared' }]),
  }).returning('id').executeTakeFirstOrThrow();
  const notes = await db.insertInto('fields').values({ key: 'reviewer_notes', label: 'Reviewer notes', kind: 'text', customer_visible: 0, created_at: now })
    .returning('id').executeTakeFirstOrThrow();
  await db.insertInto('ticket_type_fields').values([{ type_id: type.id, field_id: approval.id, position: 0 }, { type_id: type.id, field_id: notes.id, position: 1 }]).execute();
  const customer = await makeUser(db, 'customer', { email: 'cora@example.test' });
  const [oldTicket, newTicket] = await makeTickets(db, 2, { requesterId: customer.id, typeId: type.id });
  await db.insertInto('ticket_field_values').values([
    { ticket_id: oldTicket!, field_id: approval.id, value: 'cleared' }, { ticket_id: oldTicket!, field_id: notes.id, value: 'Checked by phone' },
  ]).execute();
  const admin = new Client(app);
  await admin.login((await makeUser(db, 'admin')).email, PASSWORD);
  await admin.get(`/admin/fields/${approval.id}`);
  const agent = new Client(app);
  await agent.login((await makeUser(db, 'agent')).email, PASSWORD);
  const portal = new Client(app);
  await portal.login(customer.email, PASSWORD);
  return { ...desk, admin, agent, portal, typeId: type.id, approvalId: approval.id, notesId: notes.id, oldTicket: oldTicket!, newTicket: newTicket! };
}

/** The form as the admin page shows it, with `changes` applied. */
const approvalForm = (changes: Record<string, string> = {}) => ({
  label: 'Domain Approved', customerVisible: '1', requiredBeforeCategory: '',
  option_0_value: 'approved', option_0_label: 'Approved', option_0_order: '1',
  option_1_value: 'declined', option_1_label: 'Declined', option_1_order: '2',
  option_2_value: 'cleared', option_2_label: 'Cleared', option_2_order: '3',
  newOptions: '', ...changes,
});

t.test('renaming an option keeps what tickets hold; every page shows the new label', async (t) => {
  const { admin, agent, portal, db, approvalId, oldTicket } = await setup(t);
  const res = await admin.post(`/admin/fields/${approvalId}`, approvalForm({ option_2_label: 'Cleared for registration', option_2_order: '0', newOptions: 'On hold' }));
  t.equal(res.statusCode, 303);
  t.same((await db.selectFrom('ticket_field_values').select('value').where('field_id', '=', approvalId).execute()).map((r) => r.value), ['cleared'],
    'the stored value did not change');
  const field = await db.selectFrom('fields').select('options').where('id', '=', approvalId).executeTakeFirstOrThrow();
  t.same(JSON.parse(field.options), [
    { value: 'cleared', label: 'Cleared for registration', retired: false }, { value: 'approved', label: 'Approved', retired: false },
    { value: 'declined', label: 'Declined', retired: false }, { value: 'on_hold', label: 'On hold', retired: false },
  ], 'reordered, renamed, and one added');

  t.equal(panelValue((await agent.get(`/agent/tickets/${oldTicket}`)).body, 'Domain Approved'), 'Cleared for registration');
  t.match((await portal.get(`/portal/tickets/${oldTicket}`)).body, /<dt>Domain Approved<\/dt><dd>Cleared for registration<\/dd>/);
  const edit = await agent.get(`/agent/tickets/${oldTicket}/edit`);
  t.match(edit.body, /<option value="">Choose…<\/option>\s*<option value="cleared" selected>Cleared for registration<\/option>\s*<option value="approved">Approved<\/option>\s*<option value="declined">Declined<\/option>\s*<option value="on_hold">On hold<\/option>/);

  const [audit] = await db.selectFrom('audit_log').select('details').where('action', '=', 'field.updated').execute();
  const details = JSON.parse(audit!.details);
  t.same(details.before.options.find((o: { value: string }) => o.value === 'cleared').label, 'Cleared');
  t.same(details.after.options.find((o: { value: string }) => o.value === 'cleared').label, 'Cleared for registration');
});

t.test('a retired option is no longer offered, but old tickets still show it', async (t) => {
  const { admin, agent, portal, approvalId, typeId, oldTicket, newTicket } = await setup(t);
  const res = await admin.post(`/admin/fields/${approvalId}`, approvalForm({ option_2_retired: '1' }));
  t.equal(res.statusCode, 303);
  const page = await admin.get(`/admin/fields/${approvalId}`);
  t.match(page.body, /id="f-option_2_retired" name="option_2_retired" type="checkbox" value="1" checked/);

  t.notMatch(await agent.page(`/agent/tickets/${newTicket}/edit`), '>Cleared</option>', 'not offered on another ticket');
  t.notMatch(await portal.page(`/portal/tickets/new?typeId=${typeId}`), '>Cleared</option>', 'nor in the portal');
  t.equal(panelValue((await agent.get(`/agent/tickets/${oldTicket}`)).body, 'Domain Approved'), 'Cleared', 'the old ticket still shows it');
  t.match((await portal.get(`/portal/tickets/${oldTicket}`)).body, /<dd>Cleared<\/dd>/);
  t.match((await agent.get(`/agent/tickets/${oldTicket}/edit`)).body, '<option value="cleared" selected>Cleared</option>', 'and its form keeps it as it is');

  const allRetired = await admin.post(`/admin/fields/${approvalId}`, approvalForm({ option_0_retired: '1', option_1_retired: '1', option_2_retired: '1', option_1_label: 'Refused' }));
  t.equal(allRetired.statusCode, 422);
  t.match(allRetired.body, 'A dropdown needs at least one option that is not retired.');
  t.match(allRetired.body, 'name="option_1_label" type="text" value="Refused"', 'what was typed is kept');
  t.match(allRetired.body, /id="f-option_0_retired" name="option_0_retired" type="checkbox" value="1" checked/);
});

t.test('a retired field leaves every form but stays on old tickets for staff', async (t) => {
  const { admin, agent, portal, approvalId, notesId, typeId, oldTicket } = await setup(t);
  await admin.post(`/admin/fields/${notesId}/retirement`, { retired: '1' });
  await admin.post(`/admin/fields/${approvalId}/retirement`, { retired: '1' });
  const edit = await agent.get(`/agent/tickets/${oldTicket}/edit`);
  t.equal(edit.statusCode, 200);
  t.notMatch(edit.body, 'field_reviewer_notes');
  t.notMatch(edit.body, 'field_domain_approved');
  t.notMatch(await portal.page(`/portal/tickets/new?typeId=${typeId}`), 'field_domain_approved');
  const general = (await agent.get(`/agent/tickets/${oldTicket}`)).body;
  t.match(general, /<dt>Domain Approved<\/dt><dd>Cleared<\/dd>/, 'the agent\'s General tab still shows retired fields');
  t.match(general, /<dt>Reviewer notes<\/dt><dd>Checked by phone<\/dd>/);
  const customerPage = await portal.page(`/portal/tickets/${oldTicket}`);
  t.match(customerPage, /<dt>Domain Approved<\/dt><dd>Cleared<\/dd>/, 'customers see the customer-visible one');
  t.notMatch(customerPage, 'Checked by phone', 'but never an internal field');
  t.match((await admin.get(`/admin/types/${typeId}`)).body, /Reviewer notes<\/a> <span class="muted">\(reviewer_notes\)<\/span> <span class="badge">Retired<\/span>/,
    'the type\'s page marks it');
});

t.test('a ticket that holds a retired option may keep it when saved; no other ticket may choose it', async (t) => {
  const { admin, db, approvalId, typeId } = await setup(t);
  await admin.post(`/admin/fields/${approvalId}`, approvalForm({ option_2_retired: '1' }));
  const defs = await fieldsOfType(db, typeId);
  const keeping = {};
  const kept = readFieldValues(defs, { field_domain_approved: 'cleared' }, 'agent', collect(keeping), new Map([[approvalId, 'cleared']]));
  t.same(keeping, {}, 'the value the ticket holds stays valid');
  t.equal(kept.get(approvalId), 'cleared');
  const choosing = {};
  readFieldValues(defs, { field_domain_approved: 'cleared' }, 'agent', collect(choosing), new Map([[approvalId, 'approved']]));
  t.same(choosing, { field_domain_approved: 'errors.choice' }, 'switching to a retired option is refused');
});
