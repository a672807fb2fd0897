// The API's tickets (issue 22): the list's own query, scope and filters; new tickets by staff and by
// customers; one ticket with its ETag; changes with If-Match (412 for a lost update).
import t from 'tap';
import { buildApiDesk, json } from './helpers.js';
import { makeTickets } from '../helpers/factories.js';

const ids = (body: { items: { id: number }[] }) => body.items.map((item) => item.id).sort((a, b) => a - b);

t.test('each person lists the tickets they may see, and nobody lists without a token', async (t) => {
  const desk = await buildApiDesk(t);
  const { mine, others, restrictedGroup } = desk.tickets;
  t.same(ids(json(t, await desk.call('agent', 'GET', '/api/v1/tickets'), 200, 'agent')), [mine, others, restrictedGroup], 'the agent: all');
  t.same(ids(json(t, await desk.call('restricted', 'GET', '/api/v1/tickets'), 200, 'restricted agent')), [restrictedGroup], 'the restricted agent: their group\'s');
  t.same(ids(json(t, await desk.call('customer', 'GET', '/api/v1/tickets'), 200, 'customer')), [mine], 'the customer: theirs');
  t.same(ids(json(t, await desk.call('other', 'GET', '/api/v1/tickets'), 200, 'other customer')), [others, restrictedGroup], 'the other customer: theirs');
  const anonymous = await desk.call(null, 'GET', '/api/v1/tickets');
  t.equal(anonymous.statusCode, 401, 'no token: 401');
  t.match(anonymous.headers['content-type'], /^application\/problem\+json/);
  t.match(anonymous.headers['www-authenticate'], /^Bearer/);
  const customerRow = json(t, await desk.call('customer', 'GET', '/api/v1/tickets'), 200).items[0];
  t.notOk('assignee' in customerRow || 'group' in customerRow || 'priority' in customerRow || 'tags' in customerRow, 'a customer\'s row has no staff properties');
  t.equal(customerRow.status.name, 'Received', 'the status by its customer label');
});

t.test('filters, sorts and a cursor with a next link, as on the agent list', async (t) => {
  const desk = await buildApiDesk(t);
  const many = await makeTickets(desk.db, 60, (i) => ({ requesterId: desk.users.customer.id, subject: `Bulk ${i}`, priority: i % 2 ? 'high' : 'low' }));
  const first = json(t, await desk.call('agent', 'GET', '/api/v1/tickets?sort=id_asc&priority=high'), 200, 'page 1');
  t.equal(first.items.length, 30, 'the 30 high ones fit a page');
  t.equal(first.next, null, 'no next page');
  t.ok(first.items.every((ticket: { priority: string }) => ticket.priority === 'high'), 'only high');
  const page1 = await desk.call('agent', 'GET', '/api/v1/tickets?sort=id_asc');
  const body1 = json(t, page1, 200);
  t.equal(body1.items.length, 50);
  t.match(body1.next, /^\/api\/v1\/tickets\?sort=id_asc&after=/, 'a next link with the sort kept');
  t.equal(page1.headers.link, `<${body1.next}>; rel="next"`, 'and in the Link header');
  const body2 = json(t, await desk.call('agent', 'GET', body1.next), 200, 'page 2');
  t.same([...body1.items, ...body2.items].map((ticket: { id: number }) => ticket.id), [desk.tickets.mine, desk.tickets.others, desk.tickets.restrictedGroup, ...many], 'every ticket once, in order');
  t.equal(body2.next, null);
  const bad = json(t, await desk.call('agent', 'GET', '/api/v1/tickets?sort=sideways'), 400, 'an unknown sort');
  t.equal(bad.status, 400);
  json(t, await desk.call('agent', 'GET', '/api/v1/tickets?after=not-a-cursor'), 400, 'a forged cursor');
  const customerFilter = json(t, await desk.call('customer', 'GET', `/api/v1/tickets?group=${desk.groups.east}`), 400, 'a staff filter from a customer');
  t.equal(customerFilter.errors[0].pointer, '#/query/group');
  const searched = json(t, await desk.call('customer', 'GET', '/api/v1/tickets?q=printer'), 200, 'a search');
  t.same(ids(searched), [desk.tickets.mine]);
});

