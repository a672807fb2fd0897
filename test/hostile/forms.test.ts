import t from 'tap';
import { nowIso } from '../../src/lib/time.js';
import { filesUnder, postMultipart } from '../attachments/helpers.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';

async function portalDesk(t: Parameters<typeof buildTestDesk>[0]) {
  const desk = await buildTestDesk(t);
  const { db, app } = desk;
  const type = await db.insertInto('ticket_types').values({ name: 'IT support', created_at: nowIso(), position: 1 }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('settings').values({ key: 'portal.default_type_id', value: String(type.id) }).execute();
  const org = await db.insertInto('organizations').values({ name: 'Acme', created_at: nowIso() } as never).returning('id').executeTakeFirstOrThrow();
  const cora = await makeUser(db, 'customer');
  const dan = await makeUser(db, 'customer', { organizationId: org.id });
  const agentUser = await makeUser(db, 'agent');
  const client = new Client(app);
  await client.login(cora.email, PASSWORD);
  await client.get('/portal/tickets/new');
  return { ...desk, typeId: String(type.id), orgId: org.id, cora, dan, agentUser, client };
}

t.test('login `next=` only ever leads to a local path', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const user = await makeUser(db, 'agent');
  const hostile = ['//evil.com', '/\\evil.com', '\\\\evil.com', 'https://evil.com', 'javascript:alert(1)', '/%0d%0aSet-Cookie:x=1', '/\r\nLocation: https://evil.com', ' //evil.com', '/\t/evil.com'];
  for (const next of hostile) {
    const page = await app.inject({ url: `/login?next=${encodeURIComponent(next)}` });
    t.equal(page.statusCode, 200);
    t.notMatch(page.body, /evil\.com|javascript:/, `the form does not carry ${JSON.stringify(next)}`);
    const client = new Client(app);
    await client.get('/login');
    const res = await client.post('/login', { email: user.email, password: PASSWORD, next });
    t.equal(res.statusCode, 303);
    const location = String(res.headers.location);
    t.ok(location.startsWith('/') && !location.startsWith('//') && !location.startsWith('/\\'), `${JSON.stringify(next)} → ${location}`);
    t.notMatch(location, /evil|javascript|[\r\n]/i);
    t.notOk(res.headers['set-cookie']?.toString().includes('x=1'), 'no header smuggled');
  }
  const client = new Client(app);
  await client.get('/login');
  const ok = await client.post('/login', { email: user.email, password: PASSWORD, next: '/agent/tickets?view=mine' });
  t.equal(ok.headers.location, '/agent/tickets?view=mine', 'a local path is kept');
});

t.test('unknown sort columns and bad filter values are a 400, never a 500', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const agentUser = await makeUser(db, 'agent');
  const cora = await makeUser(db, 'customer');
  const agent = new Client(app);
  await agent.login(agentUser.email, PASSWORD);
  const customer = new Client(app);
  await customer.login(cora.email, PASSWORD);
  const agentUrls = ['sort=password_hash', 'sort=id;drop table users', 'sort=subject&sort=id', 'status=abc', 'status=category:evil',
    'assignee=1e9999', 'assignee=-1', 'group=../../', 'type=1%00', 'org=0x10', 'requester=1.5', 'brand=%201', 'view=nonsense',
    'view=group-1;x', 'priority=%00'];
  for (const query of agentUrls) {
    const res = await agent.get(`/agent/tickets?${query}`);
    t.equal(res.statusCode, 400, `agent list ?${query}`);
  }
  for (const query of ['sort=password_hash', 'sort=x&sort=y', 'status=<script>', 'tab=../admin', `q=${'x'.repeat(5000)}`]) {
    const res = await customer.get(`/portal/tickets?${query}`);
    t.equal(res.statusCode, 400, `portal list ?${query.slice(0, 40)}`);
    t.notMatch(res.body, /<script>/);
  }
  // Unknown parameters and a garbled cursor are not errors of the server.
  t.ok((await agent.get('/agent/tickets?sort[]=subject&__proto__[x]=1&constructor=1')).statusCode < 500);
  t.ok((await customer.get('/portal/tickets?after=%00%ff%fe&__proto__=1')).statusCode < 500);
});

t.test('extra fields on the profile form are ignored: no role, organisation or manager flag is ever set', async (t) => {
  const { app, db } = await portalDesk(t);
  const cora = await makeUser(db, 'customer');
  const client = new Client(app);
  await client.login(cora.email, PASSWORD);
  await client.get('/account');
  const before = await db.selectFrom('users').selectAll().where('id', '=', cora.id).executeTakeFirstOrThrow();
  const res = await client.post('/account', {
    name: 'Cora Renamed', locale: 'en', timeZone: '', role: 'admin', organization_id: '1', organizationId: '1', is_org_manager: '1',
    isOrgManager: '1', state: 'active', email: 'admin@desk.test', password_hash: 'x', id: '1',
  });
  t.equal(res.statusCode, 303);
  const after = await db.selectFrom('users').selectAll().where('id', '=', cora.id).executeTakeFirstOrThrow();
  t.equal(after.name, 'Cora Renamed', 'the name changed');
  t.same({ ...after, name: before.name, updated_at: before.updated_at }, before, 'nothing else did');
});

