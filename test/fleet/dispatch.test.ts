import t, { type Test } from 'tap';
import { receiveMessage } from '../../src/mailin/receive.js';
import { postMultipart } from '../attachments/helpers.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeTickets, makeUser, PASSWORD } from '../helpers/factories.js';
import { STATUS } from './helpers.js';

/** The seeded General type (id 1, group Support = 1) with a dispatch policy; three agents in Support, one outside. */
async function dispatchDesk(t: Test, policy: string, extra: { dispatch_count?: number; members_needed?: number } = {}) {
  const desk = await buildTestDesk(t, { mailDomain: 'desk.test' });
  const { db } = desk;
  await db.updateTable('ticket_types').set({ dispatch_policy: policy, ...extra }).where('id', '=', 1).execute();
  const agents = [];
  for (const name of ['Ada', 'Ben', 'Cai']) agents.push(await makeUser(db, 'agent', { name, email: `${name.toLowerCase()}@desk.test` }));
  await db.insertInto('group_members').values(agents.map((a) => ({ group_id: 1, user_id: a.id }))).execute();
  const outsider = await makeUser(db, 'agent', { name: 'Olga Outside' });
  const supervisor = await makeUser(db, 'supervisor', { name: 'Sam' });
  const customer = await makeUser(db, 'customer', { name: 'Cora', email: 'cora@example.test' });
  const client = new Client(desk.app);
  await client.login(supervisor.email, PASSWORD);
  await client.get('/agent/tickets/new');
  /** A supervisor opens a ticket with the agent form; returns its id. */
  const open = async (subject: string) => {
    const res = await client.post('/agent/tickets', { requesterEmail: customer.email, subject, message: 'Please help.', typeId: '1' });
    t.equal(res.statusCode, 303, `created ${subject}`);
    return Number(/\/agent\/tickets\/(\d+)$/.exec(String(res.headers.location))![1]);
  };
  const members = async (ticketId: number) => db.selectFrom('ticket_members').innerJoin('users', 'users.id', 'ticket_members.user_id')
    .select(['users.name', 'ticket_members.role', 'ticket_members.offer_state', 'ticket_members.is_primary'])
    .where('ticket_id', '=', ticketId).orderBy('users.id').execute();
  const assigneeName = async (ticketId: number) => (await db.selectFrom('tickets').leftJoin('users', 'users.id', 'tickets.assignee_id')
    .select('users.name').where('tickets.id', '=', ticketId).executeTakeFirstOrThrow()).name;
  const mailsTo = async () => (await desk.app.worker.consume(), await db.selectFrom('jobs').select('payload').where('kind', '=', 'mail').execute())
    .map((j) => JSON.parse(j.payload) as { to: string[]; subject: string });
  return { ...desk, agents, outsider, customer, client, open, members, assigneeName, mailsTo };
}

t.test('round-robin spreads 30 tickets evenly over the group, in turn, and keeps its place', async (t) => {
  const { open, assigneeName, db, members } = await dispatchDesk(t, 'round_robin');
  const names: string[] = [];
  for (let i = 0; i < 30; i++) names.push((await assigneeName(await open(`Job ${i}`)))!);
  t.same(names.slice(0, 6), ['Ada', 'Ben', 'Cai', 'Ada', 'Ben', 'Cai']);
  const counts = Object.fromEntries(['Ada', 'Ben', 'Cai', 'Olga Outside'].map((n) => [n, names.filter((x) => x === n).length]));
  t.same(counts, { Ada: 10, Ben: 10, Cai: 10, 'Olga Outside': 0 }, 'ten each, nobody outside the group');
  t.same(await db.selectFrom('dispatch_cursors').selectAll().execute(), [{ pool: 'group:1', last_user_id: (await db.selectFrom('users').select('id').where('name', '=', 'Cai').executeTakeFirstOrThrow()).id }]);
  const last = (await db.selectFrom('tickets').select('id').orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow()).id;
  t.same(await members(last), [{ name: 'Cai', role: 'assigned', offer_state: null, is_primary: 1 }], 'the assignee is the primary member');
  const event = await db.selectFrom('ticket_events').selectAll().where('ticket_id', '=', last).where('kind', '=', 'assignee').executeTakeFirstOrThrow();
  t.same([event.actor_id, event.to_value], [null, 'Cai'], 'assigned by Deskbell itself');
});

t.test('load-balanced picks the member with the fewest open tickets; ties go to the earlier account', async (t) => {
  const { open, assigneeName, db, agents, customer } = await dispatchDesk(t, 'load_balanced');
  const [ada, ben, cai] = agents;
  await makeTickets(db, 2, { requesterId: customer.id, assigneeId: ada!.id, statusId: STATUS.open });
  await makeTickets(db, 1, { requesterId: customer.id, assigneeId: cai!.id, statusId: STATUS.pending });
  await makeTickets(db, 5, { requesterId: customer.id, assigneeId: ben!.id, statusId: STATUS.solved });
  const names: string[] = [];
  for (let i = 0; i < 6; i++) names.push((await assigneeName(await open(`Job ${i}`)))!);
  t.same(names, ['Ben', 'Ben', 'Cai', 'Ada', 'Ben', 'Cai'], 'solved tickets do not count as load');
});

