// Links between tickets (issue 20, point 4): related, duplicate of, parent/child, shown on both
// tickets' pages; a parent is not solved while a child is open unless the agent confirms (a ticked
// box, no JavaScript needed).
import t, { type Test } from 'tap';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeTickets, makeUser, PASSWORD } from '../helpers/factories.js';

const STATUS = { open: 2, solved: 4 };

async function setup(t: Test) {
  const desk = await buildTestDesk(t);
  const agent = await makeUser(desk.db, 'agent', { name: 'Robin Agent' });
  const customer = await makeUser(desk.db, 'customer');
  const [a, b, c] = await makeTickets(desk.db, 3, (i) => ({ requesterId: customer.id, subject: ['Outage', 'Mail down', 'VPN down'][i]!, statusId: STATUS.open }));
  const staff = new Client(desk.app);
  await staff.login(agent.email, PASSWORD);
  await staff.page(`/agent/tickets/${a}`);
  return { ...desk, agent, a: a!, b: b!, c: c!, staff };
}

t.test('related, duplicate and child links show on both tickets, are in both histories, and can be removed', async (t) => {
  const desk = await setup(t);
  const { db, staff, a, b, c } = desk;
  t.equal((await staff.post(`/agent/tickets/${a}/links`, { kind: 'related', other: `#${b}` })).statusCode, 303);
  t.equal((await staff.post(`/agent/tickets/${c}/links`, { kind: 'duplicate', other: String(a) })).statusCode, 303);
  const pageA = await staff.page(`/agent/tickets/${a}`);
  t.match(pageA, `Related to <a href="/agent/tickets/${b}">#${b} Mail down</a>`);
  t.match(pageA, `Has duplicate <a href="/agent/tickets/${c}">#${c} VPN down</a>`);
  t.match(await staff.page(`/agent/tickets/${b}`), `Related to <a href="/agent/tickets/${a}">#${a} Outage</a>`);
  t.match(await staff.page(`/agent/tickets/${c}`), `Duplicate of <a href="/agent/tickets/${a}">#${a} Outage</a>`);
  const lines = await db.selectFrom('ticket_events').select(['ticket_id', 'kind', 'to_value']).where('kind', 'in', ['related', 'duplicate_of', 'has_duplicate']).orderBy('id').execute();
  t.same(lines, [
    { ticket_id: a, kind: 'related', to_value: `#${b}` }, { ticket_id: b, kind: 'related', to_value: `#${a}` },
    { ticket_id: c, kind: 'duplicate_of', to_value: `#${a}` }, { ticket_id: a, kind: 'has_duplicate', to_value: `#${c}` },
  ]);
  t.equal((await db.selectFrom('events').select('id').where('kind', '=', 'ticket.linked').execute()).length, 2);

  const again = await staff.post(`/agent/tickets/${b}/links`, { kind: 'related', other: `#${a}` });
  t.equal(again.statusCode, 422, 'the same link the other way round');
  t.match(again.body, `This ticket is already linked that way with #${a}.`);
  t.match(again.body, `value="#${a}"`, 'the number kept');
  const self = await staff.post(`/agent/tickets/${a}/links`, { kind: 'related', other: String(a) });
  t.equal(self.statusCode, 422);
  t.match(self.body, 'cannot be merged or linked with itself');

  const link = await db.selectFrom('ticket_links').select('id').where('kind', '=', 'related').executeTakeFirstOrThrow();
  const removed = await staff.post(`/agent/tickets/${b}/links/remove`, { linkId: String(link.id), tab: 'history' });
  t.equal(removed.statusCode, 303, 'from either ticket');
  t.equal(removed.headers.location, `/agent/tickets/${b}?tab=history`);
  t.notMatch(await staff.page(`/agent/tickets/${a}`), `Related to <a href="/agent/tickets/${b}">`);
  t.equal((await db.selectFrom('ticket_events').select('id').where('kind', '=', 'related').where('to_value', 'is', null).execute()).length, 2, 'a removal line on each');
});

t.test('a parent is not solved while a child is open unless the agent confirms', async (t) => {
  const desk = await setup(t);
  const { db, staff, a, b } = desk;
  t.equal((await staff.post(`/agent/tickets/${b}/links`, { kind: 'child', other: String(a) })).statusCode, 303, 'b is a child of a');
  t.match(await staff.page(`/agent/tickets/${a}`), `Parent of <a href="/agent/tickets/${b}">#${b} Mail down</a>`);
  t.match(await staff.page(`/agent/tickets/${b}`), `Child of <a href="/agent/tickets/${a}">#${a} Outage</a>`);
  const statusOf = async (id: number) => (await db.selectFrom('tickets').select('status_id').where('id', '=', id).executeTakeFirstOrThrow()).status_id;

  const refused = await staff.post(`/agent/tickets/${a}/status`, { statusId: String(STATUS.solved) });
  t.equal(refused.statusCode, 422, 'the status bar refuses');
  t.match(refused.body, `Child tickets #${b} are still open.`);
  t.match(refused.body, 'name="confirmOpenChildren" type="checkbox" value="1"', 'with a box to confirm');
  t.equal(await statusOf(a), STATUS.open);
  const panel = await staff.post(`/agent/tickets/${a}/properties`, { property: 'statusId', statusId: String(STATUS.solved) });
  t.equal(panel.statusCode, 422, 'so does the side panel');
  t.match(panel.body, 'name="confirmOpenChildren"');
  t.equal(await statusOf(a), STATUS.open);

  const confirmed = await staff.post(`/agent/tickets/${a}/status`, { statusId: String(STATUS.solved), confirmOpenChildren: '1' });
  t.equal(confirmed.statusCode, 303, 'confirmed, it is solved');
  t.equal(await statusOf(a), STATUS.solved);

  await staff.post(`/agent/tickets/${a}/status`, { statusId: String(STATUS.open) });
  t.equal(await statusOf(a), STATUS.open);
  t.equal((await staff.post(`/agent/tickets/${b}/status`, { statusId: String(STATUS.solved) })).statusCode, 303, 'the child is solved');
  t.equal((await staff.post(`/agent/tickets/${a}/status`, { statusId: String(STATUS.solved) })).statusCode, 303, 'then the parent needs no confirmation');
});

t.test('links only to tickets the agent can see; customers cannot link', async (t) => {
  const desk = await setup(t);
  const { db, app, a, b } = desk;
  const group = await db.insertInto('groups').values({ name: 'Provider', is_restricted: 1, created_at: '2026-01-01T00:00:00Z' }).returning('id').executeTakeFirstOrThrow();
  const outsider = await makeUser(db, 'agent');
  await db.insertInto('group_members').values({ group_id: group.id, user_id: outsider.id }).execute();
  const customer = await db.selectFrom('users').select('id').where('role', '=', 'customer').executeTakeFirstOrThrow();
  const [theirs] = await makeTickets(db, 1, { requesterId: customer.id, subject: 'Provider ticket', groupId: group.id });
  const provider = new Client(app);
  await provider.login(outsider.email, PASSWORD);
  await provider.page(`/agent/tickets/${theirs}`);
  const refused = await provider.post(`/agent/tickets/${theirs}/links`, { kind: 'related', other: String(a) });
  t.equal(refused.statusCode, 422);
  t.match(refused.body, `There is no ticket #${a} you can see.`);
  t.equal((await provider.post(`/agent/tickets/${a}/links`, { kind: 'related', other: String(theirs) })).statusCode, 404);
  t.equal((await db.selectFrom('ticket_links').select('id').execute()).length, 0);
  void b;
});
