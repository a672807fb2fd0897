// The API's protocol (issue 22): problem+json for every error, Idempotency-Key on POST, rate limits
// per token (429 with Retry-After), and CSRF: a cookie session changes nothing without its token.
import { Writable } from 'node:stream';
import t from 'tap';
import { buildApp } from '../../src/app.js';
import { Client } from '../helpers/client.js';
import { PASSWORD } from '../helpers/factories.js';
import { buildApiDesk, json } from './helpers.js';

const ticketCount = async (desk: Awaited<ReturnType<typeof buildApiDesk>>) =>
  Number((await desk.db.selectFrom('tickets').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

t.test('errors are problem documents, an unknown address too', async (t) => {
  const desk = await buildApiDesk(t);
  const missing = await desk.call('agent', 'GET', '/api/v1/nothing-here');
  const problem = json(t, missing, 404, 'an unknown route');
  t.match(missing.headers['content-type'], /^application\/problem\+json/);
  t.match(problem, { type: 'about:blank', title: 'Not Found', status: 404, instance: '/api/v1/nothing-here' });
  const badToken = await desk.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: 'Bearer dsk_not-a-real-token' } });
  t.equal(badToken.statusCode, 401, 'an unknown token');
  t.match(JSON.parse(badToken.body).detail, 'not valid');
  t.equal(badToken.headers['set-cookie'], undefined, 'a bearer request gets no cookie');
  const broken = await desk.app.inject({ method: 'POST', url: '/api/v1/tickets', headers: { authorization: `Bearer ${desk.tokens.agent}`, 'content-type': 'application/json' }, payload: '{"subject":' });
  t.equal(broken.statusCode, 400, 'JSON that does not parse');
  t.match(broken.headers['content-type'], /^application\/problem\+json/);
});

t.test('Idempotency-Key: the same request again is answered as the first time; another request with the key is refused', async (t) => {
  const desk = await buildApiDesk(t);
  const body = { requesterEmail: 'ann@acme.test', subject: 'Once only', message: 'Sent twice by a retrying script' };
  const before = await ticketCount(desk);
  const first = await desk.call('agent', 'POST', '/api/v1/tickets', body, { 'idempotency-key': 'order-4711' });
  const ticket = json(t, first, 201, 'the first request');
  const again = await desk.call('agent', 'POST', '/api/v1/tickets', body, { 'idempotency-key': 'order-4711' });
  t.equal(again.statusCode, 201, 'the retry gets the same status');
  t.equal(again.body, first.body, 'the same body');
  t.equal(again.headers.location, first.headers.location, 'the same Location');
  t.equal(again.headers['idempotent-replayed'], 'true');
  t.equal(await ticketCount(desk), before + 1, 'one ticket, not two');
  const other = json(t, await desk.call('agent', 'POST', '/api/v1/tickets', { ...body, subject: 'Another' }, { 'idempotency-key': 'order-4711' }), 422, 'the key with another body');
  t.match(other.detail, 'different request');
  t.equal(await ticketCount(desk), before + 1, 'still one');
  // Keys are per person: the same key of someone else is another request.
  json(t, await desk.call('admin', 'POST', '/api/v1/tickets', body, { 'idempotency-key': 'order-4711' }), 201, 'another person\'s same key');
  // A refused request keeps nothing: fixed, it may use the key.
  json(t, await desk.call('agent', 'POST', '/api/v1/tickets', { ...body, subject: '' }, { 'idempotency-key': 'retry-me' }), 422, 'an invalid request');
  json(t, await desk.call('agent', 'POST', '/api/v1/tickets', body, { 'idempotency-key': 'retry-me' }), 201, 'the same key after fixing it');
  json(t, await desk.call('agent', 'POST', '/api/v1/tickets', body, { 'idempotency-key': '' }), 400, 'an empty key');
  const reply = { body: 'Once' };
  const m1 = await desk.call('agent', 'POST', `/api/v1/tickets/${ticket.id}/messages`, reply, { 'idempotency-key': 'msg-1' });
  const m2 = await desk.call('agent', 'POST', `/api/v1/tickets/${ticket.id}/messages`, reply, { 'idempotency-key': 'msg-1' });
  t.equal(m2.body, m1.body, 'a message too');
  const messages = await desk.db.selectFrom('messages').select('id').where('ticket_id', '=', ticket.id).where('body_text', 'like', 'Once%').execute();
  t.equal(messages.length, 1, 'written once');
});