t.test('"offer to N" offers to the next N of the rotation; "offer to all" to the whole group', async (t) => {
  const { open, members, mailsTo, db } = await dispatchDesk(t, 'offer_n', { dispatch_count: 2 });
  const first = await open('First');
  const second = await open('Second');
  t.same((await members(first)).map((m) => [m.name, m.role, m.offer_state]), [['Ada', 'requested', 'pending'], ['Ben', 'requested', 'pending']]);
  t.same((await members(second)).map((m) => m.name), ['Ada', 'Cai'], 'the rotation goes on: Cai, then Ada');
  const offers = (await mailsTo()).filter((m) => m.subject.includes('Ticket offer'));
  t.same(offers.map((m) => m.to[0]), ['ada@desk.test', 'ben@desk.test', 'cai@desk.test', 'ada@desk.test']);
  t.equal((await db.selectFrom('tickets').select('assignee_id').where('id', '=', first).executeTakeFirstOrThrow()).assignee_id, null, 'offers assign nobody');

  await db.updateTable('ticket_types').set({ dispatch_policy: 'offer_all' }).execute();
  const third = await open('Third');
  t.same((await members(third)).map((m) => m.name), ['Ada', 'Ben', 'Cai'], 'every group member, not the outsider');
});

t.test('round-robin with two employees needed assigns two; a ticket without a group draws on all staff', async (t) => {
  const { open, members, db } = await dispatchDesk(t, 'round_robin', { members_needed: 2 });
  const id = await open('Two hands');
  t.same((await members(id)).map((m) => [m.name, m.is_primary]), [['Ada', 1], ['Ben', 0]]);
  await db.updateTable('ticket_types').set({ default_group_id: null, members_needed: 1 }).execute();
  const loose = await open('No group');
  t.equal((await members(loose)).length, 1);
  t.equal((await db.selectFrom('dispatch_cursors').select('pool').where('pool', '=', 'staff').executeTakeFirst())?.pool, 'staff');
});

t.test('inbound mail and the portal are dispatched through the same policy', async (t) => {
  const { db, members, app, config, customer } = await dispatchDesk(t, 'offer_all');
  const raw = Buffer.from(['From: Cora <cora@example.test>', 'To: support@desk.test', 'Subject: Radiator cold',
    'Message-ID: <radiator-1@example.test>', 'Date: Mon, 02 Mar 2026 10:00:00 +0000', 'Content-Type: text/plain', '', 'It is cold.', ''].join('\r\n'));
  await receiveMessage({ db, config, mail: app.mail }, raw);
  const byMail = await db.selectFrom('tickets').select('id').where('subject', '=', 'Radiator cold').executeTakeFirstOrThrow();
  t.equal((await members(byMail.id)).length, 3, 'the mail ticket was offered to the group');

  const cora = new Client(app);
  await cora.login(customer.email, PASSWORD);
  await cora.get('/portal/tickets/new');
  const res = await postMultipart(app, cora, '/portal/tickets', [{ name: '_csrf', value: cora.csrf }, { name: 'typeId', value: '1' },
    { name: 'subject', value: 'Portal job' }, { name: 'message', value: 'From the portal.' }]);
  t.equal(res.statusCode, 303);
  const byPortal = await db.selectFrom('tickets').select('id').where('subject', '=', 'Portal job').executeTakeFirstOrThrow();
  t.same((await members(byPortal.id)).map((m) => m.offer_state), ['pending', 'pending', 'pending']);
});

t.test('a draft gets no offers and sends nothing until it is submitted', async (t) => {
  const { db, members, app, customer, mailsTo } = await dispatchDesk(t, 'offer_all');
  await db.insertInto('statuses').values({ name: 'Draft', customer_label: 'Draft', category: 'draft', position: 0, is_default_for_category: 1 }).execute();
  const cora = new Client(app);
  await cora.login(customer.email, PASSWORD);
  await cora.get('/portal/tickets/new');
  const fields = [{ name: 'typeId', value: '1' }, { name: 'subject', value: 'Half done' }];
  const saved = await postMultipart(app, cora, '/portal/tickets', [{ name: '_csrf', value: cora.csrf }, ...fields, { name: 'message', value: '' }, { name: 'draft', value: '1' }]);
  t.equal(saved.statusCode, 303);
  const id = Number(/\/portal\/tickets\/(\d+)$/.exec(String(saved.headers.location))![1]);
  t.same(await members(id), [], 'no offers for a draft');
  t.same(await mailsTo(), [], 'and no mail at all');

  await cora.get(`/portal/tickets/${id}/edit-draft`);
  const done = await postMultipart(app, cora, `/portal/tickets/${id}/submit-draft`, [{ name: '_csrf', value: cora.csrf }, ...fields, { name: 'message', value: 'Now complete.' }]);
  t.equal(done.statusCode, 303);
  t.same((await members(id)).map((m) => [m.name, m.offer_state]), [['Ada', 'pending'], ['Ben', 'pending'], ['Cai', 'pending']], 'submitted: offered');
  t.equal((await mailsTo()).filter((m) => m.subject.includes('Ticket offer')).length, 3);
});
