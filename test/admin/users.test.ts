import type { FastifyInstance } from 'fastify';
import t from 'tap';
import type { Db } from '../../src/db/connect.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';

interface MailPayload { to: string[]; subject: string; text: string }

/** The mails queued so far, once the notifications consumer has composed what the events call for. */
async function mails(app: FastifyInstance): Promise<MailPayload[]> {
  await app.worker.consume();
  const rows = await app.db.selectFrom('jobs').select('payload').where('kind', '=', 'mail').orderBy('id').execute();
  return rows.map((r) => JSON.parse(r.payload) as MailPayload);
}

function linkIn(mail: MailPayload, path: string): string {
  const link = new RegExp(`(http\\S+${path.replace('/', '\\/')}\\?token=\\S+)`).exec(mail.text)?.[1];
  if (!link) throw new Error(`no ${path} link in: ${mail.text}`);
  const url = new URL(link);
  return url.pathname + url.search;
}

async function audit(db: Db, action: string) {
  return db.selectFrom('audit_log').selectAll().where('action', '=', action).execute();
}

async function loggedIn(app: Client['app'], email: string, password = PASSWORD) {
  const client = new Client(app);
  await client.login(email, password);
  return client;
}

t.test('an admin adds a person with a password: they can log in at once (seed 002)', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const admin = await loggedIn(app, (await makeUser(db, 'admin')).email);

  const form = await admin.get('/admin/users/new');
  t.equal(form.statusCode, 200);
  t.match(form.body, 'Set a password now');
  const bad = await admin.post('/admin/users', { name: '', email: 'nope', role: 'agent', method: 'password', password: 'short' });
  t.equal(bad.statusCode, 422);
  t.match(bad.body, 'This field is required.');
  t.match(bad.body, 'Enter an email address like name@example.com.');
  t.match(bad.body, 'The password needs at least 12 characters.');
  t.notMatch(bad.body, 'value="short"', 'a typed password is never sent back');

  const created = await admin.post('/admin/users', { name: 'Quinn Agent', email: 'Quinn@Desk.test', role: 'agent', method: 'password', password: 'a long enough password' });
  t.equal(created.statusCode, 303);
  const person = await db.selectFrom('users').selectAll().where('email', '=', 'quinn@desk.test').executeTakeFirstOrThrow();
  t.equal(created.headers.location, `/admin/users/${person.id}`);
  t.match(person, { name: 'Quinn Agent', role: 'agent', state: 'active' });
  const page = await admin.get(`/admin/users/${person.id}`);
  t.match(page.body, 'The person is added and can log in with the password you set.');
  t.equal((await mails(app)).length, 0, 'no mail for a password the admin set');

  const quinn = await loggedIn(app, 'quinn@desk.test', 'a long enough password');
  t.equal((await quinn.get('/agent/tickets')).statusCode, 200, 'the new agent works');

  const again = await admin.post('/admin/users', { name: 'Quinn Again', email: 'quinn@desk.test', role: 'agent', method: 'password', password: 'a long enough password' });
  t.equal(again.statusCode, 422);
  t.match(again.body, 'Someone already uses this email address.');

  const [entry] = await audit(db, 'user.created');
  t.equal(entry!.subject_id, person.id);
  t.match(JSON.parse(entry!.details), { after: { email: 'quinn@desk.test', role: 'agent', state: 'active' }, method: 'password' });
  t.notMatch(entry!.details, 'long enough', 'no password in the audit log');
});

t.test('an admin invites a supervisor: the invitation mail is queued and its /welcome link logs them in', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const admin = await loggedIn(app, (await makeUser(db, 'admin')).email);
  await admin.get('/admin/users/new');
  const sent = await admin.post('/admin/users', { name: 'Sam Super', email: 'sam@desk.test', role: 'supervisor', method: 'invite' });
  t.equal(sent.statusCode, 303);
  t.match((await admin.get(sent.headers.location as string)).body, 'the invitation is on its way');
  const person = await db.selectFrom('users').selectAll().where('email', '=', 'sam@desk.test').executeTakeFirstOrThrow();
  t.match(person, { role: 'supervisor', state: 'invited', password_hash: null });

  const [mail] = await mails(app);
  t.same(mail!.to, ['sam@desk.test']);
  const sam = new Client(app);
  const welcome = await sam.get(linkIn(mail!, '/welcome'));
  t.equal(welcome.statusCode, 200);
  t.match(welcome.body, 'Create password');
  const token = new URL('http://x' + linkIn(mail!, '/welcome')).searchParams.get('token')!;
  const done = await sam.post('/welcome', { token, password: 'supervisor password', confirm: 'supervisor password' });
  t.equal(done.statusCode, 303);
  t.equal(done.headers.location, '/agent', 'staff land in the workspace');
  t.equal((await sam.get('/agent/tickets')).statusCode, 200);
});