t.test('extra fields on the submit form are ignored: the ticket is the customer\'s own', async (t) => {
  const { app, db, client, typeId, dan, agentUser, orgId, cora } = await portalDesk(t);
  const res = await postMultipart(app, client, '/portal/tickets', [
    { name: '_csrf', value: client.csrf }, { name: 'typeId', value: typeId }, { name: 'subject', value: 'Mine' }, { name: 'message', value: 'Hi' },
    { name: 'requester_id', value: String(dan.id) }, { name: 'requesterId', value: String(dan.id) },
    { name: 'organization_id', value: String(orgId) }, { name: 'organizationId', value: String(orgId) },
    { name: 'assignee_id', value: String(agentUser.id) }, { name: 'assigneeId', value: String(agentUser.id) },
    { name: 'visibility', value: 'internal' }, { name: 'channel', value: 'api' }, { name: 'status_id', value: '5' },
  ]);
  t.equal(res.statusCode, 303);
  const ticket = await db.selectFrom('tickets').selectAll().where('subject', '=', 'Mine').executeTakeFirstOrThrow();
  t.equal(ticket.requester_id, cora.id);
  t.equal(ticket.organization_id, null);
  t.equal(ticket.assignee_id, null);
  t.equal(ticket.visibility, 'public');
  t.equal(ticket.channel, 'portal');
  t.not(ticket.status_id, 5);
});

t.test('extra fields on the staff invitation form are ignored: the invited person is a plain customer', async (t) => {
  const { app, db, agentUser, orgId } = await portalDesk(t);
  const agent = new Client(app);
  await agent.login(agentUser.email, PASSWORD);
  await agent.get('/agent/customers/invite');
  const res = await agent.post('/agent/customers/invite', { name: 'New', email: 'new@example.test', role: 'admin', is_org_manager: '1', state: 'active', organization_id: String(orgId) });
  t.equal(res.statusCode, 303);
  const person = await db.selectFrom('users').selectAll().where('email', '=', 'new@example.test').executeTakeFirstOrThrow();
  t.equal(person.role, 'customer');
  t.equal(person.is_org_manager, 0);
  t.equal(person.state, 'invited');
  t.equal(person.organization_id, null, 'organization_id is not the form\'s field (organizationId is)');
});

t.test('oversized fields and bodies are refused with 413/422 and nothing is stored', async (t) => {
  const { app, db, client, typeId, config } = await portalDesk(t);
  const count = async () => Number((await db.selectFrom('tickets').select(db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const submit = (parts: Parameters<typeof postMultipart>[3]) => postMultipart(app, client, '/portal/tickets', [
    { name: '_csrf', value: client.csrf }, { name: 'typeId', value: typeId }, ...parts]);

  const longSubject = await submit([{ name: 'subject', value: 'x'.repeat(10_000) }, { name: 'message', value: 'Hi' }]);
  t.equal(longSubject.statusCode, 422, 'a 10k subject');
  const hugeMessage = await submit([{ name: 'subject', value: 'Big' }, { name: 'message', value: 'x'.repeat(3_000_000) }]);
  t.ok([413, 422].includes(hugeMessage.statusCode), `a 3 MB message: ${hugeMessage.statusCode}`);
  const manyParts = await submit(Array.from({ length: 5000 }, (_, i) => ({ name: `f${i}`, value: 'x' })));
  t.equal(manyParts.statusCode, 413, 'five thousand parts');
  const manyFiles = await submit(Array.from({ length: 2000 }, (_, i) => ({ name: 'files', filename: `f${i}.txt`, content: Buffer.from('x') })));
  t.equal(manyFiles.statusCode, 413, 'two thousand file parts');
  t.equal(await count(), 0, 'no ticket');
  t.same(filesUnder(config.uploadsDir), [], 'no file left on disk');
  t.equal((await db.selectFrom('attachments').select('id').execute()).length, 0, 'no attachment row');

  await client.get('/account');
  const before = await db.selectFrom('users').select('name').where('email', 'like', 'customer%').orderBy('id').executeTakeFirstOrThrow();
  const bigForm = await client.post('/account', { name: 'x'.repeat(2_000_000), locale: 'en' });
  t.equal(bigForm.statusCode, 413, 'a 2 MB urlencoded form');
  const longName = await client.post('/account', { name: 'x'.repeat(5000), locale: 'en' });
  t.equal(longName.statusCode, 422, 'a 5k name');
  const manyFields = await app.inject({ method: 'POST', url: '/account', remoteAddress: client.ip,
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    payload: `_csrf=${encodeURIComponent(client.csrf)}&name=Flood&` + Array.from({ length: 20_000 }, (_, i) => `f${i}=1`).join('&') });
  t.ok(manyFields.statusCode < 500, `twenty thousand fields: ${manyFields.statusCode}`);
  const after = await db.selectFrom('users').select('name').where('email', 'like', 'customer%').orderBy('id').executeTakeFirstOrThrow();
  t.equal(after.name === 'Flood' ? before.name : after.name, before.name, 'oversized forms changed nothing');
});
