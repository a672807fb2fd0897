// Tags on the agent's ticket page (issue 20): added and removed through the kernel (a history line
// per tag, the ticket.changed event), normalised, limited, optionally from a managed list, and never
// shown to customers.
import t, { type Test } from 'tap';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeTickets, makeUser, PASSWORD } from '../helpers/factories.js';

async function setup(t: Test) {
  const desk = await buildTestDesk(t);
  const agent = await makeUser(desk.db, 'agent', { name: 'Robin Agent' });
  const customer = await makeUser(desk.db, 'customer', { name: 'Cora Customer' });
  const [id] = await makeTickets(desk.db, 1, { requesterId: customer.id, subject: 'Invoice twice' });
  const staff = new Client(desk.app);
  await staff.login(agent.email, PASSWORD);
  await staff.page(`/agent/tickets/${id}`);
  return { ...desk, agent, customer, id: id!, staff };
}

const tagsOf = async (desk: { db: import('../../src/db/connect.js').Db }, id: number) =>
  (await desk.db.selectFrom('ticket_tags').innerJoin('tags', 'tags.id', 'ticket_tags.tag_id').select('tags.name')
    .where('ticket_id', '=', id).orderBy('tags.name').execute()).map((r) => r.name);

t.test('an agent adds a tag (lower-cased, trimmed) and removes it; each change is a history line and one event', async (t) => {
  const desk = await setup(t);
  const { staff, id, db } = desk;
  const added = await staff.post(`/agent/tickets/${id}/tags`, { tag: '  Billing ', tab: 'general' });
  t.equal(added.statusCode, 303);
  t.equal(added.headers.location, `/agent/tickets/${id}`);
  t.same(await tagsOf(desk, id), ['billing']);
  const page = await staff.page(`/agent/tickets/${id}`);
  t.match(page, /<li class="tag"><a href="\/agent\/tickets\?tag=billing">billing<\/a>/, 'the details page shows the tag, linked to the list filter');
  t.match(page, 'Tag added.', 'with a flash');

  t.equal((await staff.post(`/agent/tickets/${id}/tags`, { tag: 'BILLING' })).statusCode, 303, 'the same tag again in another case');
  t.same(await tagsOf(desk, id), ['billing'], 'is one tag');
  await staff.post(`/agent/tickets/${id}/tags`, { tag: 'refund' });
  t.same(await tagsOf(desk, id), ['billing', 'refund']);
  const removed = await staff.post(`/agent/tickets/${id}/tags/remove`, { tag: 'billing', tab: 'history' });
  t.equal(removed.headers.location, `/agent/tickets/${id}?tab=history`, 'back to the tab it was sent from');
  t.same(await tagsOf(desk, id), ['refund']);

  const history = await db.selectFrom('ticket_events').select(['kind', 'from_value', 'to_value']).where('ticket_id', '=', id)
    .where('kind', 'like', 'tag%').orderBy('id').execute();
  t.same(history, [
    { kind: 'tag_added', from_value: null, to_value: 'billing' },
    { kind: 'tag_added', from_value: null, to_value: 'refund' },
    { kind: 'tag_removed', from_value: 'billing', to_value: null },
  ], 'one line per tag really added or removed (the repeated add wrote nothing)');
  const events = await db.selectFrom('events').select('payload').where('kind', '=', 'ticket.changed').where('ticket_id', '=', id).orderBy('id').execute();
  t.equal(events.length, 3, 'one ticket.changed event per change');
  t.match(JSON.parse(events[2]!.payload), { tags: { added: [], removed: ['billing'] }, changes: [{ kind: 'tag_removed', from: 'billing', to: null }] });
  t.match(await staff.page(`/agent/tickets/${id}?tab=history`), /<td>Tag removed<\/td>\s*<td>billing<\/td>/, 'the History tab reads it');
});

t.test('an empty, too long or malformed tag is refused: the page again (422) with the message and the text kept', async (t) => {
  const desk = await setup(t);
  const { staff, id } = desk;
  for (const [tag, message] of [['   ', 'This field is required'], ['x'.repeat(41), 'A tag has at most 40 characters.'], ['two words', 'A tag is one word']] as const) {
    const response = await staff.post(`/agent/tickets/${id}/tags`, { tag });
    t.equal(response.statusCode, 422, JSON.stringify(tag));
    t.match(response.body, message);
    t.match(response.body, `value="${tag}"`, 'the typed text kept');
    t.match(response.body, 'aria-invalid="true" aria-describedby="tag-new-error"');
  }
  t.same(await tagsOf(desk, id), [], 'nothing written');
});

t.test('with the managed list on, only the admin\'s tags can be added', async (t) => {
  const desk = await setup(t);
  const { staff, id, db } = desk;
  await db.insertInto('settings').values({ key: 'tags.managed', value: '1' }).execute();
  await db.insertInto('tags').values({ name: 'vip' }).execute();
  const refused = await staff.post(`/agent/tickets/${id}/tags`, { tag: 'Invented' });
  t.equal(refused.statusCode, 422);
  t.match(refused.body, 'Tags come from the managed list, and “invented” is not on it.');
  t.match(refused.body, '<option value="vip">', 'the managed tags are suggested');
  t.equal((await staff.post(`/agent/tickets/${id}/tags`, { tag: 'VIP' })).statusCode, 303);
  t.same(await tagsOf(desk, id), ['vip']);
  t.equal((await db.selectFrom('tags').select('name').execute()).length, 1, 'no tag was made');
});

t.test('tags are internal: the requester never sees them, and a customer cannot change them', async (t) => {
  const desk = await setup(t);
  const { staff, id, customer, app } = desk;
  await staff.post(`/agent/tickets/${id}/tags`, { tag: 'angrycustomer' });
  const cora = new Client(app);
  await cora.login(customer.email, PASSWORD);
  const page = await cora.page(`/portal/tickets/${id}`);
  t.match(page, 'Invoice twice', 'the customer sees the ticket');
  t.notMatch(page, 'angrycustomer', 'but not its tags');
  t.notMatch(await cora.page('/portal/tickets'), 'angrycustomer');
  const tried = await cora.post(`/agent/tickets/${id}/tags/remove`, { tag: 'angrycustomer' });
  t.equal(tried.statusCode, 403);
  t.same(await tagsOf(desk, id), ['angrycustomer']);
});

t.test('without the CSRF token nothing changes', async (t) => {
  const desk = await setup(t);
  const { staff, id } = desk;
  t.equal((await staff.post(`/agent/tickets/${id}/tags`, { tag: 'billing', _csrf: '' })).statusCode, 403);
  t.same(await tagsOf(desk, id), []);
});

t.test('a ticket out of the agent\'s scope is not found', async (t) => {
  const desk = await setup(t);
  t.equal((await desk.staff.post('/agent/tickets/99999/tags', { tag: 'billing' })).statusCode, 404);
});
