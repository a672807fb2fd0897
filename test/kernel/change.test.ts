// changeTicket takes a ticket's CCs and custom field values as changes too (issue 17): every path
// that changes them (the edit dialog, the side panel, the portal's CC button, mail in) writes one
// history line per changed field and one `ticket.changed` event that carries what was written.
import t, { type Test } from 'tap';
import { addMailCcs } from '../../src/mailin/tickets.js';
import { nowIso } from '../../src/lib/time.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeCcs, makeTicket, makeUser, PASSWORD } from '../helpers/factories.js';

/** Cora's ticket of type 1 with a "Domain" field, Cy copied in; Robin the agent and Cora logged in. */
async function setup(t: Test) {
  const desk = await buildTestDesk(t);
  const { db, app } = desk;
  const domain = await db.insertInto('fields').values({ key: 'domain', label: 'Domain', kind: 'text', created_at: nowIso() }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('ticket_type_fields').values({ type_id: 1, field_id: domain.id, position: 1 }).execute();
  const agent = await makeUser(db, 'agent', { name: 'Robin Agent' });
  const cora = await makeUser(db, 'customer', { name: 'Cora', email: 'cora@example.test' });
  const cy = await makeUser(db, 'customer', { name: 'Cy', email: 'cy@example.test' });
  const dee = await makeUser(db, 'customer', { name: 'Dee', email: 'dee@example.test' });
  const id = await makeTicket(db, { requesterId: cora.id, subject: 'Approve acme.test' });
  await makeCcs(db, id, cy.id);
  const staff = new Client(app);
  await staff.login(agent.email, PASSWORD);
  const portal = new Client(app);
  await portal.login(cora.email, PASSWORD);
  /** The `ticket.changed` events written since the last call. */
  let seen = 0;
  const changes = async () => {
    const rows = await db.selectFrom('events').select(['id', 'actor_id', 'payload']).where('kind', '=', 'ticket.changed').where('id', '>', seen).orderBy('id').execute();
    seen = rows.at(-1)?.id ?? seen;
    return rows.map((r): Record<string, unknown> => ({ actorId: r.actor_id, ...JSON.parse(r.payload) as Record<string, unknown> }));
  };
  const history = () => db.selectFrom('ticket_events').select(['kind', 'field', 'from_value', 'to_value']).where('ticket_id', '=', id).orderBy('id').execute();
  const ccs = async () => (await db.selectFrom('ticket_ccs').select('user_id').where('ticket_id', '=', id).orderBy('user_id').execute()).map((r) => r.user_id);
  return { ...desk, domainId: domain.id, agent, cora, cy, dee, id, staff, portal, changes, history, ccs };
}

t.test('the edit dialog: the CCs and a field change in the one event of the save, with a history line each', async (t) => {
  const { db, staff, id, agent, cy, dee, domainId, changes, history, ccs } = await setup(t);
  await staff.get(`/agent/tickets/${id}/edit`);
  const res = await staff.post(`/agent/tickets/${id}/edit`, {
    subject: 'Approve acme.test', typeId: '1', statusId: '1', priority: 'normal', visibility: 'public', assigneeId: '', groupId: '',
    requesterEmail: 'cora@example.test', ccs: 'dee@example.test', field_domain: 'acme.test',
  });
  t.equal(res.statusCode, 303);
  t.same(await ccs(), [dee.id], 'Dee replaces Cy');
  t.same(await db.selectFrom('ticket_field_values').select(['field_id', 'value']).where('ticket_id', '=', id).execute(), [{ field_id: domainId, value: 'acme.test' }]);
  t.same(await history(), [
    { kind: 'ccs', field: null, from_value: 'cy@example.test', to_value: 'dee@example.test' },
    { kind: 'field', field: 'Domain', from_value: null, to_value: 'acme.test' },
  ], 'the history reads as before');
  const events = await changes();
  t.equal(events.length, 1, 'one event for the save');
  t.match(events[0], {
    actorId: agent.id,
    changes: [{ kind: 'ccs', from: 'cy@example.test', to: 'dee@example.test' }, { kind: 'field', field: 'Domain', from: null, to: 'acme.test' }],
    ccs: { added: [dee.id], removed: [cy.id] },
    fields: { [domainId]: 'acme.test' },
  });

  // Saved again unchanged: no change, no event.
  await staff.get(`/agent/tickets/${id}/edit`);
  await staff.post(`/agent/tickets/${id}/edit`, {
    subject: 'Approve acme.test', typeId: '1', statusId: '1', priority: 'normal', visibility: 'public', assigneeId: '', groupId: '',
    requesterEmail: 'cora@example.test', ccs: 'dee@example.test', field_domain: 'acme.test',
  });
  t.same(await changes(), []);
});

t.test('the side panel: a field set and cleared, each its own event naming the field', async (t) => {
  const { staff, id, domainId, changes, history } = await setup(t);
  await staff.get(`/agent/tickets/${id}`);
  t.equal((await staff.post(`/agent/tickets/${id}/properties`, { property: 'field_domain', field_domain: 'acme.test' })).statusCode, 303);
  t.equal((await staff.post(`/agent/tickets/${id}/properties`, { property: 'field_domain', field_domain: '' })).statusCode, 303);
  const events = await changes();
  t.same(events.map((e) => e.fields), [{ [domainId]: 'acme.test' }, { [domainId]: null }], 'null: the value was removed');
  t.same((await history()).map((h) => [h.field, h.from_value, h.to_value]), [['Domain', null, 'acme.test'], ['Domain', 'acme.test', null]]);
  t.equal(await staff.get(`/agent/tickets/${id}`).then((r) => r.statusCode), 200);
});

t.test('the portal\'s CC button: copied in and taken off, each an event with who', async (t) => {
  const { portal, id, cora, cy, changes, history, ccs, db } = await setup(t);
  await portal.get(`/portal/tickets/${id}`);
  t.equal((await portal.post(`/portal/tickets/${id}/ccs`, { email: 'new.person@example.test' })).statusCode, 303);
  const newcomer = await db.selectFrom('users').select('id').where('email', '=', 'new.person@example.test').executeTakeFirstOrThrow();
  t.equal((await portal.post(`/portal/tickets/${id}/ccs`, { remove: String(cy.id) })).statusCode, 303);
  t.same(await ccs(), [newcomer.id]);
  const events = await changes();
  t.match(events, [
    { actorId: cora.id, ccs: { added: [newcomer.id], removed: [] }, notify: { invite: [newcomer.id] } },
    { actorId: cora.id, ccs: { added: [], removed: [cy.id] } },
  ]);
  t.same((await history()).map((h) => [h.kind, h.from_value, h.to_value]), [['ccs', null, 'new.person@example.test'], ['ccs', 'cy@example.test', null]]);
});

t.test('mail in: the people a mail copies in are one change, a history line each', async (t) => {
  const { db, id, cora, cy, changes, history, ccs } = await setup(t);
  const refused = await db.transaction().execute((trx) => addMailCcs(trx, id, [
    { address: 'cy@example.test', name: 'Cy' }, { address: 'eve@example.test', name: 'Eve' }, { address: 'fay@example.test', name: 'Fay' },
    { address: 'eve@example.test', name: 'Eve again' },
  ], cora.id, new Set(), true, null));
  t.same(refused, { refused: [], unread: 0 });
  const eve = await db.selectFrom('users').select('id').where('email', '=', 'eve@example.test').executeTakeFirstOrThrow();
  const fay = await db.selectFrom('users').select('id').where('email', '=', 'fay@example.test').executeTakeFirstOrThrow();
  t.same(await ccs(), [cy.id, eve.id, fay.id].sort((a, b) => a - b), 'Cy was already copied in; Eve once');
  t.same((await history()).map((h) => [h.kind, h.from_value, h.to_value]), [['ccs', null, 'eve@example.test'], ['ccs', null, 'fay@example.test']]);
  const events = await changes();
  t.equal(events.length, 1);
  t.match(events[0], { actorId: cora.id, ccs: { added: [eve.id, fay.id], removed: [] } });
});
