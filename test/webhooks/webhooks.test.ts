// Signed webhooks (issue 22, point 3) end to end, with a real HTTP server on the loopback interface
// as the receiver: the admin subscribes on the admin pages and sees the secret once; a customer's
// ticket and an agent's reply arrive as signed POSTs (the test checks the HMAC itself); a receiver
// that fails for a while sees retries, then a success; a receiver that keeps failing gets the
// subscription disabled and the admins a mail in the outbox; with the setting off a private address
// is refused before anything is sent. Everything runs on SQLite and PostgreSQL.
import { createHmac } from 'node:crypto';
import t, { type Test } from 'tap';
import type { Config } from '../../src/config.js';
import { toActor } from '../../src/users/actor.js';
import { putSetting } from '../../src/settings/settings.js';
import { runWebhookCleanup } from '../../src/webhooks/cleanup.js';
import { isPrivateAddress, postWebhook } from '../../src/webhooks/send.js';
import {
  createSubscription, deleteSubscription, listSubscriptions, redeliver,
} from '../../src/webhooks/subscriptions.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeTicket, makeUser, PASSWORD } from '../helpers/factories.js';
import { startReceiver, type Received } from './receiver.js';

/** A form with repeated fields (ticked boxes), as a browser sends it. */
function postPairs(client: Client, url: string, pairs: [string, string][]) {
  return client.app.inject({
    method: 'POST', url, payload: new URLSearchParams([['_csrf', client.csrf], ...pairs]).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
  });
}

/** What a receiver does: the HMAC-SHA256 of the raw body with the secret, compared in constant time. */
function signedBy(secret: string, request: Received): boolean {
  const expected = `sha256=${createHmac('sha256', secret).update(request.body).digest('hex')}`;
  const given = String(request.headers['x-deskbell-signature'] ?? '');
  return given.length === expected.length && Buffer.from(given).equals(Buffer.from(expected));
}

