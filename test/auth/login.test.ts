import t from 'tap';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';

t.test('a customer logs in and lands on the portal; an agent lands on /agent', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const customer = await makeUser(db, 'customer');
  const agent = await makeUser(db, 'agent');

  const page = await new Client(app).get('/login');
  t.equal(page.statusCode, 200);
  t.match(page.body, /<label for="f-email">Email/);
  t.match(page.body, /<label for="f-password">Password/);

  const asCustomer = new Client(app);
  const res = await asCustomer.login(customer.email, PASSWORD);
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/portal');
  t.equal((await asCustomer.get('/portal')).statusCode, 200);

  const asAgent = new Client(app);
  t.equal((await asAgent.login(agent.email, PASSWORD)).headers.location, '/agent');
});

t.test('a wrong password re-renders the form with the message and the typed email', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const agent = await makeUser(db, 'agent');
  const client = new Client(app);
  await client.get('/login');
  const res = await client.post('/login', { email: agent.email, password: 'not the password' });
  t.equal(res.statusCode, 422);
  t.match(res.body, 'Wrong email or password.');
  t.match(res.body, `value="${agent.email}"`);
  t.notOk(client.cookies.has('deskbell_session'), 'no session was started');
  const unknown = await client.post('/login', { email: 'nobody@example.test', password: 'whatever-it-is' });
  t.equal(unknown.statusCode, 422);
  t.match(unknown.body, 'Wrong email or password.', 'an unknown address gets the same answer');
});

t.test('a disabled person cannot log in, and their open sessions stop working', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const agent = await makeUser(db, 'agent');
  const client = new Client(app);
  await client.login(agent.email, PASSWORD);
  t.equal((await client.get('/agent/tickets')).statusCode, 200);
  await db.updateTable('users').set({ state: 'disabled' }).where('id', '=', agent.id).execute();
  const after = await client.get('/agent/tickets');
  t.equal(after.statusCode, 303, 'the session no longer counts');
  t.match(after.headers.location, /^\/login/);
  const again = await new Client(app).login(agent.email, PASSWORD);
  t.equal(again.statusCode, 422);
});

t.test('the session cookie is HttpOnly and SameSite=Lax, Secure behind https, and renewed at login', async (t) => {
  const plain = await buildTestDesk(t);
  const user = await makeUser(plain.db, 'agent');
  const client = new Client(plain.app);
  await client.get('/login');
  const visitorCookie = client.cookies.get('deskbell_session');
  t.equal(visitorCookie, undefined);
  const res = await client.post('/login', { email: user.email, password: PASSWORD });
  const cookie = (res.cookies as { name: string; httpOnly?: boolean; sameSite?: string; secure?: boolean; path?: string }[])
    .find((c) => c.name === 'deskbell_session');
  t.ok(cookie, 'a session cookie is set');
  t.equal(cookie?.httpOnly, true);
  t.equal(cookie?.sameSite, 'Lax');
  t.notOk(cookie?.secure, 'no Secure flag on plain http');
  const firstToken = client.cookies.get('deskbell_session');
  const rows = await plain.db.selectFrom('sessions').select('id').execute();
  t.equal(rows.length, 1);
  t.not(rows[0]!.id, firstToken, 'only a hash of the token is stored');

  // Logging in again (e.g. from the same browser) gives a new session id and ends the old one.
  await client.get('/agent/tickets');
  await client.post('/login', { email: user.email, password: PASSWORD });
  t.not(client.cookies.get('deskbell_session'), firstToken);
  t.equal((await plain.db.selectFrom('sessions').select('id').execute()).length, 1);

  const secure = await buildTestDesk(t, {}, { BASE_URL: 'https://help.example.test' });
  const secureUser = await makeUser(secure.db, 'agent');
  const secureClient = new Client(secure.app);
  await secureClient.get('/login');
  const secureRes = await secureClient.post('/login', { email: secureUser.email, password: PASSWORD });
  const secureCookie = (secureRes.cookies as { name: string; secure?: boolean }[]).find((c) => c.name === 'deskbell_session');
  t.equal(secureCookie?.secure, true, 'Secure when BASE_URL is https');
});

t.test('logging out deletes the session; an expired session is not accepted', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const agent = await makeUser(db, 'agent');
  const client = new Client(app);
  await client.login(agent.email, PASSWORD);
  const token = client.cookies.get('deskbell_session')!;
  const out = await client.post('/logout');
  t.equal(out.statusCode, 303);
  t.equal(out.headers.location, '/login');
  t.equal((await db.selectFrom('sessions').select('id').execute()).length, 0, 'the session row is gone');
  const replay = await app.inject({ url: '/agent/tickets', cookies: { deskbell_session: token } });
  t.equal(replay.statusCode, 303, 'the old cookie no longer works');

  const again = new Client(app);
  await again.login(agent.email, PASSWORD);
  await db.updateTable('sessions').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).execute();
  t.equal((await again.get('/agent/tickets')).statusCode, 303, 'an expired session sends to login');
});

