import t from 'tap';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';

const form = {
  name: 'Field job', description: '', customerCanChoose: '1', customerFacing: '1', defaultGroupId: '1', defaultPriority: 'normal',
  initialStatusId: '', dispatchPolicy: 'offer_n', dispatchCount: '3', membersNeeded: '2',
};

t.test('an admin sets a type\'s dispatch policy, offer count and employees needed; bad values are refused', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const admin = await makeUser(db, 'admin');
  const client = new Client(app);
  await client.login(admin.email, PASSWORD);
  const page = await client.get('/admin/types/new');
  t.match(page.body, '<legend>Fleet management</legend>');
  t.match(page.body, '<option value="round_robin">Assign it to members in turn (round-robin)</option>');

  const created = await client.post('/admin/types', form);
  t.equal(created.statusCode, 303);
  const type = await db.selectFrom('ticket_types').select(['id', 'dispatch_policy', 'dispatch_count', 'members_needed'])
    .where('name', '=', 'Field job').executeTakeFirstOrThrow();
  t.same(type, { id: type.id, dispatch_policy: 'offer_n', dispatch_count: 3, members_needed: 2 });
  const edit = await client.get(`/admin/types/${type.id}`);
  t.match(edit.body, '<option value="offer_n" selected>');
  t.match(edit.body, /name="membersNeeded" type="number" inputmode="numeric" value="2"/);

  const bad = await client.post(`/admin/types/${type.id}`, { ...form, dispatchPolicy: 'lottery', dispatchCount: '-1', membersNeeded: '0' });
  t.equal(bad.statusCode, 422);
  t.match(bad.body, 'Enter a whole number from 0 to 100.');
  t.match(bad.body, 'Enter a whole number from 1 to 100.');
  t.match(bad.body, /name="membersNeeded" type="number" inputmode="numeric" value="0"/, 'what was typed is kept');
  t.same((await db.selectFrom('ticket_types').select(['dispatch_policy', 'members_needed']).where('id', '=', type.id).executeTakeFirstOrThrow()),
    { dispatch_policy: 'offer_n', members_needed: 2 }, 'nothing saved');

  t.equal((await client.post(`/admin/types/${type.id}`, { ...form, dispatchPolicy: 'load_balanced', membersNeeded: '1' })).statusCode, 303);
  t.equal((await db.selectFrom('ticket_types').select('dispatch_policy').where('id', '=', type.id).executeTakeFirstOrThrow()).dispatch_policy, 'load_balanced');
});

t.test('the offer expiry is a setting on the admin settings page', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const admin = await makeUser(db, 'admin');
  const client = new Client(app);
  await client.login(admin.email, PASSWORD);
  const page = await client.get('/admin/settings');
  t.match(page.body, 'Ticket offers expire after (hours)');
  t.match(page.body, /name="offers__expiry_hours"[^>]*value="24"/);
});