t.test('the list searches names and addresses, filters by role and state, and pages by name', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const admin = await loggedIn(app, (await makeUser(db, 'admin', { name: 'Ada Admin' })).email);
  await makeUser(db, 'customer', { name: 'Zoe Zed', email: 'zoe@acme.test' });
  await makeUser(db, 'customer', { name: 'Yuri 100%', email: 'yuri@beta.test', state: 'disabled' });
  await makeUser(db, 'agent', { name: 'Xena Agent', email: 'xena@desk.test' });

  const all = await admin.get('/admin/users');
  t.equal(all.statusCode, 200);
  t.match(all.body, /<a href="\/admin\/users" aria-current="page">/, 'the admin menu marks People');
  for (const name of ['Ada Admin', 'Zoe Zed', 'Yuri 100%', 'Xena Agent']) t.match(all.body, name);
  const acme = await admin.get('/admin/users?q=ACME');
  t.equal(acme.statusCode, 200);
  t.match(acme.body, 'Zoe Zed');
  t.notMatch(acme.body, 'Xena Agent');
  const percent = await admin.get('/admin/users?q=' + encodeURIComponent('100%'));
  t.equal(percent.statusCode, 200);
  t.match(percent.body, 'Yuri 100%');
  t.notMatch(percent.body, 'Zoe Zed', '% is a literal character');
  const disabled = await admin.get('/admin/users?state=disabled');
  t.equal(disabled.statusCode, 200);
  t.match(disabled.body, 'Yuri 100%');
  t.notMatch(disabled.body, 'Zoe Zed');
  const agents = await admin.get('/admin/users?role=agent');
  t.equal(agents.statusCode, 200);
  t.match(agents.body, 'Xena Agent');
  t.notMatch(agents.body, 'Zoe Zed');
  t.equal((await admin.get('/admin/users?role=boss')).statusCode, 400);

  const fragment = await admin.get('/admin/users?q=zoe', { 'hx-request': 'true', 'hx-request-type': 'partial' });
  t.match(fragment.body, /^<div id="people-table">/, 'htmx gets just the table');

  for (let i = 0; i < 55; i++) await makeUser(db, 'customer', { name: `Paged ${String(i).padStart(2, '0')}`, email: `paged${i}@many.test` });
  const first = await admin.get('/admin/users?q=paged');
  t.equal(first.statusCode, 200);
  const more = /href="(\/admin\/users\?q=paged&amp;after=\d+)"/.exec(first.body)?.[1];
  t.ok(more, 'a link to the next page');
  t.match(first.body, 'Paged 49');
  t.notMatch(first.body, 'Paged 50');
  const second = await admin.get(more!.replace(/&amp;/g, '&'));
  t.equal(second.statusCode, 200);
  t.match(second.body, 'Paged 50');
  t.match(second.body, 'Paged 54');
  t.notMatch(second.body, 'Paged 49');
  t.notMatch(second.body, 'More people');
});

t.test('changing a role takes effect at once and is audited', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const admin = await loggedIn(app, (await makeUser(db, 'admin')).email);
  const agentRow = await makeUser(db, 'agent');
  const agent = await loggedIn(app, agentRow.email);
  t.equal((await agent.get('/admin')).statusCode, 403);

  await admin.get(`/admin/users/${agentRow.id}`);
  const res = await admin.post(`/admin/users/${agentRow.id}/role`, { role: 'admin' });
  t.equal(res.statusCode, 303);
  t.match((await admin.get(`/admin/users/${agentRow.id}`)).body, 'The role is changed.');
  t.equal((await agent.get('/admin')).statusCode, 200, 'the same session is an admin now');
  const [entry] = await audit(db, 'user.roleChanged');
  t.same(JSON.parse(entry!.details), { before: { role: 'agent' }, after: { role: 'admin' } });

  const org = await db.insertInto('organizations').values({ name: 'Acme', created_at: '2026-01-01T00:00:00Z' }).returning('id').executeTakeFirstOrThrow();
  const member = await makeUser(db, 'customer', { organizationId: org.id });
  await admin.post(`/admin/users/${member.id}/role`, { role: 'agent' });
  const promoted = await db.selectFrom('users').select(['role', 'organization_id']).where('id', '=', member.id).executeTakeFirstOrThrow();
  t.same(promoted, { role: 'agent', organization_id: null }, 'a customer who becomes staff leaves their organisation');
});

