import t, { type Test } from 'tap';
import type { Db } from '../../src/db/connect.js';
import { getNumberSetting } from '../../src/settings/settings.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeTickets, makeUser, PASSWORD } from '../helpers/factories.js';

async function asAdmin(t: Test) {
  const desk = await buildTestDesk(t);
  const admin = await makeUser(desk.db, 'admin');
  const client = new Client(desk.app);
  await client.login(admin.email, PASSWORD);
  await client.get('/admin/brands/new');
  return { ...desk, admin, client };
}

const NORTH = { name: 'North Support', fromName: 'North Help', fromAddress: 'help@north.test', portalTitle: 'North portal', colour: '#0B6E4F' };

const brands = (db: Db) => db.selectFrom('brands').select(['id', 'name', 'is_default', 'colour']).orderBy('id').execute();

t.test('an admin creates a brand with sender, portal title and colour, and edits it', async (t) => {
  const { db, client, admin } = await asAdmin(t);
  const created = await client.post('/admin/brands', NORTH);
  t.equal(created.statusCode, 303);
  t.equal(created.headers.location, '/admin/brands');
  const brand = await db.selectFrom('brands').selectAll().where('name', '=', 'North Support').executeTakeFirstOrThrow();
  t.same([brand.from_name, brand.from_address, brand.portal_title, brand.colour, brand.is_default],
    ['North Help', 'help@north.test', 'North portal', '#0b6e4f', 0]);

  const list = await client.get('/admin/brands');
  t.match(list.body, 'The brand is created.');
  t.match(list.body, '<td>North Help &lt;help@north.test&gt;</td>');
  t.match(list.body, '<td>#0b6e4f</td>');
  t.match(list.body, />Help Desk<\/a> <strong class="badge">Default<\/strong>/, 'the seeded brand stays the default');

  const edit = await client.get(`/admin/brands/${brand.id}`);
  t.match(edit.body, 'value="North portal"');
  const saved = await client.post(`/admin/brands/${brand.id}`, { ...NORTH, portalTitle: 'North help centre', colour: '' });
  t.equal(saved.statusCode, 303);
  const after = await db.selectFrom('brands').select(['portal_title', 'colour']).where('id', '=', brand.id).executeTakeFirstOrThrow();
  t.same(after, { portal_title: 'North help centre', colour: null });

  const audit = await db.selectFrom('audit_log').select(['actor_id', 'action', 'details']).where('subject_type', '=', 'brand').orderBy('id').execute();
  t.same(audit.map((a) => [a.actor_id, a.action]), [[admin.id, 'brand.created'], [admin.id, 'brand.updated']]);
  t.same(JSON.parse(audit[1]!.details), { before: { portal_title: 'North portal', colour: '#0b6e4f' }, after: { portal_title: 'North help centre', colour: null } });
});

t.test('validation: required fields, a real sender address, a #rrggbb colour, a unique name (422, values kept)', async (t) => {
  const { db, client } = await asAdmin(t);
  const bad = await client.post('/admin/brands', { name: '', fromName: 'Kept sender', fromAddress: 'not-an-address', portalTitle: '', colour: 'green' });
  t.equal(bad.statusCode, 422);
  t.match(bad.body, 'id="f-name-error">This field is required.');
  t.match(bad.body, 'id="f-fromAddress-error">Enter an email address like name@example.com.');
  t.match(bad.body, 'id="f-portalTitle-error">This field is required.');
  t.match(bad.body, 'id="f-colour-error">Enter a colour as # and six hex digits, like #0b6e4f.');
  t.match(bad.body, 'value="Kept sender"');
  t.match(bad.body, 'value="not-an-address"');
  t.match(bad.body, 'value="green"');

  const taken = await client.post('/admin/brands', { ...NORTH, name: 'help desk' });
  t.equal(taken.statusCode, 422);
  t.match(taken.body, 'Another brand already has this name.');
  t.equal((await brands(db)).length, 1, 'nothing created');
});

t.test('exactly one default brand: making another the default moves the mark and the setting', async (t) => {
  const { db, client } = await asAdmin(t);
  const [seeded] = await brands(db);
  await client.post('/admin/brands', { ...NORTH, isDefault: '1' });
  const north = (await brands(db)).find((b) => b.name === 'North Support')!;
  t.same((await brands(db)).map((b) => [b.name, b.is_default]), [['Help Desk', 0], ['North Support', 1]]);
  t.equal(await getNumberSetting(db, 'default_brand_id'), north.id, 'mail and new tickets follow the setting');

  await client.get(`/admin/brands/${north.id}`);
  const unticked = await client.post(`/admin/brands/${north.id}`, { ...NORTH });
  t.equal(unticked.statusCode, 422, 'the default cannot just be unticked');
  t.match(unticked.body, 'The desk needs a default brand: make another brand the default instead.');
  t.equal((await brands(db)).filter((b) => b.is_default === 1).length, 1);

  await client.get(`/admin/brands/${seeded!.id}`);
  await client.post(`/admin/brands/${seeded!.id}`, { name: 'Help Desk', fromName: 'Help Desk', fromAddress: 'support@example.test', portalTitle: 'Help Desk', isDefault: '1' });
  t.same((await brands(db)).map((b) => [b.name, b.is_default]), [['Help Desk', 1], ['North Support', 0]]);
  t.equal(await getNumberSetting(db, 'default_brand_id'), seeded!.id);
});

t.test('a brand in use or the default one cannot be deleted; an unused one can', async (t) => {
  const { db, client } = await asAdmin(t);
  const [seeded] = await brands(db);
  await client.post('/admin/brands', NORTH);
  await client.post('/admin/brands', { ...NORTH, name: 'Spare' });
  const all = await brands(db);
  const north = all.find((b) => b.name === 'North Support')!;
  const spare = all.find((b) => b.name === 'Spare')!;
  const requester = await makeUser(db, 'customer');
  await makeTickets(db, 2, { requesterId: requester.id, brandId: north.id });

  const list = await client.get('/admin/brands');
  t.equal(list.statusCode, 200);
  t.notMatch(list.body, `action="/admin/brands/${north.id}/delete"`, 'no delete button for a brand in use');
  t.match(list.body, `action="/admin/brands/${spare.id}/delete"`);

  const inUse = await client.post(`/admin/brands/${north.id}/delete`);
  t.equal(inUse.statusCode, 409);
  t.match(inUse.body, 'This brand cannot be deleted: tickets use it (2).');
  const isDefault = await client.post(`/admin/brands/${seeded!.id}/delete`);
  t.equal(isDefault.statusCode, 409);
  t.match(isDefault.body, 'The default brand cannot be deleted.');

  const gone = await client.post(`/admin/brands/${spare.id}/delete`);
  t.equal(gone.statusCode, 303);
  t.same((await brands(db)).map((b) => b.name), ['Help Desk', 'North Support']);
  const audit = await db.selectFrom('audit_log').select('details').where('action', '=', 'brand.deleted').executeTakeFirstOrThrow();
  t.match(JSON.parse(audit.details), { before: { name: 'Spare', from_address: 'help@north.test' } });
});

t.test('only admins reach /admin/brands', async (t) => {
  const { db, app } = await asAdmin(t);
  for (const role of ['supervisor', 'agent', 'customer'] as const) {
    const other = new Client(app);
    await other.login((await makeUser(db, role)).email, PASSWORD);
    t.equal((await other.get('/admin/brands')).statusCode, 403, role);
    t.equal((await other.post('/admin/brands', NORTH)).statusCode, 403, role);
  }
  t.equal((await brands(db)).length, 1);
});