t.test('rate limit per token: 429 with Retry-After, other tokens unaffected', async (t) => {
  const desk = await buildApiDesk(t, { apiRateLimit: { max: 3, windowMs: 60_000 } });
  for (let i = 0; i < 3; i++) t.equal((await desk.call('agent', 'GET', '/api/v1/me')).statusCode, 200, `request ${i + 1}`);
  const limited = await desk.call('agent', 'GET', '/api/v1/me');
  const problem = json(t, limited, 429, 'the fourth');
  t.ok(Number(limited.headers['retry-after']) > 0, `Retry-After: ${limited.headers['retry-after']}`);
  t.match(limited.headers['content-type'], /^application\/problem\+json/);
  t.equal(problem.status, 429);
  t.equal((await desk.call('customer', 'GET', '/api/v1/me')).statusCode, 200, 'another token still works');
});

t.test('CSRF: a signed-in browser reads the API, but changes nothing without its token; a bearer token needs none', async (t) => {
  const desk = await buildApiDesk(t);
  const browser = new Client(desk.app);
  await browser.login('kim@desk.test', PASSWORD);
  const cookie = { cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
  const me = json(t, await desk.app.inject({ method: 'GET', url: '/api/v1/me', headers: cookie }), 200, 'a GET with the session');
  t.equal(me.token, null, 'acting as the session\'s person');
  const url = `/api/v1/tickets/${desk.tickets.mine}`;
  const patch = (headers: Record<string, string>) => desk.app.inject({ method: 'PATCH', url, headers: { ...cookie, 'content-type': 'application/json', ...headers }, payload: '{"priority":"high"}' });
  const refused = await patch({});
  t.equal(refused.statusCode, 403, 'a PATCH without the CSRF token is refused');
  t.match(JSON.parse(refused.body).detail, 'did not come from this site');
  const post = await desk.app.inject({ method: 'POST', url: '/api/v1/tickets', headers: { ...cookie, 'content-type': 'application/json' }, payload: '{"subject":"x","message":"y","requesterEmail":"ann@acme.test"}' });
  t.equal(post.statusCode, 403, 'a POST too');
  t.equal((await desk.db.selectFrom('tickets').select('priority').where('id', '=', desk.tickets.mine).executeTakeFirstOrThrow()).priority, 'normal', 'nothing changed');
  t.equal((await patch({ 'x-csrf-token': browser.csrf })).statusCode, 200, 'with the page\'s token it goes through');
  // A bearer token with a session cookie beside it: the token decides, the cookie is ignored.
  const both = await desk.app.inject({ method: 'GET', url: '/api/v1/me', headers: { ...cookie, authorization: `Bearer ${desk.tokens.customer}` } });
  t.equal(JSON.parse(both.body).id, desk.users.customer.id, 'the token\'s person, not the cookie\'s');
});

t.test('tokens never reach the log', async (t) => {
  const desk = await buildApiDesk(t);
  let log = '';
  const stream = new Writable({ write(chunk, _enc, done) { log += String(chunk); done(); } });
  const app = await buildApp({ config: desk.config, db: desk.db, logger: { level: 'trace', stream } });
  await app.ready();
  t.teardown(() => app.close());
  await app.inject({ method: 'GET', url: '/api/v1/tickets', headers: { authorization: `Bearer ${desk.tokens.agent}` } });
  await app.inject({ method: 'GET', url: '/api/v1/tickets', headers: { authorization: 'Bearer dsk_wrong-token-value' } });
  t.ok(log.includes('/api/v1/tickets'), 'the requests are logged');
  t.notMatch(log, desk.tokens.agent, 'without the token');
  t.notMatch(log, 'dsk_wrong-token-value', 'nor a wrong one');
  t.notMatch(log, /authorization/i, 'nor the header');
});
