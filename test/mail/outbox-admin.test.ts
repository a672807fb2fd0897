import t, { type Test } from 'tap';
import type { Db } from '../../src/db/connect.js';
import { queueMail } from '../../src/mail/outbox.js';
import { nowIso } from '../../src/lib/time.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';

const mail = (to: string, subject: string) => ({ from: 'support@desk.test', to: [to], subject, text: 'Hello.\n' });

async function asAdmin(t: Test, db: Db, app: Awaited<ReturnType<typeof buildTestDesk>>['app']) {
  const admin = await makeUser(db, 'admin');
  const client = new Client(app);
  t.equal((await client.login(admin.email, PASSWORD)).statusCode, 303, 'the admin is logged in');
  return client;
}

/** The table row of one mail on the outbox page (found by its retry form). */
function row(html: string, id: number): string {
  return html.split('<tr ').find((r) => r.includes(`/admin/outbox/${id}/retry"`)) ?? '';
}

function makeDead(db: Db, id: number, error: string) {
  return db.updateTable('jobs').set({ state: 'dead', attempts: 10, last_error: error, finished_at: nowIso() })
    .where('id', '=', id).execute();
}

t.test('without SMTP_URL queued mail is listed at /admin/outbox with its recipient, subject and state', async (t) => {
  const { app, db } = await buildTestDesk(t);
  await queueMail(db, mail('casey@customer.test', 'Your ticket #7 was updated'));
  t.equal(await app.worker.drain(), 0, 'nothing is sent without SMTP_URL');

  const client = await asAdmin(t, db, app);
  const page = await client.get('/admin/outbox');
  t.equal(page.statusCode, 200);
  t.match(page.body, /<h1>Outbox<\/h1>/);
  t.match(page.body, 'No SMTP_URL is set: mail is kept here and not sent.');
  t.match(page.body, /<td>casey@customer\.test<\/td>/);
  t.match(page.body, /<td>Your ticket #7 was updated<\/td>/);
  t.match(page.body, /<span class="state state-queued">Queued<\/span>/);
  t.match(page.body, /<td>0 \/ 10<\/td>/, 'no attempt made yet');
});

t.test('a dead mail shows "Dead" with its error and a retry button that queues it again', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const id = await queueMail(db, mail('dana@customer.test', 'Invoice 2024-03'));
  await makeDead(db, id, '550 5.1.1 <dana@customer.test>: mailbox unavailable');

  const client = await asAdmin(t, db, app);
  const page = await client.get('/admin/outbox');
  const dead = row(page.body, id);
  t.match(dead, /<span class="state state-dead">Dead<\/span>/);
  t.match(dead, '550 5.1.1 &lt;dana@customer.test&gt;: mailbox unavailable', 'the error is shown, escaped');
  t.match(dead, /<button type="submit">Retry now<\/button>/);
  t.match(dead, new RegExp(`<form method="post" action="/admin/outbox/${id}/retry">`));

  const retried = await client.post(`/admin/outbox/${id}/retry`);
  t.equal(retried.statusCode, 303);
  t.equal(retried.headers.location, '/admin/outbox');
  const job = await db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  t.equal(job.state, 'queued');
  t.equal(job.attempts, 0);
  t.equal(job.finished_at, null);
  t.ok(Date.parse(job.run_at) <= Date.now(), 'due at once');

  const after = await client.get('/admin/outbox');
  t.match(after.body, 'The mail is queued again.');
  t.match(row(after.body, id), /<span class="state state-queued">Queued<\/span>/);
});

