// Webhook subscriptions through the API (issue 22): an admin subscribes a receiver on the loopback
// interface, reads, changes and removes it, reads its delivery log and redelivers; everyone else is
// refused with a problem document, and a bad address is a validation error.
import { createHmac } from 'node:crypto';
import t from 'tap';
import { putSetting } from '../../src/settings/settings.js';
import { startReceiver } from '../webhooks/receiver.js';
import { buildApiDesk, json, type Person } from './helpers.js';

t.test('an admin manages a subscription and its deliveries through the API', async (t) => {
  const desk = await buildApiDesk(t, { jobRetryBaseMs: 0 });
  // The receiver is on the loopback interface: the admin allows private addresses.
  await putSetting(desk.db, 'webhooks.allow_private', '1');
  const receiver = await startReceiver(t);
  const created = json(t, await desk.call('admin', 'POST', '/api/v1/webhooks', { url: receiver.url(), events: ['ticket.created'], description: 'CRM' }), 201, 'subscribe');
  t.match(created, { url: receiver.url(), events: ['ticket.created'], description: 'CRM', enabled: true, groupId: null });
  t.match(created.secret, /^dbwh_/, 'the signing secret, this once');
  const row = await desk.db.selectFrom('webhook_subscriptions').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
  t.equal(row.secret, created.secret, 'stored as the admin pages store it');

  const listed = json(t, await desk.call('admin', 'GET', '/api/v1/webhooks'), 200, 'list');
  t.same(listed.items.map((s: { id: number }) => s.id), [created.id]);
  t.notOk(JSON.stringify(listed).includes(created.secret), 'the list never shows the secret');
  const one = json(t, await desk.call('admin', 'GET', `/api/v1/webhooks/${created.id}`), 200, 'get');
  t.notOk(JSON.stringify(one).includes(created.secret), 'nor does the subscription');

  // A real event: an agent opens a ticket, the worker delivers it, signed, to the receiver.
  json(t, await desk.call('agent', 'POST', '/api/v1/tickets', { requesterEmail: 'ann@acme.test', subject: 'Webhook please', message: 'Hello' }), 201, 'a ticket');
  await desk.app.worker.drain();
  t.equal(receiver.received.length, 1, 'the receiver got one delivery');
  const sent = receiver.received[0]!;
  t.equal(sent.headers['x-deskbell-signature'], `sha256=${createHmac('sha256', created.secret).update(sent.body).digest('hex')}`, 'signed with the secret');
  const log = json(t, await desk.call('admin', 'GET', `/api/v1/webhooks/${created.id}/deliveries`), 200, 'the delivery log');
  t.equal(log.items.length, 1);
  t.match(log.items[0], { event: 'ticket.created', state: 'delivered', response: { status: 200 }, uuid: sent.headers['x-deskbell-delivery'] });
  t.equal(log.next, null);
  t.match(json(t, await desk.call('admin', 'GET', `/api/v1/webhooks/deliveries/${log.items[0].id}`), 200), { id: log.items[0].id });

  const again = await desk.call('admin', 'POST', `/api/v1/webhooks/deliveries/${log.items[0].id}/redeliver`);
  const redelivery = json(t, again, 202, 'redeliver');
  t.equal(again.headers.location, `/api/v1/webhooks/deliveries/${redelivery.id}`);
  t.equal(redelivery.redeliveryOf, log.items[0].id);
  await desk.app.worker.drain();
  t.equal(receiver.received.length, 2, 'sent again');
  t.not(receiver.received[1]!.headers['x-deskbell-delivery'], sent.headers['x-deskbell-delivery'], 'under a new delivery id');

  const changed = json(t, await desk.call('admin', 'PATCH', `/api/v1/webhooks/${created.id}`, { enabled: false, events: ['ticket.created', 'message.added.public'] }), 200, 'change');
  t.match(changed, { enabled: false, disabledReason: 'admin', url: receiver.url(), description: 'CRM', events: ['ticket.created', 'message.added.public'] }, 'what was left out stays');
  t.equal((await desk.db.selectFrom('webhook_subscriptions').select('enabled').where('id', '=', created.id).executeTakeFirstOrThrow()).enabled, 0);

  const removed = await desk.call('admin', 'DELETE', `/api/v1/webhooks/${created.id}`);
  t.equal(removed.statusCode, 204, 'removed');
  t.equal(removed.body, '');
  t.equal((await desk.db.selectFrom('webhook_subscriptions').select('id').execute()).length, 0, 'no subscription left');
  t.equal((await desk.db.selectFrom('webhook_deliveries').select('id').execute()).length, 0, 'nor its log');
  json(t, await desk.call('admin', 'GET', `/api/v1/webhooks/${created.id}`), 404, 'gone');
  const audit = await desk.db.selectFrom('audit_log').select('action').where('action', 'like', 'webhook.%').orderBy('id').execute();
  t.same(audit.map((a) => a.action), ['webhook.created', 'webhook.redelivered', 'webhook.updated', 'webhook.deleted'], 'audited as on the pages');
});

