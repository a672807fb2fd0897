import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { INVITE_TTL } from '../../src/auth/auth.js';
import type { Db } from '../../src/db/connect.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';

interface MailPayload { to: string[]; subject: string; text: string; html: string }

/** The mails queued so far, once the notifications consumer has composed what the events call for. */
async function mails(app: FastifyInstance): Promise<MailPayload[]> {
  await app.worker.consume();
  const rows = await app.db.selectFrom('jobs').select('payload').where('kind', '=', 'mail').orderBy('id').execute();
  return rows.map((r) => JSON.parse(r.payload) as MailPayload);
}

/** The path and query of the "Create password" link in a mail. */
function welcomeLink(mail: MailPayload): string {
  const link = /(http\S+\/welcome\?token=\S+)/.exec(mail.text)?.[1];
  if (!link) throw new Error('no welcome link in: ' + mail.text);
  const url = new URL(link);
  return url.pathname + url.search;
}

async function staff(app: Client['app'], db: Db, role: 'agent' | 'admin' | 'supervisor' = 'agent') {
  const client = new Client(app);
  await client.login((await makeUser(db, role)).email, PASSWORD);
  return client;
}

t.test('an agent invites a customer: an invited person, a Create password mail, a single-use link that logs them in', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const org = await db.insertInto('organizations').values({ name: 'Acme Ltd', created_at: '2026-01-01T00:00:00Z' }).returning('id').executeTakeFirstOrThrow();
  const agent = await staff(app, db);

  const home = await agent.get('/agent/tickets');
  t.match(home.body, '<a href="/agent/customers/invite">Invite customer</a>', 'the staff menu links the page');
  const page = await agent.get('/agent/customers/invite');
  t.equal(page.statusCode, 200);
  t.match(page.body, '<label for="f-name">Name');
  t.match(page.body, '<label for="f-email">Email');
  t.match(page.body, '<label for="f-organizationId">Organisation');
  t.match(page.body, `<option value="${org.id}">Acme Ltd</option>`);

  const sent = await agent.post('/agent/customers/invite', { name: 'Nina Newcomer', email: 'Nina@Customer.test', organizationId: String(org.id) });
  t.equal(sent.statusCode, 303);
  t.equal(sent.headers.location, '/agent/customers/invite');
  t.match((await agent.get('/agent/customers/invite')).body, 'The invitation is on its way.');

  const person = await db.selectFrom('users').selectAll().where('email', '=', 'nina@customer.test').executeTakeFirstOrThrow();
  t.match(person, { name: 'Nina Newcomer', role: 'customer', state: 'invited', password_hash: null, organization_id: org.id });
  const [mail] = await mails(app); // the notifications consumer issues the link and composes the mail
  const token = await db.selectFrom('user_tokens').selectAll().where('user_id', '=', person.id).executeTakeFirstOrThrow();
  t.equal(token.kind, 'invite');
  const ttl = Date.parse(token.expires_at) - Date.parse(token.created_at);
  t.ok(Math.abs(ttl - INVITE_TTL) < 60_000, 'the link is good for 7 days');

  t.same(mail!.to, ['nina@customer.test']);
  t.match(mail!.subject, 'Your account at');
  t.match(mail!.html, '/welcome?token=');

  const customer = new Client(app);
  const welcome = await customer.get(welcomeLink(mail!));
  t.equal(welcome.statusCode, 200);
  t.match(welcome.body, 'Create password');
  t.match(welcome.body, 'value="nina@customer.test" readonly');
  const done = await customer.post('/welcome', { token: new URL('http://x' + welcomeLink(mail!)).searchParams.get('token')!, password: 'a brand new password', confirm: 'a brand new password' });
  t.equal(done.statusCode, 303);
  t.equal(done.headers.location, '/portal');
  const profile = await customer.get('/account');
  t.equal(profile.statusCode, 200, 'the customer is logged in');
  t.match(profile.body, 'Signed in as Nina Newcomer');
  t.equal((await db.selectFrom('users').select('state').where('id', '=', person.id).executeTakeFirstOrThrow()).state, 'active');

  const again = await new Client(app).get(welcomeLink(mail!));
  t.equal(again.statusCode, 404, 'the link works once');
  t.match(again.body, 'This link is not valid any more');
});

