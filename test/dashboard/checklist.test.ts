import t from 'tap';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';

const stepStates = (html: string) =>
  Object.fromEntries([...html.matchAll(/<li class="(done|open)" data-step="(\w+)">/g)].map((m) => [m[2], m[1]]));

t.test('a new desk shows the admin every set-up step open, and each ticks itself off from the data', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const admin = await makeUser(db, 'admin');
  const client = new Client(app);
  await client.login(admin.email, PASSWORD);
  const open = { types: 'open', agents: 'open', mailOut: 'open', mailIn: 'open', portal: 'open' };
  t.same(stepStates((await client.get('/agent')).body), open, 'on the dashboard');
  t.same(stepStates((await client.get('/admin')).body), open, 'and on the admin page');
  t.match((await client.get('/admin')).body, /<a href="\/admin\/types">Create a ticket type<\/a>/);

  await db.insertInto('ticket_types').values({ name: 'Billing', default_group_id: null, initial_status_id: null, retired_at: null, created_at: new Date().toISOString() }).execute();
  await makeUser(db, 'agent');
  const added = await client.post('/admin/mail/addresses', { address: 'help@example.test', brandId: '1' });
  t.equal(added.statusCode, 303, 'a support address is added');
  t.same(stepStates((await client.get('/agent')).body), { ...open, types: 'done', agents: 'done', mailIn: 'done' });
});

t.test('outgoing mail and portal text count as done once set', async (t) => {
  const { app, db } = await buildTestDesk(t, { smtpUrl: 'smtp://127.0.0.1:2525' });
  const admin = await makeUser(db, 'admin');
  await db.insertInto('settings').values({ key: 'portal.help_text', value: 'Call us.' }).execute();
  const client = new Client(app);
  await client.login(admin.email, PASSWORD);
  const states = stepStates((await client.get('/admin')).body);
  t.equal(states.mailOut, 'done');
  t.equal(states.portal, 'done');
});

t.test('the admin dismisses the checklist; the form needs its CSRF token, and agents cannot', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const admin = await makeUser(db, 'admin');
  const agentUser = await makeUser(db, 'agent');
  const client = new Client(app);
  await client.login(admin.email, PASSWORD);
  await client.get('/admin');
  t.equal((await client.post('/admin/setup/dismissal', { _csrf: 'forged', back: '/admin' })).statusCode, 403);
  t.match((await client.get('/admin')).body, /Set up your desk/, 'still shown after a forged post');

  const agent = new Client(app);
  await agent.login(agentUser.email, PASSWORD);
  await agent.get('/agent');
  t.equal((await agent.post('/admin/setup/dismissal', { back: '/agent' })).statusCode, 403);

  const done = await client.post('/admin/setup/dismissal', { back: '/admin' });
  t.equal(done.statusCode, 303);
  t.equal(done.headers.location, '/admin');
  const after = await client.get('/admin');
  t.equal(after.statusCode, 200);
  t.match(after.body, /The set-up checklist is hidden\./);
  t.notMatch(after.body, /Set up your desk/);
  t.notMatch(await client.page('/agent'), /Set up your desk/);
});
