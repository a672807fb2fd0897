// "Split from here" (issue 20, point 4): a message becomes a new ticket of the same requester, linked
// to the original; only that message moves. A note split off makes an internal ticket: it never
// reaches the customer through a split.
import t, { type Test } from 'tap';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeMessage, makeTicket, makeUser, PASSWORD } from '../helpers/factories.js';

async function setup(t: Test) {
  const desk = await buildTestDesk(t);
  const { db } = desk;
  const agent = await makeUser(db, 'agent', { name: 'Robin Agent' });
  const customer = await makeUser(db, 'customer', { name: 'Cora Customer', email: 'cora@example.test' });
  const id = await makeTicket(db, { requesterId: customer.id, subject: 'Two problems', statusId: 2 });
  const first = await makeMessage(db, id, { authorId: customer.id, text: 'My printer is broken.', at: '2026-03-01T09:00:00.000Z' });
  const second = await makeMessage(db, id, { authorId: customer.id, text: 'Also my password expired.', at: '2026-03-01T10:00:00.000Z' });
  const note = await makeMessage(db, id, { authorId: agent.id, kind: 'note', text: 'Internal: check the VPN logs.', at: '2026-03-01T11:00:00.000Z' });
  const staff = new Client(desk.app);
  await staff.login(agent.email, PASSWORD);
  return { ...desk, agent, customer, id, first, second, note, staff };
}

t.test('a message split off becomes a new ticket of the same requester, linked both ways; only it moves', async (t) => {
  const desk = await setup(t);
  const { db, staff, id } = desk;
  const page = await staff.page(`/agent/tickets/${id}`);
  t.match(page, `<input type="hidden" name="messageId" value="${desk.second}">`, 'each message has "Split from here"');
  t.match(page, 'Split from here');
  const split = await staff.post(`/agent/tickets/${id}/split`, { messageId: String(desk.second) });
  t.equal(split.statusCode, 303);
  const created = Number(/\/agent\/tickets\/(\d+)$/.exec(String(split.headers.location))?.[1]);
  t.ok(created > id, 'to the new ticket');
  const ticket = await db.selectFrom('tickets').select(['requester_id', 'subject', 'visibility', 'brand_id']).where('id', '=', created).executeTakeFirstOrThrow();
  t.same(ticket, { requester_id: desk.customer.id, subject: 'Two problems', visibility: 'public', brand_id: 1 }, 'same requester, public');
  const moved = await db.selectFrom('messages').select(['id', 'ticket_id']).orderBy('id').execute();
  t.same(moved, [{ id: desk.first, ticket_id: id }, { id: desk.second, ticket_id: created }, { id: desk.note, ticket_id: id }], 'only the chosen message moved');
  const newPage = await staff.page(`/agent/tickets/${created}`);
  t.match(newPage, 'The message was split off into this new ticket.');
  t.match(newPage, 'Also my password expired.');
  t.match(newPage, /Split from <a href="\/agent\/tickets\/1">#1 Two problems<\/a>/);
  t.match(await staff.page(`/agent/tickets/${id}`), new RegExp(`Split into <a href="/agent/tickets/${created}">#${created} Two problems</a>`));
  const lines = await db.selectFrom('ticket_events').select(['ticket_id', 'kind', 'to_value']).where('kind', 'like', 'split%').orderBy('id').execute();
  t.same(lines, [{ ticket_id: created, kind: 'split_from', to_value: `#${id}` }, { ticket_id: id, kind: 'split_into', to_value: `#${created}` }]);
  t.equal((await db.selectFrom('events').select('id').where('kind', '=', 'ticket.split').where('ticket_id', '=', id).execute()).length, 1);

  const cora = new Client(desk.app);
  await cora.login('cora@example.test', PASSWORD);
  t.match(await cora.page(`/portal/tickets/${created}`), 'Also my password expired.', 'the requester sees the new ticket');
});

t.test('a note split off makes an internal ticket: the customer never sees it', async (t) => {
  const desk = await setup(t);
  const { db, staff, id } = desk;
  await staff.page(`/agent/tickets/${id}`);
  const split = await staff.post(`/agent/tickets/${id}/split`, { messageId: String(desk.note) });
  t.equal(split.statusCode, 303);
  const created = Number(/(\d+)$/.exec(String(split.headers.location))?.[1]);
  const ticket = await db.selectFrom('tickets').select('visibility').where('id', '=', created).executeTakeFirstOrThrow();
  t.equal(ticket.visibility, 'internal');
  const note = await db.selectFrom('messages').select('kind').where('id', '=', desk.note).executeTakeFirstOrThrow();
  t.equal(note.kind, 'note', 'still a note');
  const cora = new Client(desk.app);
  await cora.login('cora@example.test', PASSWORD);
  t.equal((await cora.get(`/portal/tickets/${created}`)).statusCode, 404, 'the customer cannot open it');
  t.notMatch(await cora.page('/portal/tickets'), 'check the VPN logs');
});

t.test('a ticket\'s only message, or a message of another ticket, is not split off (422)', async (t) => {
  const desk = await setup(t);
  const { db, staff, id } = desk;
  const lone = await makeTicket(db, { requesterId: desk.customer.id, subject: 'Lonely' });
  const only = await makeMessage(db, lone, { authorId: desk.customer.id, text: 'Just one message.' });
  await staff.page(`/agent/tickets/${lone}`);
  const refused = await staff.post(`/agent/tickets/${lone}/split`, { messageId: String(only) });
  t.equal(refused.statusCode, 422);
  t.match(refused.body, 'A ticket&#39;s only message cannot be split off.');
  const foreign = await staff.post(`/agent/tickets/${lone}/split`, { messageId: String(desk.first) });
  t.equal(foreign.statusCode, 422);
  t.match(foreign.body, 'That message is not on this ticket.');
  t.equal((await db.selectFrom('tickets').select('id').execute()).length, 2, 'no ticket made');
  t.equal((await db.selectFrom('messages').select('ticket_id').where('id', '=', desk.first).executeTakeFirstOrThrow()).ticket_id, id);
});
