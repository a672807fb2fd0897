import t, { type Test } from 'tap';
import { DAY, HOUR, isoIn } from '../../src/lib/time.js';
import { AUTOCLOSE_JOB, runAutoClose, scheduleAutoClose } from '../../src/tickets/autoclose.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeTickets, makeUser, PASSWORD } from '../helpers/factories.js';

/** Seed 003's waiting status beside the Simple preset; auto-close after 4 days solved, reminders after 3 days waiting. */
async function setup(t: Test, settings: Record<string, string> = { 'autoclose.solved_days': '4', 'autoclose.pending_days': '3' }) {
  const desk = await buildTestDesk(t);
  const { db } = desk;
  const waiting = await db.insertInto('statuses').values({ name: 'Waiting on Customer (Fix Validation)', customer_label: 'Waiting for you', category: 'pending', position: 9 })
    .returning('id').executeTakeFirstOrThrow();
  const status = async (name: string) => (await db.selectFrom('statuses').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id;
  await db.insertInto('settings').values(Object.entries(settings).map(([key, value]) => ({ key, value }))).execute();
  const customer = await makeUser(db, 'customer', { name: 'Carla', email: 'carla@example.test' });
  return { ...desk, customer, waitingId: waiting.id, solvedId: await status('Solved'), closedId: await status('Closed') };
}

async function ticketState(db: Awaited<ReturnType<typeof setup>>['db'], id: number) {
  return db.selectFrom('tickets').innerJoin('statuses', 'statuses.id', 'tickets.status_id')
    .select(['statuses.name', 'tickets.closed_at', 'tickets.last_activity_at']).where('tickets.id', '=', id).executeTakeFirstOrThrow();
}

/** The outbox, after the notifications consumer (which queues the reminders) has run. */
async function mails({ db, app }: Pick<Awaited<ReturnType<typeof setup>>, 'db' | 'app'>) {
  await app.worker.consume();
  return (await db.selectFrom('jobs').select('payload').where('kind', '=', 'mail').orderBy('id').execute())
    .map((j) => JSON.parse(j.payload) as { to: string[]; subject: string; text: string });
}

t.test('solved tickets close after the configured days, by Deskbell, with a history event', async (t) => {
  const { db, app, customer, solvedId } = await setup(t);
  const [old, recent] = await makeTickets(db, 2, (i) => ({ requesterId: customer.id, statusId: solvedId, at: isoIn(-(i === 0 ? 5 : 1) * DAY), subject: `Solved ${i}` }));
  await db.updateTable('tickets').set((eb) => ({ solved_at: eb.ref('last_activity_at') })).execute();

  const result = await runAutoClose(db);
  t.same(result, { closedSolved: 1, reminded: 0, closedPending: 0 });
  t.equal((await ticketState(db, old!)).name, 'Closed');
  t.ok((await ticketState(db, old!)).closed_at);
  t.equal((await ticketState(db, recent!)).name, 'Solved', 'solved a day ago: still solved');
  const event = await db.selectFrom('ticket_events').selectAll().where('ticket_id', '=', old!).executeTakeFirstOrThrow();
  t.same([event.actor_id, event.kind, event.from_value, event.to_value], [null, 'status', 'Solved', 'Closed']);
  t.same(await mails({ db, app }), [], 'closing a solved ticket sends nothing');

  const agent = new Client(app);
  await agent.login((await makeUser(db, 'agent')).email, PASSWORD);
  const history = await agent.get(`/agent/tickets/${old}?tab=history`);
  t.match(history.body, /<td>Deskbell<\/td>\s*<td>Status<\/td>\s*<td>Solved<\/td>\s*<td>Closed<\/td>/, 'agents see who closed it');
});

t.test('a ticket waiting on the customer gets one reminder, then closes when nobody answers', async (t) => {
  const { db, app, customer, waitingId } = await setup(t);
  const [stale, fresh] = await makeTickets(db, 2, (i) => ({ requesterId: customer.id, statusId: waitingId, at: isoIn(-(i === 0 ? 4 : 1) * DAY), subject: `Printer ${i}` }));

  t.same(await runAutoClose(db), { closedSolved: 0, reminded: 1, closedPending: 0 });
  const [reminder] = await mails({ db, app });
  t.same(reminder!.to, ['carla@example.test']);
  t.equal(reminder!.subject, `[#${stale}] We are waiting for your answer: Printer 0`);
  t.match(reminder!.text, 'Hello Carla,');
  t.match(reminder!.text, `/portal/tickets/${stale}`);
  t.equal((await ticketState(db, stale!)).name, 'Waiting on Customer (Fix Validation)', 'a reminder does not close');
  t.equal((await db.selectFrom('ticket_events').select('kind').where('ticket_id', '=', stale!).executeTakeFirstOrThrow()).kind, 'reminder');

  t.same(await runAutoClose(db), { closedSolved: 0, reminded: 0, closedPending: 0 }, 'once per waiting period');
  t.same(await runAutoClose(db, Date.now() + 2 * DAY), { closedSolved: 0, reminded: 1, closedPending: 0 },
    'the fresh ticket gets its own reminder when its time comes; the reminded one waits out the grace');

  t.same(await runAutoClose(db, Date.now() + 3 * DAY + HOUR), { closedSolved: 0, reminded: 0, closedPending: 1 });
  t.equal((await ticketState(db, stale!)).name, 'Closed');
  t.equal((await ticketState(db, fresh!)).name, 'Waiting on Customer (Fix Validation)');
  const closing = (await mails({ db, app })).at(-1)!;
  t.equal(closing.subject, `[#${stale}] Closed without an answer: Printer 0`);
  t.match(closing.text, 'because we did not hear back from you');

  const portal = new Client(app);
  await portal.login(customer.email, PASSWORD);
  const page = await portal.get(`/portal/tickets/${stale}`);
  t.match(page.body, 'Status changed from Waiting for you to Closed', 'the customer sees the closure in the timeline');
});

t.test('an answer after the reminder starts a new waiting period with a fresh reminder', async (t) => {
  const { db, customer, waitingId } = await setup(t, { 'autoclose.pending_days': '3', 'autoclose.pending_grace_days': '2' });
  const [id] = await makeTickets(db, 1, { requesterId: customer.id, statusId: waitingId, at: isoIn(-4 * DAY) });
  t.equal((await runAutoClose(db)).reminded, 1);
  await db.updateTable('tickets').set({ last_activity_at: isoIn(HOUR) }).where('id', '=', id!).execute();
  t.same(await runAutoClose(db, Date.now() + 2 * DAY + 2 * HOUR), { closedSolved: 0, reminded: 0, closedPending: 0 },
    'activity after the reminder: not closed');
  t.same(await runAutoClose(db, Date.now() + 3 * DAY + 2 * HOUR), { closedSolved: 0, reminded: 1, closedPending: 0 });
  t.same(await runAutoClose(db, Date.now() + 3 * DAY + 3 * HOUR), { closedSolved: 0, reminded: 0, closedPending: 0 });
  t.equal((await db.selectFrom('ticket_events').select('id').where('kind', '=', 'reminder').execute()).length, 2);
});

t.test('the reminder is written in the customer\'s language', async (t) => {
  const { db, app, customer, waitingId } = await setup(t);
  await db.updateTable('users').set({ locale: 'de' }).where('id', '=', customer.id).execute();
  const [id] = await makeTickets(db, 1, { requesterId: customer.id, statusId: waitingId, at: isoIn(-4 * DAY), subject: 'Drucker' });
  await runAutoClose(db);
  const [reminder] = await mails({ db, app });
  t.equal(reminder!.subject, `[#${id}] Wir warten auf Ihre Antwort: Drucker`);
  t.match(reminder!.text, 'Hallo Carla,');
});

t.test('with 0 days nothing closes, however old', async (t) => {
  const { db, customer, waitingId, solvedId } = await setup(t, { 'autoclose.solved_days': '0', 'autoclose.pending_days': '0' });
  await makeTickets(db, 2, (i) => ({ requesterId: customer.id, statusId: i ? waitingId : solvedId, at: isoIn(-400 * DAY) }));
  await db.updateTable('tickets').set((eb) => ({ solved_at: eb.ref('last_activity_at') })).execute();
  t.same(await runAutoClose(db), { closedSolved: 0, reminded: 0, closedPending: 0 });
});

t.test('the hourly job works through more tickets than one batch and books its next run', async (t) => {
  const { db, app, customer, solvedId } = await setup(t);
  await makeTickets(db, 450, { requesterId: customer.id, statusId: solvedId, at: isoIn(-10 * DAY) });
  await db.updateTable('tickets').set((eb) => ({ solved_at: eb.ref('last_activity_at') })).execute();
  await scheduleAutoClose(db);
  await scheduleAutoClose(db);
  t.equal(await app.worker.drain(5), 1, 'booked once');
  const left = await db.selectFrom('tickets').select('id').where('status_id', '=', solvedId).execute();
  t.equal(left.length, 0, 'all 450 closed');
  const next = await db.selectFrom('jobs').select(['run_at', 'state']).where('kind', '=', AUTOCLOSE_JOB).where('state', '=', 'queued').executeTakeFirstOrThrow();
  // Auto-close is now the default automations, which the automations job checks every five minutes (issue 21).
  t.ok(next.run_at > isoIn(4 * 60_000) && next.run_at <= isoIn(5 * 60_000), 'the next run is in five minutes');
});
