// The API's read endpoints (issue 22): people, organisations, groups, types and fields, statuses,
// tags, macros and search, each as the caller may read it.
import t from 'tap';
import { buildApiDesk, json } from './helpers.js';

t.test('staff read the directory; customers read what the portal shows them', async (t) => {
  const desk = await buildApiDesk(t);
  const people = json(t, await desk.call('agent', 'GET', '/api/v1/people?q=acme'), 200, 'people');
  t.same(people.items.map((p: { email: string }) => p.email), ['ann@acme.test']);
  t.equal(json(t, await desk.call('agent', 'GET', `/api/v1/people/${desk.users.customer.id}`), 200).name, 'Ann Acme');
  json(t, await desk.call('agent', 'GET', '/api/v1/people?role=emperor'), 400, 'an unknown role');
  for (const path of ['/api/v1/people', `/api/v1/people/${desk.users.agent.id}`, '/api/v1/organizations', '/api/v1/groups', '/api/v1/tags', '/api/v1/macros']) {
    t.equal((await desk.call('customer', 'GET', path)).statusCode, 403, `a customer: ${path} is staff-only`);
    t.equal((await desk.call('restricted', 'GET', path)).statusCode, 200, `a restricted agent reads ${path}`);
  }
  const org = await desk.db.insertInto('organizations').values({ name: 'Acme', domains: 'acme.test', members_see_all_tickets: 0, notes: 'Pays late', created_at: new Date().toISOString() }).returning('id').executeTakeFirstOrThrow();
  t.match(json(t, await desk.call('agent', 'GET', `/api/v1/organizations/${org.id}`), 200), { name: 'Acme', domains: ['acme.test'], notes: 'Pays late' });
  t.equal(json(t, await desk.call('agent', 'GET', '/api/v1/organizations?q=acm'), 200).items[0].name, 'Acme');
  t.ok(json(t, await desk.call('agent', 'GET', '/api/v1/groups'), 200).items.some((g: { name: string; restricted: boolean }) => g.name === 'Provider East' && g.restricted));

  const staffStatuses = json(t, await desk.call('agent', 'GET', '/api/v1/statuses'), 200).items;
  t.match(staffStatuses[0], { name: 'New', category: 'new', customerLabel: 'Received' });
  const customerStatuses = json(t, await desk.call('customer', 'GET', '/api/v1/statuses'), 200).items;
  t.match(customerStatuses[0], { name: 'Received', category: 'new' });
  t.notOk('customerLabel' in customerStatuses[0]);
  t.ok(json(t, await desk.call('agent', 'GET', '/api/v1/ticket-types'), 200).items.length >= 1, 'types');
  json(t, await desk.call('customer', 'GET', '/api/v1/ticket-types'), 200, 'a customer\'s topics');
  json(t, await desk.call('customer', 'GET', '/api/v1/fields'), 200, 'a customer\'s fields');

  await desk.call('agent', 'PATCH', `/api/v1/tickets/${desk.tickets.mine}`, { tags: ['vip'] });
  t.same(json(t, await desk.call('agent', 'GET', '/api/v1/tags'), 200).items.map((tag: { name: string }) => tag.name), ['vip']);
  await desk.db.insertInto('macros').values({ owner_id: desk.users.agent.id, name: 'Thanks', body: 'Thank you!', kind: 'reply', shared: 0, group_id: null, actions: '{}', created_at: new Date().toISOString(), updated_at: new Date().toISOString() }).execute();
  t.same(json(t, await desk.call('agent', 'GET', '/api/v1/macros'), 200).items.map((m: { name: string }) => m.name), ['Thanks'], 'one\'s own macros');
  t.same(json(t, await desk.call('restricted', 'GET', '/api/v1/macros'), 200).items, [], 'not another agent\'s');
});

t.test('search: staff search the desk, a restricted agent their groups, customers their tickets', async (t) => {
  const desk = await buildApiDesk(t);
  const found = (body: { items: { ticket: { id: number } }[] }) => body.items.map((item) => item.ticket.id).sort();
  t.same(found(json(t, await desk.call('agent', 'GET', '/api/v1/search?q=badge'), 200, 'agent')), [desk.tickets.others]);
  t.same(found(json(t, await desk.call('restricted', 'GET', '/api/v1/search?q=badge'), 200, 'restricted')), [], 'not outside their groups');
  t.same(found(json(t, await desk.call('restricted', 'GET', '/api/v1/search?q=sensor'), 200)), [desk.tickets.restrictedGroup]);
  t.same(found(json(t, await desk.call('customer', 'GET', '/api/v1/search?q=badge'), 200, 'customer')), [], 'a customer finds no one else\'s ticket');
  t.same(found(json(t, await desk.call('other', 'GET', '/api/v1/search?q=badge'), 200)), [desk.tickets.others], 'but their own');
  json(t, await desk.call('agent', 'GET', '/api/v1/search'), 400, 'no words');
});
