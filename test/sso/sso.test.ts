import t, { type Test } from 'tap';
import type { FastifyInstance } from 'fastify';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';
import { startOpenIdProvider, type TestProvider } from './provider.js';

// Issue 24, point 3: single sign-on with OpenID Connect against a REAL provider (oidc-provider on
// loopback): success, wrong state, wrong nonce, unverified address, disabled account, new people,
// password sign-in switched off, and the admin pages (secret never shown, changes audited).

function alert(html: string): string | undefined {
  return /role="alert">([^<]*)</.exec(html)?.[1];
}

async function setUp(t: Test, fields: Record<string, string> = {}) {
  const desk = await buildTestDesk(t);
  const { app, db } = desk;
  const provider = await startOpenIdProvider(t, [1, 2, 3].map((id) => `${app.mail.baseUrl}/login/sso/${id}/callback`));
  const admin = await makeUser(db, 'admin', { name: 'Ada' });
  const ada = new Client(app);
  await ada.login(admin.email, PASSWORD);
  await ada.get('/admin/sso/new');
  const created = await ada.post('/admin/sso', {
    name: 'Company', issuer: provider.issuer, clientId: provider.clientId, clientSecret: provider.clientSecret,
    forStaff: '1', newRole: 'none', passwordAllowed: '1', enabled: '1', ...fields,
  });
  t.equal(created.statusCode, 303, 'the admin adds the provider');
  const id = Number(/\/admin\/sso\/(\d+)$/.exec(String(created.headers.location))![1]);
  return { ...desk, provider, ada, admin, id };
}

/** Click "Sign in with Company", pass the provider, and come back: the callback's response. */
async function signIn(app: FastifyInstance, provider: TestProvider, id: number, subject: string, tamper?: (callback: URL) => void | Promise<void>) {
  const client = new Client(app);
  const login = await client.page('/login');
  if (!login.includes(`href="/login/sso/${id}"`)) throw new Error('no button on the login page');
  const start = await client.get(`/login/sso/${id}`);
  if (start.statusCode !== 303) throw new Error(`start: ${start.statusCode} ${start.body.slice(0, 300)}`);
  provider.signInAs(subject);
  const back = await provider.follow(String(start.headers.location));
  await tamper?.(back);
  const response = await client.get(back.pathname + back.search);
  return { client, response, back };
}

t.test('an agent signs in through the provider, linked by verified address; state, nonce and PKCE are used', async (t) => {
  const { app, db, provider, id } = await setUp(t);
  const agent = await makeUser(db, 'agent', { name: 'Otto', email: 'otto@example.test' });
  provider.accounts.set('sub-otto', { email: 'Otto@example.test', email_verified: true, name: 'Otto O.' });

  const client = new Client(app);
  t.match(await client.page('/login'), 'Sign in with Company', 'the button is on the login page');
  const start = await client.get(`/login/sso/${id}`);
  const to = new URL(String(start.headers.location));
  t.equal(to.origin, provider.issuer, 'the browser goes to the provider');
  t.equal(to.searchParams.get('code_challenge_method'), 'S256', 'with PKCE');
  t.ok(to.searchParams.get('state') && to.searchParams.get('nonce'), 'a state and a nonce');
  t.equal(to.searchParams.get('redirect_uri'), `${app.mail.baseUrl}/login/sso/${id}/callback`);

  const { client: otto, response } = await signIn(app, provider, id, 'sub-otto');
  t.equal(response.statusCode, 303, response.body.slice(0, 300));
  t.equal(response.headers.location, '/agent');
  t.match(await otto.page('/agent'), 'Signed in as Otto');
  const identity = await db.selectFrom('sso_identities').selectAll().executeTakeFirstOrThrow();
  t.same([identity.user_id, identity.subject], [agent.id, 'sub-otto'], 'the subject is linked to Otto');
  t.equal((await db.selectFrom('audit_log').select('id').where('action', '=', 'user.ssoLinked').execute()).length, 1, 'the link is audited');
  t.equal((await db.selectFrom('sso_flows').select('id').execute()).length, 1, 'the flow is used up (the one only started above remains)');

  // Linked by subject from now on, even when the provider's address changes.
  provider.accounts.set('sub-otto', { email: 'otto.new@example.test', email_verified: true, name: 'Otto' });
  const again = await signIn(app, provider, id, 'sub-otto');
  t.equal(again.response.headers.location, '/agent', 'the same subject signs in again');
});