t.test('a form posted without a valid CSRF token is refused with 403 and changes nothing', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const agent = await makeUser(db, 'agent');
  const client = new Client(app);
  await client.login(agent.email, PASSWORD);
  const form = { requesterEmail: 'c@example.test', subject: 'Forged', message: 'from another site' };
  const missing = await client.post('/agent/tickets', { ...form, _csrf: '' });
  t.equal(missing.statusCode, 403);
  t.match(missing.body, 'The form expired or did not come from this site');
  const wrong = await client.post('/agent/tickets', { ...form, _csrf: 'x'.repeat(43) });
  t.equal(wrong.statusCode, 403);
  t.equal((await db.selectFrom('tickets').select('id').execute()).length, 0, 'no ticket was created');

  // The header htmx sends works as well as the form field.
  const viaHeader = await client.post('/agent/tickets', { ...form, _csrf: '' }, { 'x-csrf-token': client.csrf });
  t.equal(viaHeader.statusCode, 303);
  // A visitor's login form is protected too.
  const visitor = await app.inject({ method: 'POST', url: '/login', payload: { email: agent.email, password: PASSWORD } });
  t.equal(visitor.statusCode, 403);
});

t.test('roles: visitors are sent to log in, customers cannot enter staff pages, staff cannot enter the portal', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const anonymous = await app.inject({ url: '/agent/tickets?x=1' });
  t.equal(anonymous.statusCode, 303);
  t.equal(anonymous.headers.location, '/login?next=%2Fagent%2Ftickets%3Fx%3D1');

  const customer = new Client(app);
  await customer.login((await makeUser(db, 'customer')).email, PASSWORD);
  t.equal((await customer.get('/agent/tickets')).statusCode, 403);
  t.equal((await customer.get('/admin/outbox')).statusCode, 403);

  const agent = new Client(app);
  await agent.login((await makeUser(db, 'agent')).email, PASSWORD);
  t.equal((await agent.get('/portal')).statusCode, 403);
  t.equal((await agent.get('/admin/outbox')).statusCode, 403, 'the outbox is for admins');
});

t.test('login honours a local next= and ignores one pointing elsewhere', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const agent = await makeUser(db, 'agent');
  for (const [next, expected] of [['/agent/tickets/new', '/agent/tickets/new'], ['//evil.example', '/agent'],
    ['https://evil.example/', '/agent'], ['/\\evil.example', '/agent']] as const) {
    const client = new Client(app);
    await client.get(`/login?next=${encodeURIComponent(next)}`);
    const res = await client.post('/login', { email: agent.email, password: PASSWORD, next });
    t.equal(res.headers.location, expected, `next=${next}`);
  }
});

t.test('a crafted next= never breaks login: odd characters are percent-encoded, other places fall back to the home page', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const agent = await makeUser(db, 'agent');
  const cases: [string, string][] = [
    ['/\u3002evil', '/%E3%80%82evil'],
    ['/agent/search?q=grüße und mehr', '/agent/search?q=gr%C3%BC%C3%9Fe%20und%20mehr'],
    ['/agent/tickets?x="<b>"', '/agent/tickets?x=%22%3Cb%3E%22'],
    ['//evil.example', '/agent'],
    ['/\\evil.example', '/agent'],
    ['https://evil.example/', '/agent'],
    ['\u3002evil.example', '/agent'],
    ['/\r\nSet-Cookie: stolen=1', '/agent'],
    ['/\t/evil.example', '/agent'],
    ['/\u0000', '/agent'],
  ];
  for (const [next, expected] of cases) {
    const client = new Client(app);
    const form = await client.get(`/login?next=${encodeURIComponent(next)}`);
    t.equal(form.statusCode, 200, `the form opens with next=${JSON.stringify(next)}`);
    const res = await client.post('/login', { email: agent.email, password: PASSWORD, next });
    t.equal(res.statusCode, 303, `next=${JSON.stringify(next)} logs in`);
    t.equal(res.headers.location, expected, `next=${JSON.stringify(next)} goes to ${expected}`);
    t.notOk(res.headers['set-cookie']?.toString().includes('stolen'), 'no header is smuggled in');
    t.equal((await client.get('/agent/tickets')).statusCode, 200, 'and the session works');
  }
});
