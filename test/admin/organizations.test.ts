import t from 'tap';
import type { Db } from '../../src/db/connect.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeTickets, makeUser, PASSWORD, ticketIdsIn } from '../helpers/factories.js';

async function login(app: Client['app'], email: string) {
  const client = new Client(app);
  await client.login(email, PASSWORD);
  return client;
}

async function audit(db: Db, action: string) {
  return (await db.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('id').execute())
    .map((e) => ({ ...e, details: JSON.parse(e.details) }));
}

t.test('an admin creates an organisation with its domains, sharing and notes; mistakes are shown with the values kept', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const admin = await login(app, (await makeUser(db, 'admin')).email);
  t.match((await admin.get('/admin/organizations')).body, 'No organisations yet.');
  const form = await admin.get('/admin/organizations/new');
  t.equal(form.statusCode, 200);
  t.match(form.body, 'Members see each other&#39;s tickets');

  const bad = await admin.post('/admin/organizations', { name: '', domains: 'acme.com, not a domain', notes: 'Key account' });
  t.equal(bad.statusCode, 422);
  t.match(bad.body, 'This field is required.');
  t.match(bad.body, 'Enter domains like acme.com, separated by commas.');
  t.match(bad.body, 'value="acme.com, not a domain"', 'what was typed is kept');
  t.match(bad.body, 'Key account');

  const res = await admin.post('/admin/organizations', { name: 'Acme Ltd', domains: ' Acme.com,@acme.co.uk, acme.com ', membersSeeAllTickets: '1', notes: 'Key account' });
  t.equal(res.statusCode, 303);
  const org = await db.selectFrom('organizations').selectAll().executeTakeFirstOrThrow();
  t.equal(res.headers.location, `/admin/organizations/${org.id}`);
  t.match(org, { name: 'Acme Ltd', domains: 'acme.com,acme.co.uk', members_see_all_tickets: 1, notes: 'Key account' });
  const page = await admin.get(`/admin/organizations/${org.id}`);
  t.match(page.body, 'The organisation is added.');
  t.match(page.body, 'value="acme.com, acme.co.uk"');
  t.match(page.body, /id="f-membersSeeAllTickets"[^>]*checked/);
  const list = await admin.get('/admin/organizations');
  t.match(list.body, `<a href="/admin/organizations/${org.id}">Acme Ltd</a>`);
  t.match(list.body, 'acme.com, acme.co.uk');

  const dupName = await admin.post('/admin/organizations', { name: 'ACME LTD', domains: '' });
  t.equal(dupName.statusCode, 422);
  t.match(dupName.body, 'Another organisation has this name.');
  const dupDomain = await admin.post('/admin/organizations', { name: 'Acme Rival', domains: 'rival.test, acme.co.uk' });
  t.equal(dupDomain.statusCode, 422);
  t.match(dupDomain.body, 'The domain acme.co.uk already belongs to Acme Ltd.');
  t.equal((await db.selectFrom('organizations').select('id').execute()).length, 1);

  const [created] = await audit(db, 'organization.created');
  t.match(created!.details, { after: { name: 'Acme Ltd', domains: 'acme.com,acme.co.uk', members_see_all_tickets: 1 } });
});

t.test('an admin edits an organisation; the audit keeps only what changed', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const admin = await login(app, (await makeUser(db, 'admin')).email);
  await admin.get('/admin/organizations/new');
  await admin.post('/admin/organizations', { name: 'Beta', domains: 'beta.test', notes: '' });
  const org = await db.selectFrom('organizations').selectAll().executeTakeFirstOrThrow();
  await admin.get(`/admin/organizations/${org.id}`);

  const bad = await admin.post(`/admin/organizations/${org.id}`, { name: 'Beta GmbH', domains: 'beta..test' });
  t.equal(bad.statusCode, 422);
  t.match(bad.body, 'value="Beta GmbH"');
  t.equal((await db.selectFrom('organizations').select('name').executeTakeFirstOrThrow()).name, 'Beta', 'nothing saved');

  const res = await admin.post(`/admin/organizations/${org.id}`, { name: 'Beta GmbH', domains: 'beta.test, beta.de', notes: 'Pays late' });
  t.equal(res.statusCode, 303);
  t.match((await admin.get(`/admin/organizations/${org.id}`)).body, 'The organisation is saved.');
  t.match(await db.selectFrom('organizations').selectAll().executeTakeFirstOrThrow(), { name: 'Beta GmbH', domains: 'beta.test,beta.de', members_see_all_tickets: 0, notes: 'Pays late' });
  const [updated] = await audit(db, 'organization.updated');
  t.same(updated!.details, { before: { name: 'Beta', domains: 'beta.test', notes: '' }, after: { name: 'Beta GmbH', domains: 'beta.test,beta.de', notes: 'Pays late' } });
  t.equal((await admin.get('/admin/organizations/999')).statusCode, 404);
});