async function desk(t: Test, env: Record<string, string> = {}, overrides: Partial<Config> = {}) {
  // No pause between retries: the worker's drain runs every attempt at once.
  const built = await buildTestDesk(t, { jobRetryBaseMs: 0, ...overrides }, env);
  const { db, app } = built;
  const adminRow = await makeUser(db, 'admin', { name: 'Ada Admin', email: 'ada@desk.test' });
  const agentRow = await makeUser(db, 'agent', { name: 'Kim Agent', email: 'kim@desk.test' });
  const customerRow = await makeUser(db, 'customer', { name: 'Cora Customer', email: 'cora@example.test' });
  const admin = new Client(app);
  await admin.login(adminRow.email, PASSWORD);
  const agent = new Client(app);
  await agent.login(agentRow.email, PASSWORD);
  const customer = new Client(app);
  await customer.login(customerRow.email, PASSWORD);
  const actorOf = async (id: number) => toActor(await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
  return { ...built, admin, agent, customer, adminRow, agentRow, customerRow, adminActor: await actorOf(adminRow.id), agentActor: await actorOf(agentRow.id) };
}

/** The admin subscribes on the admin page; returns the subscription's id and the secret shown once. */
async function subscribe(t: Test, admin: Client, url: string, events: string[], extra: [string, string][] = []) {
  await admin.get('/admin/webhooks/new');
  const created = await postPairs(admin, '/admin/webhooks', [['url', url], ['enabled', '1'], ...events.map((e): [string, string] => ['events', e]), ...extra]);
  t.equal(created.statusCode, 200, 'the webhook is created');
  const secret = /<code id="webhook-secret">([^<]+)<\/code>/.exec(created.body)?.[1] ?? '';
  t.match(secret, /^dbwh_[\w-]{40,}$/, 'and its signing secret is shown');
  const id = Number(/href="\/admin\/webhooks\/(\d+)"/.exec(created.body)?.[1]);
  return { id, secret };
}

t.test('signed deliveries: a receiver failing for a while sees retries of one delivery, then takes it', async (t) => {
  const d = await desk(t, { WEBHOOKS_ALLOW_PRIVATE: 'true' });
  // The first two attempts fail (a 500, then a 503); from the third on the receiver takes them.
  const receiver = await startReceiver(t, (_r, i) => (i === 0 ? 500 : i === 1 ? 503 : 200));
  const { id, secret } = await subscribe(t, d.admin, receiver.url(), ['ticket.created', 'message.added.public']);
  t.notMatch(await d.admin.page(`/admin/webhooks/${id}`), secret, 'the secret is not shown again');

  await d.customer.get('/portal/tickets/new');
  const submitted = await d.customer.post('/portal/tickets', { typeId: '1', subject: 'Printer on fire', message: 'Smoke from tray 2.' });
  t.equal(submitted.statusCode, 303, 'the customer opens a ticket');
  const ticketId = Number(/\/portal\/tickets\/(\d+)/.exec(String(submitted.headers.location))?.[1]);
  await d.app.worker.drain();

  t.equal(receiver.received.length, 3, 'three attempts reached the receiver');
  const ids = new Set(receiver.received.map((r) => r.headers['x-deskbell-delivery']));
  t.equal(ids.size, 1, 'all three carry the same X-Deskbell-Delivery');
  for (const request of receiver.received) {
    t.equal(request.method, 'POST');
    t.equal(request.headers['content-type'], 'application/json');
    t.equal(request.headers['x-deskbell-event'], 'ticket.created');
    t.ok(signedBy(secret, request), 'the signature checks out with the secret');
  }
  t.notOk(signedBy('another secret', receiver.received[0]!), 'and would not with another');
  const body = JSON.parse(receiver.received[2]!.body) as Record<string, any>;
  t.equal(body.id, receiver.received[0]!.headers['x-deskbell-delivery'], 'the body names its delivery');
  t.equal(body.event, 'ticket.created');
  t.ok(Math.abs(body.timestamp - Date.now() / 1000) < 60, 'the signed body carries the time it was sent');
  t.equal(body.ticket.id, ticketId);
  t.equal(body.ticket.subject, 'Printer on fire');
  t.equal(body.ticket.requester.email, 'cora@example.test');
  t.equal(body.ticket.status.category, 'new');
  t.equal(body.actor.name, 'Cora Customer', 'who acted');

  const delivery = await d.db.selectFrom('webhook_deliveries').selectAll().where('subscription_id', '=', id).executeTakeFirstOrThrow();
  t.same([delivery.state, delivery.attempts, delivery.response_status], ['delivered', 3, 200], 'the log: delivered at the third attempt');
  const log = await d.admin.page(`/admin/webhooks/${id}`);
  t.match(log, 'Delivered', 'the delivery log says so');
  t.match(log, '<code>ticket.created</code>');
  const detail = await d.admin.page(`/admin/webhooks/deliveries/${delivery.id}`);
  t.match(detail, `x-deskbell-delivery: ${delivery.uuid}`, 'the delivery page shows the request\'s headers');
  t.match(detail, 'Printer on fire', 'and its body');
  t.match(detail, '<strong>200</strong>', 'and the response code');

  // A note and a public reply: only the reply goes out, and without the note.
  await d.agent.get(`/agent/tickets/${ticketId}`);
  t.equal((await d.agent.post(`/agent/tickets/${ticketId}/messages`, { kind: 'note', body: 'Internal: the customer is on the blacklist' })).statusCode, 303);
  t.equal((await d.agent.post(`/agent/tickets/${ticketId}/messages`, { kind: 'reply', body: 'We are sending a technician.' })).statusCode, 303);
  await d.app.worker.drain();
  t.equal(receiver.received.length, 4, 'one more delivery: the public reply');
  const reply = receiver.received[3]!;
  t.equal(reply.headers['x-deskbell-event'], 'message.added.public');
  t.ok(signedBy(secret, reply));
  const replyBody = JSON.parse(reply.body) as Record<string, any>;
  t.equal(replyBody.message.bodyText, 'We are sending a technician.');
  t.equal(replyBody.message.public, true);
  t.equal(replyBody.message.author.name, 'Kim Agent');
  t.equal(replyBody.message.kind, 'reply', 'the public message itself, never a note');

  // Redeliver from the log: a new delivery id, the same event, signed again.
  await d.admin.get(`/admin/webhooks/${id}`);
  const again = await d.admin.post(`/admin/webhooks/deliveries/${delivery.id}/redeliver`);
  t.equal(again.statusCode, 303, 'the admin redelivers the first one');
  await d.app.worker.drain();
  t.equal(receiver.received.length, 5);
  const redelivered = receiver.received[4]!;
  t.equal(redelivered.headers['x-deskbell-event'], 'ticket.created');
  t.not(redelivered.headers['x-deskbell-delivery'], delivery.uuid, 'under a new delivery id');
  t.ok(signedBy(secret, redelivered));
  t.equal((JSON.parse(redelivered.body) as { ticket: { subject: string } }).ticket.subject, 'Printer on fire');
  t.match(await d.admin.page(String(again.headers.location)), 'redelivery of', 'its page says what it redelivered');
});

t.test('only the events asked for, and only tickets of the group asked for', async (t) => {
  const d = await desk(t, { WEBHOOKS_ALLOW_PRIVATE: 'true' });
  const receiver = await startReceiver(t);
  const billing = await d.db.insertInto('groups').values({ name: 'Billing', created_at: new Date().toISOString() }).returning('id').executeTakeFirstOrThrow();
  const notes = await subscribe(t, d.admin, receiver.url('/notes'), ['message.added.internal']);
  await subscribe(t, d.admin, receiver.url('/billing'), ['message.added.public', 'message.added.internal'], [['groupId', String(billing.id)]]);
  const ticket = await makeTicket(d.db, { requesterId: d.customerRow.id, groupId: 1, subject: 'Support ticket' });
  await d.agent.get(`/agent/tickets/${ticket}`);
  await d.agent.post(`/agent/tickets/${ticket}/messages`, { kind: 'reply', body: 'Public answer' });
  await d.agent.post(`/agent/tickets/${ticket}/messages`, { kind: 'note', body: 'A note for staff' });
  await d.app.worker.drain();
  t.same(receiver.received.map((r) => [r.url, r.headers['x-deskbell-event']]), [['/notes', 'message.added.internal']],
    'the note reached the notes subscription; the billing one heard nothing of a Support ticket');
  const body = JSON.parse(receiver.received[0]!.body) as { message: { kind: string; public: boolean; bodyText: string } };
  t.same([body.message.kind, body.message.public, body.message.bodyText], ['note', false, 'A note for staff']);
  t.ok(signedBy(notes.secret, receiver.received[0]!));
});

t.test('a receiver that keeps failing: retries, then the subscription is disabled and the admins mailed', async (t) => {
  const d = await desk(t, { WEBHOOKS_ALLOW_PRIVATE: 'true' });
  const receiver = await startReceiver(t, () => 503);
  // Made through the verb the API calls: it answers with the id and the secret.
  const { id, secret } = await d.db.transaction().execute((trx) => createSubscription(trx, d.adminActor, {
    url: receiver.url(), description: 'Accounting', events: ['message.added.public'], groupId: null, typeId: null, enabled: true,
  }));
  t.match(secret, /^dbwh_/);
  const listed = await listSubscriptions(d.db, d.adminActor);
  t.same(listed.map((s) => [s.id, s.url, s.enabled]), [[id, receiver.url(), true]], 'the list shows it');
  t.notMatch(JSON.stringify(listed), secret, 'never with its secret');

  const ticket = await makeTicket(d.db, { requesterId: d.customerRow.id, subject: 'Invoice wrong' });
  await d.agent.get(`/agent/tickets/${ticket}`);
  for (const n of [1, 2, 3]) {
    t.equal((await d.agent.post(`/agent/tickets/${ticket}/messages`, { kind: 'reply', body: `Answer ${n}` })).statusCode, 303);
    await d.app.worker.drain();
  }
  t.equal(receiver.received.length, 3 * 8, 'each of the three deliveries was tried eight times');
  const deliveries = await d.db.selectFrom('webhook_deliveries').select(['state', 'attempts', 'response_status']).where('subscription_id', '=', id).orderBy('id').execute();
  t.same(deliveries, Array(3).fill({ state: 'failed', attempts: 8, response_status: 503 }), 'all three failed for good');
  const subscription = await d.db.selectFrom('webhook_subscriptions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  t.same([subscription.enabled, subscription.disabled_reason, subscription.failures], [0, 'failures', 3], 'the subscription is disabled');

  const mails = (await d.db.selectFrom('jobs').select('payload').where('kind', '=', 'mail').execute())
    .map((j) => JSON.parse(j.payload) as { to: string[]; subject: string; text: string });
  const told = mails.filter((m) => m.subject === `Webhook disabled: ${receiver.url()}`);
  t.same(told.map((m) => m.to), [['ada@desk.test']], 'the admin has a mail in the outbox (and nobody else)');
  t.match(told[0]!.text, 'answered 503', 'with the last error');
  t.match(told[0]!.text, `/admin/webhooks/${id}`, 'and a link to the log');

  t.match(await d.admin.page('/admin/webhooks'), 'Disabled after failures', 'the list says why it stopped');
  await d.agent.post(`/agent/tickets/${ticket}/messages`, { kind: 'reply', body: 'Answer 4' });
  await d.app.worker.drain();
  t.equal(receiver.received.length, 24, 'a disabled subscription gets nothing more');

  // Enabling it again on its page forgets the failures.
  await d.admin.get(`/admin/webhooks/${id}`);
  const enabled = await postPairs(d.admin, `/admin/webhooks/${id}`, [['url', receiver.url()], ['events', 'message.added.public'], ['enabled', '1']]);
  t.equal(enabled.statusCode, 303);
  const after = await d.db.selectFrom('webhook_subscriptions').select(['enabled', 'failures']).where('id', '=', id).executeTakeFirstOrThrow();
  t.same(after, { enabled: 1, failures: 0 }, 'enabled again, its failures forgotten');

  // The verbs refuse anyone but an admin; deleting takes the log with it.
  await t.rejects(d.db.transaction().execute((trx) => redeliver(trx, d.agentActor, 1)), { name: 'Forbidden' }, 'an agent may not redeliver');
  await t.rejects(listSubscriptions(d.db, d.agentActor), { name: 'Forbidden' }, 'nor list');
  await d.db.transaction().execute((trx) => deleteSubscription(trx, d.adminActor, id));
  t.equal((await d.db.selectFrom('webhook_deliveries').select('id').execute()).length, 0, 'deleted with its log');
});

t.test('with the setting off a private address is refused before anything is sent', async (t) => {
  const d = await desk(t);
  const receiver = await startReceiver(t);
  t.match(await d.admin.page('/admin/webhooks'), 'Deliveries to loopback, private and link-local addresses are refused.');
  const direct = await subscribe(t, d.admin, receiver.url('/direct'), ['message.added.public']);
  // A name that resolves to the loopback interface is checked on the address it resolves to.
  await subscribe(t, d.admin, `http://localhost:${receiver.port}/named`, ['message.added.public']);
  const ticket = await makeTicket(d.db, { requesterId: d.customerRow.id, subject: 'Printer' });
  await d.agent.get(`/agent/tickets/${ticket}`);
  await d.agent.post(`/agent/tickets/${ticket}/messages`, { kind: 'reply', body: 'Hello' });
  await d.app.worker.drain();
  t.equal(receiver.received.length, 0, 'nothing reached the receiver');
  const rows = await d.db.selectFrom('webhook_deliveries').select(['id', 'state', 'attempts', 'error']).orderBy('id').execute();
  t.equal(rows.length, 2);
  for (const row of rows) {
    t.same([row.state, row.attempts], ['failed', 1], 'failed at once, without retries');
    t.match(row.error, /a private address/);
  }
  t.match(rows[0]!.error, 'is 127.0.0.1');
  t.match(rows[1]!.error, /localhost is (127\.0\.0\.1|::1)/);
  t.match(await d.admin.page(`/admin/webhooks/deliveries/${rows[0]!.id}`), 'a private address', 'the delivery page says why');

  // The admin allows private addresses: a redelivery goes through.
  await putSetting(d.db, 'webhooks.allow_private', '1');
  await d.admin.get(`/admin/webhooks/${direct.id}`);
  t.equal((await d.admin.post(`/admin/webhooks/deliveries/${rows[0]!.id}/redeliver`)).statusCode, 303);
  await d.app.worker.drain();
  t.equal(receiver.received.length, 1, 'with the setting on it arrives');
  t.ok(signedBy(direct.secret, receiver.received[0]!));
});

t.test('WEBHOOKS_ALLOW_PRIVATE fixes the setting: the settings page shows it read-only', async (t) => {
  const d = await desk(t, { WEBHOOKS_ALLOW_PRIVATE: 'true' });
  const page = await d.admin.page('/admin/settings');
  t.match(page, 'Set by the environment (WEBHOOKS_ALLOW_PRIVATE); change it there.');
  t.match(page, /name="webhooks__allow_private" type="text" value="true" readonly/, 'shown read-only');
  t.match(await d.admin.page('/admin/webhooks'), 'Deliveries to private addresses are allowed.');
});

t.test('no redirect is followed, and a receiver that does not answer is given up on', async (t) => {
  const receiver = await startReceiver(t, (request, _i, response) => {
    if (request.url === '/moved') {
      response.writeHead(302, { location: '/elsewhere' });
      return 302;
    }
    return request.url === '/slow' ? 'hang' : 200;
  });
  const moved = await postWebhook(receiver.url('/moved'), '{}', { 'content-type': 'application/json' }, { allowPrivate: true, timeoutMs: 5000 });
  t.equal(moved.status, 302);
  t.match(moved.error, 'redirect not followed (to /elsewhere)');
  const slow = await postWebhook(receiver.url('/slow'), '{}', {}, { allowPrivate: true, timeoutMs: 300 });
  t.equal(slow.status, undefined);
  t.match(slow.error, 'no answer within 0.3 s');
  t.same(receiver.received.map((r) => r.url), ['/moved', '/slow'], 'the redirect\'s target was never asked for');
  const refused = await postWebhook(receiver.url('/x'), '{}', {}, { allowPrivate: false, timeoutMs: 300 });
  t.ok(refused.refused, 'a loopback address is refused when private addresses are not allowed');
  t.equal(receiver.received.length, 2);
});

t.test('which addresses count as private', async (t) => {
  for (const address of ['127.0.0.1', '127.1.2.3', '10.0.0.8', '172.16.4.1', '172.31.255.255', '192.168.1.20', '169.254.169.254', '100.64.0.1',
    '0.0.0.0', '224.0.0.1', '::1', '::', 'fe80::1', 'fd12:3456::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', 'not an address']) {
    t.ok(isPrivateAddress(address), `${address} is private`);
  }
  for (const address of ['93.184.216.34', '8.8.8.8', '172.32.0.1', '192.169.0.1', '2606:4700:4700::1111', '2a00:1450:4001::200e']) {
    t.notOk(isPrivateAddress(address), `${address} is on the internet`);
  }
});

t.test('the admin pages: only admins; a refused form is shown again with its values (422)', async (t) => {
  const d = await desk(t);
  for (const client of [d.agent, d.customer]) {
    t.equal((await client.get('/admin/webhooks')).statusCode, 403);
    t.equal((await client.get('/admin/webhooks/new')).statusCode, 403);
  }
  t.match(await d.admin.page('/admin'), 'href="/admin/webhooks"', 'the admin index lists webhooks');
  await d.admin.get('/admin/webhooks/new');
  const refused = await postPairs(d.admin, '/admin/webhooks', [['url', 'ftp://user:pw@example.com/x'], ['description', 'Kept']]);
  t.equal(refused.statusCode, 422);
  t.match(refused.body, 'Enter an address starting with http:// or https://');
  t.match(refused.body, 'Choose at least one event.');
  t.match(refused.body, 'value="Kept"', 'the values are kept');
  const unknown = await postPairs(d.admin, '/admin/webhooks', [['url', 'https://hooks.example.com/x'], ['events', 'ticket.exploded']]);
  t.equal(unknown.statusCode, 422, 'an unknown event is refused');
  t.equal((await d.db.selectFrom('webhook_subscriptions').select('id').execute()).length, 0, 'nothing was saved');
  t.equal((await d.admin.get('/admin/webhooks/999')).statusCode, 404);
});

t.test('the webhook pages are valid HTML (html-validate\'s recommended rules)', async (t) => {
  const { HtmlValidate } = await import('html-validate');
  const validator = new HtmlValidate({
    extends: ['html-validate:recommended'],
    rules: { 'form-dup-name': ['error', { shared: ['radio', 'checkbox', 'button', 'reset', 'submit'] }] },
  });
  const check = async (name: string, html: string) => {
    const report = await validator.validateString(html);
    t.same(report.results.flatMap((r) => r.messages).map((m) => `${m.ruleId}: ${m.message}`), [], `${name}: no findings`);
  };
  const d = await desk(t, { WEBHOOKS_ALLOW_PRIVATE: 'true' });
  const receiver = await startReceiver(t, (_r, i) => (i === 0 ? 500 : 200));
  await d.admin.get('/admin/webhooks/new');
  const created = await postPairs(d.admin, '/admin/webhooks', [['url', receiver.url()], ['events', 'message.added.public'], ['enabled', '1'], ['description', 'Chat <bot>']]);
  await check('the secret page', created.body);
  const id = Number(/href="\/admin\/webhooks\/(\d+)"/.exec(created.body)?.[1]);
  const ticket = await makeTicket(d.db, { requesterId: d.customerRow.id, subject: 'Printer' });
  await d.agent.get(`/agent/tickets/${ticket}`);
  await d.agent.post(`/agent/tickets/${ticket}/messages`, { kind: 'reply', body: 'Hello <you>' });
  await d.app.worker.drain();
  const delivery = await d.db.selectFrom('webhook_deliveries').select('id').executeTakeFirstOrThrow();
  for (const url of ['/admin/webhooks', '/admin/webhooks/new', `/admin/webhooks/${id}`, `/admin/webhooks/deliveries/${delivery.id}`]) {
    await check(url, await d.admin.page(url));
  }
  t.match(await d.admin.page('/admin/webhooks'), 'Chat &lt;bot&gt;', 'what the admin typed is escaped');
  const refused = await postPairs(d.admin, `/admin/webhooks/${id}`, [['url', 'nope'], ['enabled', '1']]);
  t.equal(refused.statusCode, 422);
  await check('the refused form', refused.body);
});

t.test('the delivery log keeps 30 days of settled deliveries; those still waiting stay', async (t) => {
  const d = await desk(t);
  const { id } = await d.db.transaction().execute((trx) => createSubscription(trx, d.adminActor, {
    url: 'https://hooks.example.com/x', description: '', events: ['ticket.created'], groupId: null, typeId: null, enabled: false,
  }));
  const old = new Date(Date.now() - 31 * 24 * 3600_000).toISOString();
  const row = (uuid: string, state: 'delivered' | 'retrying', at: string) => ({
    subscription_id: id, uuid, event: 'ticket.created', event_id: null, ticket_id: null, payload: '{}', state, redelivery_of: null, request_headers: null,
    request_body: null, response_status: null, response_body: null, error: null, duration_ms: null, created_at: at, last_attempt_at: null, next_attempt_at: null,
  });
  await d.db.insertInto('webhook_deliveries').values([row('old-done', 'delivered', old), row('old-waiting', 'retrying', old), row('new-done', 'delivered', new Date().toISOString())]).execute();
  t.equal(await runWebhookCleanup(d.db), 1, 'one delivery went');
  t.same((await d.db.selectFrom('webhook_deliveries').select('uuid').orderBy('id').execute()).map((r) => r.uuid), ['old-waiting', 'new-done']);
});