t.test('refused: wrong state, wrong nonce, no flow cookie, unverified address, unknown person, disabled account, customers', async (t) => {
  const { app, db, provider, id } = await setUp(t);
  const agent = await makeUser(db, 'agent', { email: 'anna@example.test' });
  provider.accounts.set('sub-anna', { email: 'anna@example.test', email_verified: true, name: 'Anna' });

  const refused = async (what: string, result: Awaited<ReturnType<typeof signIn>>, message: string) => {
    t.equal(result.response.statusCode, 403, `${what}: refused`);
    t.equal(alert(result.response.body), message, `${what}: says why`);
    t.notOk(result.client.cookies.has('deskbell_session'), `${what}: no session`);
  };

  await refused('wrong state', await signIn(app, provider, id, 'sub-anna', (back) => back.searchParams.set('state', 'forged-state')),
    'Signing in through the provider did not work. Please try again.');
  await refused('wrong nonce', await signIn(app, provider, id, 'sub-anna', async () => {
    await db.updateTable('sso_flows').set({ nonce: 'another-nonce' }).execute();
  }), 'Signing in through the provider did not work. Please try again.');

  // The provider's answer taken to another browser (no flow cookie there): refused.
  const victim = new Client(app);
  await victim.get('/login');
  const start = await victim.get(`/login/sso/${id}`);
  provider.signInAs('sub-anna');
  const back = await provider.follow(String(start.headers.location));
  const stranger = new Client(app);
  const noCookie = await stranger.get(back.pathname + back.search);
  t.equal(noCookie.statusCode, 403, 'a callback without the flow cookie of the browser that began it is refused');
  t.notOk(stranger.cookies.has('deskbell_session'));

  provider.accounts.set('sub-unverified', { email: 'anna@example.test', email_verified: false, name: 'Mallory' });
  await refused('unverified address', await signIn(app, provider, id, 'sub-unverified'),
    'The provider did not confirm your email address, so it cannot sign you in here.');

  provider.accounts.set('sub-nobody', { email: 'nobody@example.test', email_verified: true, name: 'Nobody' });
  await refused('no account', await signIn(app, provider, id, 'sub-nobody'), 'There is no account here for your email address. Ask an admin to add you.');

  const customer = await makeUser(db, 'customer', { email: 'cora@example.test' });
  provider.accounts.set('sub-cora', { email: customer.email, email_verified: true, name: 'Cora' });
  await refused('a customer (the provider is for staff)', await signIn(app, provider, id, 'sub-cora'),
    'This provider does not sign in accounts like yours. Please sign in another way.');

  await db.updateTable('users').set({ state: 'disabled' }).where('id', '=', agent.id).execute();
  await refused('disabled account', await signIn(app, provider, id, 'sub-anna'), 'This account is disabled.');
  t.equal((await db.selectFrom('sso_identities').select('user_id').execute()).length, 0, 'nobody was linked');
});

t.test('new people: created with the provider\'s role, within its email domains', async (t) => {
  const { app, db, provider, id } = await setUp(t, { forStaff: '', forCustomers: '1', newRole: 'customer', emailDomains: 'client.test' });
  provider.accounts.set('sub-new', { email: 'neo@client.test', email_verified: true, name: 'Neo' });
  const { client, response } = await signIn(app, provider, id, 'sub-new');
  t.equal(response.headers.location, '/portal', 'a new customer lands in the portal');
  t.match(await client.page('/portal'), 'Signed in as Neo');
  const neo = await db.selectFrom('users').select(['role', 'state', 'password_hash']).where('email', '=', 'neo@client.test').executeTakeFirstOrThrow();
  t.same(neo, { role: 'customer', state: 'active', password_hash: null });
  t.equal((await db.selectFrom('audit_log').select('id').where('action', '=', 'user.createdBySso').execute()).length, 1, 'audited');
  provider.accounts.set('sub-out', { email: 'eve@elsewhere.test', email_verified: true, name: 'Eve' });
  const outside = await signIn(app, provider, id, 'sub-out');
  t.equal(outside.response.statusCode, 403);
  t.match(outside.response.body, 'Your email address is not one this provider signs in here.');
});