t.test('retry needs the CSRF token and an existing, unsent mail', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const id = await queueMail(db, mail('erin@customer.test', 'Hello'));
  await makeDead(db, id, 'boom');
  const client = await asAdmin(t, db, app);

  const forged = await client.post(`/admin/outbox/${id}/retry`, { _csrf: 'forged' });
  t.equal(forged.statusCode, 403, 'a forged token is refused');
  t.equal((await db.selectFrom('jobs').select('state').where('id', '=', id).executeTakeFirstOrThrow()).state, 'dead', 'nothing changed');

  await client.get('/admin/outbox');
  t.equal((await client.post('/admin/outbox/99999/retry')).statusCode, 404, 'an unknown mail');
  t.equal((await client.post('/admin/outbox/abc/retry')).statusCode, 404, 'a malformed id');

  await db.updateTable('jobs').set({ state: 'done', finished_at: nowIso() }).where('id', '=', id).execute();
  t.equal((await client.post(`/admin/outbox/${id}/retry`)).statusCode, 404, 'a sent mail is not sent twice');
  t.equal((await db.selectFrom('jobs').select('state').where('id', '=', id).executeTakeFirstOrThrow()).state, 'done');
});

t.test('the state filter lists only that state; an unknown state is a 400', async (t) => {
  const { app, db } = await buildTestDesk(t);
  await queueMail(db, mail('queued@customer.test', 'Still waiting'));
  const deadId = await queueMail(db, mail('dead@customer.test', 'Gave up'));
  await makeDead(db, deadId, 'connection refused');
  const client = await asAdmin(t, db, app);

  const dead = await client.get('/admin/outbox?state=dead');
  t.equal(dead.statusCode, 200);
  t.match(dead.body, 'dead@customer.test');
  t.notMatch(dead.body, 'queued@customer.test');
  t.match(dead.body, /<option value="dead" selected>Dead<\/option>/, 'the filter keeps its value');

  const sent = await client.get('/admin/outbox?state=done');
  t.match(sent.body, 'No mail.');

  const bad = await client.get('/admin/outbox?state=lost');
  t.equal(bad.statusCode, 400);
  t.match(bad.body, 'That filter value is not known.');
  t.equal((await client.get('/admin/outbox?before=xyz')).statusCode, 400, 'a malformed page cursor');
});

t.test('the outbox pages through older mail, 50 at a time', async (t) => {
  const { app, db } = await buildTestDesk(t);
  for (let i = 1; i <= 51; i++) await queueMail(db, mail(`person${i}@customer.test`, `Mail number ${i}`));
  const client = await asAdmin(t, db, app);

  const first = await client.get('/admin/outbox');
  t.equal(first.statusCode, 200);
  t.match(first.body, '<td>Mail number 51</td>', 'newest first');
  t.notMatch(first.body, '<td>Mail number 1</td>');
  const next = /href="(\/admin\/outbox\?state=&amp;before=\d+)"/.exec(first.body);
  t.ok(next, 'a link to older mail');
  const second = await client.get(next![1]!.replace(/&amp;/g, '&'));
  t.equal(second.statusCode, 200);
  t.match(second.body, '<td>Mail number 1</td>');
  t.notMatch(second.body, '<td>Mail number 2</td>');
});

t.test('only admins see the outbox', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const id = await queueMail(db, mail('frank@customer.test', 'Private'));
  await makeDead(db, id, 'boom');

  for (const role of ['agent', 'supervisor', 'customer'] as const) {
    const user = await makeUser(db, role);
    const client = new Client(app);
    await client.login(user.email, PASSWORD);
    const page = await client.get('/admin/outbox');
    t.equal(page.statusCode, 403, `${role}: 403 on /admin/outbox`);
    t.notMatch(page.body, 'frank@customer.test');
    t.equal((await client.post(`/admin/outbox/${id}/retry`)).statusCode, 403, `${role}: cannot retry`);
  }
  t.equal((await db.selectFrom('jobs').select('state').where('id', '=', id).executeTakeFirstOrThrow()).state, 'dead');

  const visitor = await new Client(app).get('/admin/outbox');
  t.equal(visitor.statusCode, 303, 'a visitor is sent to log in');
  t.equal(visitor.headers.location, '/login?next=%2Fadmin%2Foutbox');
});
