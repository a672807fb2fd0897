// Deleting a ticket, marking it as spam, merging two records of a person and erasing a person go
// through the kernel too (issue 17): each records its event in its own transaction, and the
// consumers of the stream (notifications, the live hub) take the new kinds in their stride.
import t, { type Test } from 'tap';
import type { StreamEvent } from '../../src/events/record.js';
import { positionOf, runConsumer } from '../../src/events/runner.js';
import type { LiveHub } from '../../src/live/hub.js';
import { liveFanOut } from '../../src/live/consumer.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeCcs, makeTicket, makeTickets, makeUser, PASSWORD } from '../helpers/factories.js';

async function setup(t: Test) {
  const desk = await buildTestDesk(t);
  const { app, db } = desk;
  const login = async (row: { email: string }) => {
    const client = new Client(app);
    await client.login(row.email, PASSWORD);
    return client;
  };
  const adminRow = await makeUser(db, 'admin', { name: 'Ada Admin' });
  const quinnRow = await makeUser(db, 'agent', { name: 'Quinn Agent' });
  const cora = await makeUser(db, 'customer', { name: 'Cora', email: 'cora@example.test' });
  const events = async (kind: string) => (await db.selectFrom('events').select(['ticket_id', 'actor_id', 'payload']).where('kind', '=', kind).orderBy('id').execute())
    .map((e) => ({ ticketId: e.ticket_id, actorId: e.actor_id, payload: JSON.parse(e.payload) as Record<string, unknown> }));
  const lastEvent = async () => (await db.selectFrom('events').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow()).id;
  const mails = () => db.selectFrom('jobs').select('payload').where('kind', '=', 'mail').execute();
  return { ...desk, login, adminRow, quinnRow, cora, admin: await login(adminRow), events, lastEvent, mails };
}

/** The live hub's consumer over every event there is, with a hub that writes down what it is told. */
async function replayLive(db: Awaited<ReturnType<typeof setup>>['db']) {
  const told: string[] = [];
  const errors: unknown[] = [];
  const live = { chat: (id: number) => told.push(`chat ${id}`), toStaff: (id: number) => told.push(`staff ${id}`) } as unknown as LiveHub;
  const handled = await runConsumer(db, liveFanOut, {
    context: { live } as never, ephemeral: new Map([['live', 0]]), onError: (_name: string, event: StreamEvent, error: unknown) => errors.push([event.kind, error]),
  });
  return { handled, told, errors };
}

t.test('a deleted ticket: one ticket.binned event (the recycle bin), one ticket.deleted when purged; the mail its earlier events called for is not sent, and the consumers go on', async (t) => {
  const { app, db, login, admin, adminRow, quinnRow, cora, events, lastEvent, mails } = await setup(t);
  const [first, second, third] = await makeTickets(db, 3, { requesterId: cora.id, subject: 'Printer offline', groupId: 1 });
  const portal = await login(cora);
  await portal.get(`/portal/tickets/${first}`);
  t.equal((await portal.post(`/portal/tickets/${first}/ccs`, { email: 'newcomer@example.test' })).statusCode, 303, 'a newcomer is due an invitation');
  await admin.get(`/agent/tickets/${first}`);
  t.equal((await admin.post(`/agent/tickets/${first}/messages`, { kind: 'reply', body: 'We are on it' })).statusCode, 303, 'Cora is due the reply');
  await admin.get('/agent/tickets');
  const assigned = await admin.post('/agent/tickets/bulk', { page: `${second} ${third}`, all: '1', assignee: String(quinnRow.id) });
  t.equal(assigned.statusCode, 303, 'Quinn is due one mail for both');
  t.match((await events('tickets.assigned'))[0], { payload: { assigneeId: quinnRow.id, ticketIds: [second, third] } });

  for (const id of [first, second, third]) {
    await admin.get(`/agent/tickets/${id}/delete`);
    t.equal((await admin.post(`/agent/tickets/${id}/delete`)).statusCode, 303);
  }
  t.same(await events('ticket.binned'), [first, second, third].map((id) => ({ ticketId: id, actorId: adminRow.id, payload: { reason: 'deleted', requesterId: cora.id } })));
  // Emptied from the bin for good (the purge job does the same after the retention).
  for (const id of [first, second, third]) t.equal((await admin.post(`/admin/bin/${id}/purge`)).statusCode, 303);
  t.same(await events('ticket.deleted'), [first, second, third].map((id) => ({ ticketId: id, actorId: adminRow.id, payload: { reason: 'deleted', requesterId: cora.id } })));

  await app.worker.consume();
  t.same(await mails(), [], 'no invitation, reply or assignment mail for tickets that are gone');
  t.equal(await positionOf(db, 'notifications'), await lastEvent(), 'the notifications consumer handled every event');
  const live = await replayLive(db);
  t.same(live.errors, [], 'the live hub takes every kind');
  t.equal(live.handled, (await db.selectFrom('events').select('id').execute()).length);
});