t.test('members: added by address, made manager, and a manager then sees a colleague\'s ticket in the organisation view', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const admin = await login(app, (await makeUser(db, 'admin')).email);
  await admin.get('/admin/organizations/new');
  await admin.post('/admin/organizations', { name: 'Gamma', domains: '' });
  const org = await db.selectFrom('organizations').select('id').executeTakeFirstOrThrow();
  const boss = await makeUser(db, 'customer', { name: 'Bo Boss', email: 'bo@gamma.test' });
  const colleague = await makeUser(db, 'customer', { name: 'Col League', email: 'col@gamma.test', organizationId: org.id });
  const agent = await makeUser(db, 'agent');
  const [ticket] = await makeTickets(db, 1, { requesterId: colleague.id, organizationId: org.id, subject: 'Colleague problem' });

  await admin.get(`/admin/organizations/${org.id}`);
  const unknown = await admin.post(`/admin/organizations/${org.id}/members`, { email: 'nobody@gamma.test' });
  t.equal(unknown.statusCode, 422);
  t.match(unknown.body, 'No one has this address. Invite them first.');
  const staff = await admin.post(`/admin/organizations/${org.id}/members`, { email: agent.email });
  t.equal(staff.statusCode, 422);
  t.match(staff.body, 'Only customers belong to organisations.');

  t.equal((await admin.post(`/admin/organizations/${org.id}/members`, { email: 'BO@gamma.test' })).statusCode, 303);
  const page = await admin.get(`/admin/organizations/${org.id}`);
  t.match(page.body, 'The member is added.');
  t.match(page.body, 'Members (2)');
  t.match(page.body, 'Bo Boss');

  const bo = await login(app, boss.email);
  t.equal((await bo.get('/portal/tickets?view=org')).statusCode, 404, 'a plain member of a non-sharing organisation has no organisation view');

  t.equal((await admin.post(`/admin/organizations/${org.id}/members/${boss.id}/manager`, { manager: '1' })).statusCode, 303);
  const managed = await admin.get(`/admin/organizations/${org.id}`);
  t.match(managed.body, 'They are now a manager of the organisation.');
  t.match(managed.body, 'No longer manager');
  const view = await bo.get('/portal/tickets?view=org');
  t.equal(view.statusCode, 200, 'the same session is a manager now');
  t.same(ticketIdsIn(view.body), [ticket], 'the manager sees the colleague\'s ticket');
  t.match(view.body, 'Col League');

  t.equal((await admin.post(`/admin/organizations/${org.id}/members/${boss.id}/manager`, { manager: '0' })).statusCode, 303);
  t.equal((await bo.get('/portal/tickets?view=org')).statusCode, 404, 'no longer a manager');
  t.equal((await admin.post(`/admin/organizations/${org.id}/members/${colleague.id}/remove`)).statusCode, 303);
  t.match((await admin.get(`/admin/organizations/${org.id}`)).body, 'The member is removed.');
  t.equal((await db.selectFrom('users').select('organization_id').where('id', '=', colleague.id).executeTakeFirstOrThrow()).organization_id, null);
  t.equal((await admin.post(`/admin/organizations/${org.id}/members/${colleague.id}/remove`)).statusCode, 404, 'not a member any more');

  t.same((await audit(db, 'organization.memberAdded')).map((e) => e.details), [{ before: { organization_id: null }, after: { organization_id: org.id }, user_id: boss.id, email: 'bo@gamma.test' }]);
  t.same((await audit(db, 'organization.managerChanged')).map((e) => [e.details.before, e.details.after]), [[{ is_org_manager: 0 }, { is_org_manager: 1 }], [{ is_org_manager: 1 }, { is_org_manager: 0 }]]);
  t.equal((await audit(db, 'organization.memberRemoved')).length, 1);
});