t.test('staff open a ticket for a requester; customers submit their own', async (t) => {
  const desk = await buildApiDesk(t);
  const created = await desk.call('agent', 'POST', '/api/v1/tickets', { requesterEmail: 'new@client.test', requesterName: 'New Client', subject: 'Phone call', message: 'They called about the invoice.' });
  const ticket = json(t, created, 201, 'agent creates');
  t.equal(created.headers.location, `/api/v1/tickets/${ticket.id}`);
  t.ok(created.headers.etag, 'with its ETag');
  t.equal(ticket.requester.email, 'new@client.test', 'for the new requester');
  t.equal(ticket.channel, 'api');
  const row = await desk.db.selectFrom('tickets').select(['channel', 'requester_id']).where('id', '=', ticket.id).executeTakeFirstOrThrow();
  t.equal(row.channel, 'api', 'stored as an API ticket');
  t.ok(await desk.db.selectFrom('events').select('id').where('kind', '=', 'ticket.created').where('ticket_id', '=', ticket.id).executeTakeFirst(), 'through the kernel: its event');

  const own = json(t, await desk.call('customer', 'POST', '/api/v1/tickets', { subject: 'Screen flickers', message: 'Since this morning.' }), 201, 'customer submits');
  t.equal(own.requester.id, desk.users.customer.id, 'for themselves');
  t.notOk('priority' in own, 'shown as a customer sees it');
  const staffOnly = json(t, await desk.call('customer', 'POST', '/api/v1/tickets', { subject: 'For a friend', message: 'x', requesterEmail: 'friend@acme.test' }), 422, 'a customer naming a requester');
  t.same(staffOnly.errors.map((e: { pointer: string }) => e.pointer), ['#/requesterEmail']);

  const invalid = await desk.call('agent', 'POST', '/api/v1/tickets', { subject: '', message: 'x', requesterEmail: 'not an address' });
  const problem = json(t, invalid, 422, 'invalid input');
  t.match(invalid.headers['content-type'], /^application\/problem\+json/);
  t.match(problem, { type: 'about:blank', title: 'Unprocessable Content', status: 422, instance: '/api/v1/tickets' });
  t.same(problem.errors.map((e: { pointer: string; code: string }) => [e.pointer, e.code]).sort(), [['#/requesterEmail', 'errors.email'], ['#/subject', 'errors.required']], 'each field named, with its key');
  t.match(problem.errors.find((e: { pointer: string }) => e.pointer === '#/subject').detail, 'required', 'and its message');
  const wrongType = json(t, await desk.call('agent', 'POST', '/api/v1/tickets', { subject: 5, message: 'x', extra: true }), 422, 'wrong types and unknown fields');
  t.same(wrongType.errors.map((e: { pointer: string }) => e.pointer).sort(), ['#/extra', '#/subject']);
  const form = await desk.app.inject({ method: 'POST', url: '/api/v1/tickets', headers: { authorization: `Bearer ${desk.tokens.agent}`, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'subject=x' });
  t.equal(form.statusCode, 415, 'a form body is not JSON: 415');
  t.equal(await desk.db.selectFrom('tickets').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow().then((r) => Number(r.n)), 5, 'no ticket from the refused requests');
});

t.test('one ticket with its ETag; a change with If-Match; a lost update is refused with 412', async (t) => {
  const desk = await buildApiDesk(t);
  const id = desk.tickets.mine;
  const read = await desk.call('agent', 'GET', `/api/v1/tickets/${id}`);
  const ticket = json(t, read, 200, 'read');
  const etag = String(read.headers.etag);
  t.match(etag, /^"[\w-]+"$/, 'an ETag');
  t.same(ticket.tags, []);

  const changed = await desk.call('agent', 'PATCH', `/api/v1/tickets/${id}`, { priority: 'urgent', assigneeId: desk.users.agent.id, tags: ['Billing', 'vip'] }, { 'if-match': etag });
  const after = json(t, changed, 200, 'the change');
  t.equal(after.priority, 'urgent');
  t.equal(after.assignee.id, desk.users.agent.id);
  t.same(after.tags, ['billing', 'vip'], 'tags normalised as on the ticket page');
  t.not(changed.headers.etag, etag, 'a new ETag');
  const history = await desk.db.selectFrom('ticket_events').select('kind').where('ticket_id', '=', id).execute();
  t.ok(history.some((h) => h.kind === 'priority'), 'a history line, as from the edit form');

  const lost = await desk.call('agent', 'PATCH', `/api/v1/tickets/${id}`, { priority: 'low' }, { 'if-match': etag });
  const problem = json(t, lost, 412, 'the old ETag');
  t.match(problem.detail, 'changed since you read it');
  const now = await desk.db.selectFrom('tickets').select('priority').where('id', '=', id).executeTakeFirstOrThrow();
  t.equal(now.priority, 'urgent', 'nothing written');

  const invalid = json(t, await desk.call('agent', 'PATCH', `/api/v1/tickets/${id}`, { priority: 'whenever', statusId: 9999 }), 422, 'bad values');
  t.same(invalid.errors.map((e: { pointer: string }) => e.pointer), ['#/priority']);
  const unknownStatus = json(t, await desk.call('agent', 'PATCH', `/api/v1/tickets/${id}`, { statusId: 9999 }), 422, 'an unknown status');
  t.equal(unknownStatus.errors[0].pointer, '#/statusId');

  t.equal((await desk.call('customer', 'PATCH', `/api/v1/tickets/${id}`, { priority: 'low' })).statusCode, 403, 'customers change no ticket');
  t.equal((await desk.call('restricted', 'PATCH', `/api/v1/tickets/${id}`, { priority: 'low' })).statusCode, 404, 'a ticket outside the restricted agent\'s groups is not there');
  t.equal((await desk.call('other', 'GET', `/api/v1/tickets/${id}`)).statusCode, 404, 'nor for another customer');
  t.equal((await desk.call('customer', 'GET', `/api/v1/tickets/${id}`)).statusCode, 200, 'while its requester reads it');
  t.equal((await desk.call('agent', 'GET', '/api/v1/tickets/0')).statusCode, 404);
  t.equal((await desk.call('agent', 'GET', '/api/v1/tickets/abc')).statusCode, 404);
});

t.test('a read-only token reads but changes nothing', async (t) => {
  const desk = await buildApiDesk(t);
  const { createApiToken } = await import('../../src/api/tokens.js');
  const { token } = await createApiToken(desk.db, null, desk.users.agent.id, { name: 'reader', scope: 'read', expiresOn: '' });
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  t.equal((await desk.app.inject({ method: 'GET', url: '/api/v1/tickets', headers })).statusCode, 200, 'reads');
  const refused = await desk.app.inject({ method: 'PATCH', url: `/api/v1/tickets/${desk.tickets.mine}`, headers, payload: '{"priority":"low"}' });
  t.equal(refused.statusCode, 403, 'a change: 403');
  t.match(JSON.parse(refused.body).detail, 'may only read');
  t.equal((await desk.app.inject({ method: 'POST', url: '/api/v1/tickets', headers, payload: '{"subject":"x","message":"y","requesterEmail":"a@b.test"}' })).statusCode, 403);
});