t.test('disabling ends the person\'s sessions at once; enabling lets them back in', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const admin = await loggedIn(app, (await makeUser(db, 'admin')).email);
  const customerRow = await makeUser(db, 'customer');
  const customer = await loggedIn(app, customerRow.email);
  t.equal((await customer.get('/portal')).statusCode, 200);

  await admin.get(`/admin/users/${customerRow.id}`);
  t.equal((await admin.post(`/admin/users/${customerRow.id}/state`, { state: 'disabled' })).statusCode, 303);
  const page = await admin.get(`/admin/users/${customerRow.id}`);
  t.match(page.body, 'The person is disabled and logged out everywhere.');
  t.match(page.body, 'Enable again');
  t.equal((await db.selectFrom('sessions').select('id').where('user_id', '=', customerRow.id).execute()).length, 0);
  const after = await customer.get('/portal');
  t.equal(after.statusCode, 303, 'the open session no longer works');
  t.match(after.headers.location, /^\/login/);
  const retry = new Client(app);
  await retry.get('/login');
  const login = await retry.post('/login', { email: customerRow.email, password: PASSWORD });
  t.not(login.statusCode, 303, 'they cannot log in');

  t.equal((await admin.post(`/admin/users/${customerRow.id}/state`, { state: 'active' })).statusCode, 303);
  t.match((await admin.get(`/admin/users/${customerRow.id}`)).body, 'The person is enabled again.');
  const back = await loggedIn(app, customerRow.email);
  t.equal((await back.get('/portal')).statusCode, 200, 'they log in again');
  t.same((await audit(db, 'user.disabled')).map((e) => JSON.parse(e.details)), [{ before: { state: 'active' }, after: { state: 'disabled' } }]);
  t.same((await audit(db, 'user.enabled')).map((e) => JSON.parse(e.details)), [{ before: { state: 'disabled' }, after: { state: 'active' } }]);
});

t.test('an admin sends a password reset: the mail is queued and its link sets a new password', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const admin = await loggedIn(app, (await makeUser(db, 'admin')).email);
  const person = await makeUser(db, 'customer', { email: 'forgetful@customer.test' });
  await admin.get(`/admin/users/${person.id}`);
  t.match((await admin.get(`/admin/users/${person.id}`)).body, 'Send password reset');
  t.equal((await admin.post(`/admin/users/${person.id}/password-link`)).statusCode, 303);
  t.match((await admin.get(`/admin/users/${person.id}`)).body, 'A password reset mail is on its way');
  const [mail] = await mails(app);
  t.same(mail!.to, ['forgetful@customer.test']);
  const link = linkIn(mail!, '/password/reset');
  const client = new Client(app);
  t.equal((await client.get(link)).statusCode, 200);
  const token = new URL('http://x' + link).searchParams.get('token')!;
  t.equal((await client.post('/password/reset', { token, password: 'my new password!', confirm: 'my new password!' })).statusCode, 303);
  const fresh = new Client(app);
  await fresh.get('/login');
  t.equal((await fresh.post('/login', { email: person.email, password: 'my new password!' })).statusCode, 303);
  t.equal((await audit(db, 'user.passwordResetSent')).length, 1);
});

t.test('the last active admin cannot disable, demote or erase themselves; with a second admin they can', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const me = await makeUser(db, 'admin');
  await makeUser(db, 'admin', { state: 'disabled' });
  const admin = await loggedIn(app, me.email);
  await admin.get(`/admin/users/${me.id}`);
  for (const [url, form] of [['state', { state: 'disabled' }], ['role', { role: 'agent' }], ['erase', {}]] as const) {
    const res = await admin.post(`/admin/users/${me.id}/${url}`, form);
    t.equal(res.statusCode, 409, url);
    t.match(res.body, 'This is the last active admin: make someone else an admin first.');
  }
  const still = await db.selectFrom('users').selectAll().where('id', '=', me.id).executeTakeFirstOrThrow();
  t.match(still, { role: 'admin', state: 'active', email: me.email });
  t.equal((await db.selectFrom('audit_log').select('id').execute()).length, 0, 'nothing recorded for refused changes');

  const other = await makeUser(db, 'admin');
  t.equal((await admin.post(`/admin/users/${other.id}/role`, { role: 'agent' })).statusCode, 303, 'another admin can be demoted');
  await admin.post(`/admin/users/${other.id}/role`, { role: 'admin' });
  t.equal((await admin.post(`/admin/users/${me.id}/role`, { role: 'supervisor' })).statusCode, 303, 'with another admin, I may step down');
  t.equal((await admin.get('/admin/users')).statusCode, 403, 'and I am no longer an admin');
});

t.test('only admins reach the people and organisation screens', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const target = await makeUser(db, 'customer');
  for (const role of ['supervisor', 'agent', 'customer'] as const) {
    const client = await loggedIn(app, (await makeUser(db, role)).email);
    await client.get('/account');
    for (const url of ['/admin/users', '/admin/users/new', `/admin/users/${target.id}`, `/admin/users/${target.id}/export`, `/admin/users/${target.id}/erase`, '/admin/organizations']) {
      t.equal((await client.get(url)).statusCode, 403, `${role} GET ${url}`);
    }
    for (const url of [`/admin/users/${target.id}/state`, `/admin/users/${target.id}/erase`, '/admin/organizations']) {
      t.equal((await client.post(url, { state: 'disabled', name: 'X' })).statusCode, 403, `${role} POST ${url}`);
    }
  }
  const unchanged = await db.selectFrom('users').select('state').where('id', '=', target.id).executeTakeFirstOrThrow();
  t.equal(unchanged.state, 'active');
  t.equal((await db.selectFrom('organizations').select('id').execute()).length, 0);
});