t.test('password sign-in switched off for the provider\'s people; the admin pages never show the secret', async (t) => {
  const { app, db, provider, id, ada } = await setUp(t, { passwordAllowed: '', emailDomains: 'example.test' });
  const agent = await makeUser(db, 'agent', { email: 'pia@example.test' });
  const other = await makeUser(db, 'agent', { email: 'olaf@other.test' });
  const pia = new Client(app);
  await pia.get('/login');
  const refused = await pia.post('/login', { email: agent.email, password: PASSWORD });
  t.equal(refused.statusCode, 422);
  t.equal(alert(refused.body), 'Your account signs in through single sign-on: please use the button for your provider.');
  t.notOk(pia.cookies.has('deskbell_session'));
  const olaf = new Client(app);
  await olaf.get('/login');
  t.equal((await olaf.post('/login', { email: other.email, password: PASSWORD })).headers.location, '/agent', 'another domain keeps its password');

  const page = await ada.page(`/admin/sso/${id}`);
  t.match(page, `${app.mail.baseUrl}/login/sso/${id}/callback`, 'the redirect URI to register is shown');
  t.notMatch(page, provider.clientSecret, 'the secret is never shown again');
  const list = await ada.page('/admin/sso');
  t.match(list, 'Company');
  // Saving without a secret keeps it; the audit log has no secret.
  const saved = await ada.post(`/admin/sso/${id}`, {
    name: 'Company SSO', issuer: provider.issuer, clientId: provider.clientId, clientSecret: '', forStaff: '1', newRole: 'none', enabled: '1', emailDomains: 'example.test',
  });
  t.equal(saved.statusCode, 303);
  t.equal((await db.selectFrom('sso_providers').select('client_secret').executeTakeFirstOrThrow()).client_secret, provider.clientSecret, 'the secret is kept');
  const audit = await db.selectFrom('audit_log').select(['action', 'details']).where('subject_type', '=', 'sso_provider').orderBy('id').execute();
  t.same(audit.map((row) => row.action), ['sso.providerCreated', 'sso.providerChanged']);
  for (const row of audit) t.notMatch(row.details, provider.clientSecret, `${row.action}: no secret in the audit log`);
  const bad = await ada.post(`/admin/sso/${id}`, { name: '', issuer: 'http://idp.example.com', clientId: 'x', forStaff: '', forCustomers: '' });
  t.equal(bad.statusCode, 422, 'a plain-http issuer elsewhere than this machine, and nobody to sign in: refused');
  t.match(bad.body, 'Enter the provider&#39;s https:// address');
  t.match(bad.body, 'Choose staff, customers or both.');

  provider.accounts.set('sub-pia', { email: agent.email, email_verified: true, name: 'Pia' });
  const { response } = await signIn(app, provider, id, 'sub-pia');
  t.equal(response.headers.location, '/agent', 'Pia signs in through the provider');
  await ada.post(`/admin/sso/${id}/delete`);
  t.notMatch(await new Client(app).page('/login'), 'Sign in with Company', 'a deleted provider leaves the login page');
});

t.test('a provider that cannot be reached: back to the login page, saying so', async (t) => {
  const { app, ada } = await setUp(t);
  const created = await ada.post('/admin/sso', { name: 'Down', issuer: 'http://127.0.0.1:9', clientId: 'x', clientSecret: 'y', forStaff: '1', newRole: 'none', passwordAllowed: '1', enabled: '1' });
  const id = /\/admin\/sso\/(\d+)$/.exec(String(created.headers.location))![1];
  const client = new Client(app);
  await client.get('/login');
  const start = await client.get(`/login/sso/${id}`);
  t.equal(start.statusCode, 303);
  t.equal(start.headers.location, '/login');
  t.match(await client.page('/login'), 'The sign-in provider cannot be reached right now.');
});