t.test('a bad address or event is a validation error, and nothing is written', async (t) => {
  const desk = await buildApiDesk(t);
  const bad = await desk.call('admin', 'POST', '/api/v1/webhooks', { url: 'ftp://user:pw@example.test/x', events: ['ticket.exploded'] });
  t.equal(bad.statusCode, 422);
  t.match(bad.headers['content-type'], /^application\/problem\+json/);
  const problem = JSON.parse(bad.body);
  t.match(problem.errors, [{ pointer: '#/url', code: 'webhooks.errors.url' }], 'the address');
  t.ok(problem.errors.some((e: { pointer: string }) => e.pointer.startsWith('#/events')), 'and the event');
  t.match(problem.errors[0].detail, 'starting with http:// or https://', 'in words');
  const none = json(t, await desk.call('admin', 'POST', '/api/v1/webhooks', { url: 'https://hooks.example.test/x', events: [] }), 422, 'no events');
  t.match(none.errors, [{ pointer: '#/events', code: 'webhooks.errors.noEvents' }]);
  const group = json(t, await desk.call('admin', 'POST', '/api/v1/webhooks', { url: 'https://hooks.example.test/x', events: ['ticket.created'], groupId: 999999 }), 422, 'an unknown group');
  t.match(group.errors, [{ pointer: '#/groupId' }]);
  t.equal((await desk.db.selectFrom('webhook_subscriptions').select('id').execute()).length, 0, 'nothing written');
  const made = json(t, await desk.call('admin', 'POST', '/api/v1/webhooks', { url: 'https://hooks.example.test/x', events: ['ticket.created'] }), 201);
  json(t, await desk.call('admin', 'PATCH', `/api/v1/webhooks/${made.id}`, { url: 'not a url' }), 422, 'a bad change');
  t.equal((await desk.db.selectFrom('webhook_subscriptions').select('url').executeTakeFirstOrThrow()).url, 'https://hooks.example.test/x', 'unchanged');
});

t.test('agents, restricted agents and customers are refused with a problem document; read-only tokens cannot write', async (t) => {
  const desk = await buildApiDesk(t);
  const made = json(t, await desk.call('admin', 'POST', '/api/v1/webhooks', { url: 'https://hooks.example.test/x', events: ['ticket.created'] }), 201);
  const requests: [string, string, unknown?][] = [
    ['GET', '/api/v1/webhooks'], ['POST', '/api/v1/webhooks', { url: 'https://evil.example.test/', events: ['message.added.internal'] }],
    ['GET', `/api/v1/webhooks/${made.id}`], ['PATCH', `/api/v1/webhooks/${made.id}`, { url: 'https://evil.example.test/' }],
    ['DELETE', `/api/v1/webhooks/${made.id}`], ['GET', `/api/v1/webhooks/${made.id}/deliveries`],
    // An empty body too: refused before it is read.
    ['POST', '/api/v1/webhooks', {}],
  ];
  for (const who of ['agent', 'restricted', 'customer', 'other'] as Person[]) {
    for (const [method, url, body] of requests) {
      const response = await desk.call(who, method, url, body);
      t.equal(response.statusCode, 403, `${who}: ${method} ${url}`);
      t.match(response.headers['content-type'], /^application\/problem\+json/);
      t.match(JSON.parse(response.body), { status: 403, title: 'Forbidden' });
    }
  }
  t.equal((await desk.call(null, 'GET', '/api/v1/webhooks')).statusCode, 401, 'nobody: 401');
  const rows = await desk.db.selectFrom('webhook_subscriptions').select(['url']).execute();
  t.same(rows.map((r) => r.url), ['https://hooks.example.test/x'], 'nothing changed');

  await desk.db.updateTable('api_tokens').set({ scope: 'read' }).where('user_id', '=', desk.users.admin.id).execute();
  json(t, await desk.call('admin', 'GET', '/api/v1/webhooks'), 200, 'a read-only admin token reads');
  json(t, await desk.call('admin', 'DELETE', `/api/v1/webhooks/${made.id}`), 403, 'but does not delete');
});