t.test('a ticket marked as spam: a ticket.binned event that says so', async (t) => {
  const { app, db, login, quinnRow, cora, events, lastEvent } = await setup(t);
  const id = await makeTicket(db, { requesterId: cora.id, subject: 'Cheap watches', channel: 'email' });
  const quinn = await login(quinnRow);
  await quinn.get(`/agent/tickets/${id}/spam`);
  t.equal((await quinn.post(`/agent/tickets/${id}/spam`)).statusCode, 303);
  t.match(await db.selectFrom('tickets').select('binned_reason').where('id', '=', id).executeTakeFirst(), { binned_reason: 'spam' }, 'in the recycle bin');
  t.same(await events('ticket.binned'), [{ ticketId: id, actorId: quinnRow.id, payload: { reason: 'spam', requesterId: cora.id } }]);
  await app.worker.consume();
  t.equal(await positionOf(db, 'notifications'), await lastEvent());
});

t.test('two records merged: one person.merged event listing the tickets the removed record was on', async (t) => {
  const { app, db, admin, adminRow, cora, events, lastEvent, mails } = await setup(t);
  const home = await makeUser(db, 'customer', { name: 'Cora Home', email: 'cora@home.test' });
  const other = await makeUser(db, 'customer');
  const [own, alsoOwn] = await makeTickets(db, 2, { requesterId: home.id });
  const copied = await makeTicket(db, { requesterId: other.id });
  const untouched = await makeTicket(db, { requesterId: cora.id });
  await makeCcs(db, copied, home.id);

  await admin.get(`/admin/users/${cora.id}/merge?other=${home.id}`);
  t.equal((await admin.post(`/admin/users/${cora.id}/merge`, { removedId: String(home.id) })).statusCode, 303);
  t.same(await events('person.merged'), [{ ticketId: null, actorId: adminRow.id, payload: { keptId: cora.id, removedId: home.id, ticketIds: [own, alsoOwn, copied] } }]);
  t.notOk([own, alsoOwn, copied].includes(untouched));
  t.same(await events('ticket.changed'), [], 'no ticket changed for its readers');
  t.same((await db.selectFrom('tickets').select('requester_id').where('id', 'in', [own!, alsoOwn!]).execute()).map((r) => r.requester_id), [cora.id, cora.id]);

  await app.worker.consume();
  t.same(await mails(), []);
  t.equal(await positionOf(db, 'notifications'), await lastEvent());
  t.same((await replayLive(db)).errors, []);
});

t.test('a person erased: one person.erased event, and the stream keeps no copy of their address', async (t) => {
  const { app, db, login, admin, adminRow, cora, events, lastEvent } = await setup(t);
  const eve = await makeUser(db, 'customer', { name: 'Eve Erase', email: 'eve@customer.test' });
  const [first, second, elsewhere] = await makeTickets(db, 3, { requesterId: cora.id });
  await makeCcs(db, second!, eve.id);
  const portal = await login(cora);
  await portal.get(`/portal/tickets/${first}`);
  t.equal((await portal.post(`/portal/tickets/${first}/ccs`, { email: 'eve@customer.test' })).statusCode, 303);
  const [added] = await events('ticket.changed');
  t.match(added!.payload, { changes: [{ kind: 'ccs', to: 'eve@customer.test' }], ccs: { added: [eve.id] } }, 'the CC\'s event names her address');

  await admin.get(`/admin/users/${eve.id}/erase`);
  t.equal((await admin.post(`/admin/users/${eve.id}/erase`)).statusCode, 303);
  t.same(await events('person.erased'), [{ ticketId: null, actorId: adminRow.id, payload: { userId: eve.id, ticketIds: [first, second] } }]);
  t.notOk([first, second].includes(elsewhere));
  t.same(await db.selectFrom('ticket_ccs').select('ticket_id').where('user_id', '=', eve.id).execute(), []);
  const stream = await db.selectFrom('events').select('payload').execute();
  t.notOk(stream.some((e) => e.payload.toLowerCase().includes('eve@customer.test')), 'no event holds her address');
  t.match((await events('ticket.changed'))[0]!.payload, { changes: [{ kind: 'ccs', to: `deleted-${eve.id}@erased.invalid` }], ccs: { added: [eve.id] } });

  await app.worker.consume();
  t.equal(await positionOf(db, 'notifications'), await lastEvent());
  t.same((await replayLive(db)).errors, []);
});