t.test('inviting someone still invited sends a fresh link and the older one stops working', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const agent = await staff(app, db, 'supervisor');
  await agent.get('/agent/customers/invite');
  await agent.post('/agent/customers/invite', { name: 'Pat Pending', email: 'pat@customer.test' });
  const resent = await agent.post('/agent/customers/invite', { name: 'Pat Pending-Smith', email: 'pat@customer.test' });
  t.equal(resent.statusCode, 303);
  t.match((await agent.get('/agent/customers/invite')).body, 'a fresh invitation is on its way');

  const [first, second] = await mails(app);
  t.ok(first && second, 'two invitation mails');
  t.not(welcomeLink(first!), welcomeLink(second!));
  t.equal((await new Client(app).get(welcomeLink(first!))).statusCode, 404, 'the older link is dead');
  t.equal((await new Client(app).get(welcomeLink(second!))).statusCode, 200, 'the fresh link works');
  const people = await db.selectFrom('users').select(['name', 'state']).where('email', '=', 'pat@customer.test').execute();
  t.same(people, [{ name: 'Pat Pending-Smith', state: 'invited' }], 'still one person, name corrected');
});

t.test('an address that already has an account is refused with 422 and no mail', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const existing = await makeUser(db, 'customer');
  const colleague = await makeUser(db, 'agent');
  const agent = await staff(app, db, 'admin');
  await agent.get('/agent/customers/invite');
  for (const email of [existing.email, colleague.email.toUpperCase()]) {
    const res = await agent.post('/agent/customers/invite', { name: 'Someone', email });
    t.equal(res.statusCode, 422);
    t.match(res.body, 'This address already has an account.');
    t.match(res.body, 'value="Someone"', 'what was typed is kept');
  }
  t.equal((await mails(app)).length, 0);
});

t.test('mistakes are shown on the fields, with the typed values kept', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const agent = await staff(app, db);
  await agent.get('/agent/customers/invite');
  const res = await agent.post('/agent/customers/invite', { name: '', email: 'not an address', organizationId: '999' });
  t.equal(res.statusCode, 422);
  t.match(res.body, 'aria-describedby="f-name-error"');
  t.match(res.body, 'Enter an email address like name@example.com.');
  t.match(res.body, 'value="not an address"');
  t.match(res.body, 'Choose one of the options.', 'an unknown organisation is refused');
  t.equal((await db.selectFrom('users').select('id').where('role', '=', 'customer').execute()).length, 0);
});

t.test('customers cannot invite; visitors are sent to log in', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const customer = new Client(app);
  await customer.login((await makeUser(db, 'customer')).email, PASSWORD);
  t.equal((await customer.get('/agent/customers/invite')).statusCode, 403);
  t.equal((await customer.post('/agent/customers/invite', { name: 'X', email: 'x@customer.test' })).statusCode, 403);
  const visitor = await new Client(app).get('/agent/customers/invite');
  t.equal(visitor.statusCode, 303);
  t.match(visitor.headers.location, /^\/login\?next=/);
  t.equal((await mails(app)).length, 0);
});

t.test('an expired invitation link shows "not valid any more"', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const agent = await staff(app, db);
  await agent.get('/agent/customers/invite');
  await agent.post('/agent/customers/invite', { name: 'Late Larry', email: 'larry@customer.test' });
  const [mail] = await mails(app);
  await db.updateTable('user_tokens').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('kind', '=', 'invite').execute();
  const page = await new Client(app).get(welcomeLink(mail!));
  t.equal(page.statusCode, 404);
  t.match(page.body, 'This link is not valid any more');
});
