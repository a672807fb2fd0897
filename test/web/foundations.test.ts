import t from 'tap';
import { ASSET_VERSION } from '../../src/plugins/static-files.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';

t.test('GET /healthz answers 200 with the database up and 503 when it is gone', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const ok = await app.inject({ url: '/healthz' });
  t.equal(ok.statusCode, 200);
  t.same(ok.json(), { status: 'ok' });
  await db.destroy();
  const down = await app.inject({ url: '/healthz' });
  t.equal(down.statusCode, 503);
});

t.test('the render helper sends the full page, or only the fragment to an htmx partial request, and always Vary', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const client = new Client(app);
  await client.login((await makeUser(db, 'agent')).email, PASSWORD);

  const full = await client.get('/agent/tickets');
  t.match(full.body, /^<!DOCTYPE html>/);
  t.match(full.body, 'id="ticket-table"');
  t.match(full.headers.vary, /HX-Request-Type/);

  const boosted = await client.get('/agent/tickets', { 'hx-request': 'true', 'hx-request-type': 'full' });
  t.match(boosted.body, /^<!DOCTYPE html>/, 'boosted navigation gets the whole page');

  const partial = await client.get('/agent/tickets', { 'hx-request': 'true', 'hx-request-type': 'partial' });
  t.equal(partial.statusCode, 200);
  t.notMatch(partial.body, '<html');
  t.match(partial.body, /^<div id="ticket-table">/);
  t.match(partial.headers.vary, /HX-Request, HX-Request-Type/);
});

t.test('pages carry a strict Content-Security-Policy and no inline script or handler', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const client = new Client(app);
  const login = await client.get('/login');
  const csp = String(login.headers['content-security-policy']);
  t.match(csp, "script-src 'self'");
  t.notMatch(csp, 'unsafe-inline');
  t.notMatch(csp, 'unsafe-eval');
  t.equal(login.headers['x-content-type-options'], 'nosniff');
  t.match(login.body, 'hx-boost:inherited="true"');
  await client.login((await makeUser(db, 'admin')).email, PASSWORD);
  for (const url of ['/agent/tickets', '/agent/tickets/new', '/admin/outbox']) {
    const page = await client.get(url);
    t.equal(page.statusCode, 200);
    t.notMatch(page.body, /<script(?![^>]*\bsrc=)[^>]*>/, `${url}: every script is a file`);
    t.notMatch(page.body, /\son[a-z]+=/i, `${url}: no inline event handlers`);
    t.match(page.body, 'hx-boost:inherited="true"', `${url}: boosted body`);
    t.match(page.body, `src="/public/${ASSET_VERSION}/vendor/htmx.min.js"`, `${url}: htmx from our own /public`);
  }
  const htmx = await app.inject({ url: '/public/vendor/htmx.min.js' });
  t.equal(htmx.statusCode, 200, 'htmx is served (copied by the build)');
});

t.test('error pages: a clear 404, and a 500 that shows no internals', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const missing = await app.inject({ url: '/no/such/page' });
  t.equal(missing.statusCode, 404);
  t.match(missing.body, 'There is nothing here.');

  const client = new Client(app);
  await client.login((await makeUser(db, 'agent')).email, PASSWORD);
  const badCursor = await client.get('/agent/tickets?after=%27;drop%20table');
  t.equal(badCursor.statusCode, 400);
  t.match(badCursor.body, 'That page link is not valid.');

  await db.schema.dropTable('ticket_events').execute(); // break the next write on purpose
  const res = await client.post('/agent/tickets', { requesterEmail: 'c@example.test', subject: 'Boom', message: 'x' });
  t.equal(res.statusCode, 500);
  t.match(res.body, 'An unexpected error happened on our side.');
  t.notMatch(res.body, /SqliteError|no such table|at .*\.ts:\d+/, 'no error text or stack trace');
  t.equal((await db.selectFrom('tickets').select('id').execute()).length, 0, 'the half-done ticket was rolled back');
});

t.test('request ids: a sane X-Request-Id is kept and echoed, anything else replaced', async (t) => {
  const { app } = await buildTestDesk(t);
  const kept = await app.inject({ url: '/healthz', headers: { 'x-request-id': 'abc-123' } });
  t.equal(kept.headers['x-request-id'], 'abc-123');
  const replaced = await app.inject({ url: '/healthz', headers: { 'x-request-id': 'bad id<script>' } });
  t.match(replaced.headers['x-request-id'], /^[0-9a-f-]{36}$/);
});

t.test('an oversized form is refused with 413 and nothing is stored', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const client = new Client(app);
  await client.login((await makeUser(db, 'agent')).email, PASSWORD);
  const res = await client.post('/agent/tickets', { requesterEmail: 'c@example.test', subject: 'Big', message: 'x'.repeat(1024 * 1024 + 10) });
  t.equal(res.statusCode, 413);
  t.match(res.body, 'What you sent is too large.');
  t.equal((await db.selectFrom('tickets').select('id').execute()).length, 0);
});
