import t, { type Test } from 'tap';
import { postMultipart } from '../attachments/helpers.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';

async function asAdmin(t: Test) {
  const desk = await buildTestDesk(t);
  const admin = new Client(desk.app);
  await admin.login((await makeUser(desk.db, 'admin', { name: 'Ada Admin' })).email, PASSWORD);
  return { ...desk, admin };
}

t.test('the texts page shows what differs from the shipped texts, by screen; every text when asked or searched', async (t) => {
  const { admin } = await asAdmin(t);
  const page = await admin.get('/admin/texts');
  t.equal(page.statusCode, 200);
  t.match(page.body, 'No text differs from the shipped one yet.', 'nothing changed yet: only what differs is listed');
  t.match(page.body, 'href="/admin/texts?all=1">Show every text</a>');

  const all = await admin.get('/admin/texts?all=1');
  t.equal(all.statusCode, 200);
  t.match(all.body, /<th scope="col" lang="en">English<\/th>\s*<th scope="col" lang="de">Deutsch<\/th>/);
  t.match(all.body, '<h2 id="texts-screen-portal">Customer portal</h2>', 'grouped by screen, the portal first');
  t.match(all.body, 'More texts', 'a page at a time');

  const found = await admin.get('/admin/texts?q=received+your+request');
  t.equal(found.statusCode, 200);
  t.match(found.body, '<h2 id="texts-screen-mail">Emails</h2>', 'a search looks through every text, grouped by screen');
  t.match(found.body, '<code>mail.received.subject</code>');
  t.match(found.body, 'Wir haben Ihre Anfrage erhalten', 'the German text beside the English one');
  t.notMatch(found.body, '<code>login.title</code>');
  t.match((await admin.get('/admin/texts?q=portal.home.title')).body, 'href="/admin/texts/de/portal.home.title"');

  const sign = await admin.get('/admin/texts?screen=signin&all=1');
  t.equal(sign.statusCode, 200);
  t.match(sign.body, '<code>login.title</code>');
  t.notMatch(sign.body, '<code>portal.home.title</code>', 'one screen only');
  t.match(sign.body, '<option value="signin" selected>Sign-in and profile</option>');

  const next = /href="\/admin\/texts\?all=1&amp;after=([^"]+)"/.exec(all.body)![1]!;
  const second = await admin.get(`/admin/texts?all=1&after=${next}`);
  t.equal(second.statusCode, 200);
  t.notMatch(second.body, `<code>${decodeURIComponent(next)}</code>`, 'the next page starts after the last key shown');
  t.match(second.body, /<code>[a-z]/, 'and lists more');
});

t.test('an override shows at once in the portal, a preview fills in sample values, and reset brings back the default', async (t) => {
  const { admin, app, db } = await asAdmin(t);
  const customer = new Client(app);
  await customer.login((await makeUser(db, 'customer')).email, PASSWORD);
  t.match((await customer.get('/portal')).body, '<h1>My page</h1>');

  const edit = await admin.get('/admin/texts/en/portal.home.title');
  t.equal(edit.statusCode, 200);
  t.match(edit.body, 'Shipped text');
  t.match(edit.body, '>My page</textarea>');

  const preview = await admin.post('/admin/texts/en/mail.received.subject', { value: '[Ticket {id}] Thanks: {subject}', intent: 'preview' });
  t.equal(preview.statusCode, 200);
  t.match(preview.body, '[Ticket 1042] Thanks: The printer on floor 2 is offline');
  t.same(await db.selectFrom('texts').selectAll().execute(), [], 'a preview saves nothing');

  const partial = await admin.post('/admin/texts/en/mail.received.subject', { value: 'Got #{id}', intent: 'preview' },
    { 'hx-request': 'true', 'hx-request-type': 'partial' });
  t.match(partial.body, /^<section id="text-preview"/, 'htmx swaps only the preview');
  t.match(partial.body, 'Got #1042');

  t.equal((await admin.post('/admin/texts/en/portal.home.title', { value: 'Your support corner', intent: 'save' })).statusCode, 303);
  t.match((await admin.get('/admin/texts?q=portal.home.title')).body, 'Text saved. It shows everywhere now.');
  t.match((await customer.get('/portal')).body, '<h1>Your support corner</h1>', 'the customer sees it without a restart');
  t.match((await admin.get('/admin/texts?q=portal.home.title')).body, /Your support corner\s*<span class="badge">changed<\/span>/);
  const changed = await admin.get('/admin/texts');
  t.equal(changed.statusCode, 200);
  t.match(changed.body, '<code>portal.home.title</code>', 'the changed text is what the page shows first');
  t.match(changed.body, 'These texts differ from the shipped ones.');

  const audit = await db.selectFrom('audit_log').select(['action', 'details']).execute();
  t.same(audit.map((a) => [a.action, JSON.parse(a.details)]), [['text.changed', { key: 'portal.home.title', locale: 'en', before: 'My page', after: 'Your support corner' }]]);

  const reset = await admin.post('/admin/texts/en/portal.home.title/reset');
  t.equal(reset.statusCode, 303);
  t.match((await customer.get('/portal')).body, '<h1>My page</h1>', 'back to the shipped text');
  t.same(await db.selectFrom('texts').selectAll().execute(), []);
  t.equal((await db.selectFrom('audit_log').select('action').orderBy('id', 'desc').executeTakeFirstOrThrow()).action, 'text.reset');
  t.notMatch(await admin.page('/admin/texts/en/portal.home.title'), 'Reset to the shipped text', 'nothing left to reset');
});

t.test('an overridden mail subject is used for the next mail, in its language only', async (t) => {
  const { admin, app, db } = await asAdmin(t);
  t.equal((await admin.post('/admin/texts/en/mail.received.subject', { value: 'Case {id} opened: {subject}' })).statusCode, 303);
  const english = await makeUser(db, 'customer', { email: 'en@example.test' });
  const german = await makeUser(db, 'customer', { email: 'de@example.test' });
  await db.updateTable('users').set({ locale: 'de' }).where('id', '=', german.id).execute();
  const typeId = String((await db.selectFrom('ticket_types').select('id').executeTakeFirstOrThrow()).id);
  for (const person of [english, german]) {
    const client = new Client(app);
    await client.login(person.email, PASSWORD);
    await client.get('/portal/tickets/new');
    const res = await postMultipart(app, client, '/portal/tickets', [
      { name: '_csrf', value: client.csrf }, { name: 'typeId', value: typeId }, { name: 'subject', value: 'Printer offline' }, { name: 'message', value: 'It blinks.' },
    ]);
    t.equal(res.statusCode, 303);
  }
  await app.worker.consume(); // the notifications consumer queues the confirmations
  const mails = (await db.selectFrom('jobs').select('payload').where('kind', '=', 'mail').orderBy('id').execute())
    .map((j) => JSON.parse(j.payload) as { to: string[]; subject: string });
  t.match(mails[0]!, { to: ['en@example.test'], subject: /^Case \d+ opened: Printer offline$/ });
  t.match(mails[1]!, { to: ['de@example.test'], subject: /^\[#\d+\] Wir haben Ihre Anfrage erhalten: Printer offline$/ });
});

t.test('an override must keep to the placeholders of the shipped text and may not be empty', async (t) => {
  const { admin, db } = await asAdmin(t);
  const res = await admin.post('/admin/texts/en/mail.received.subject', { value: 'Ticket {number}' });
  t.equal(res.statusCode, 422);
  t.match(res.body, 'The shipped text has no placeholder {number}; it would show as it is.');
  t.match(res.body, '>Ticket {number}</textarea>', 'the value is kept');
  const empty = await admin.post('/admin/texts/de/login.title', { value: '  ' });
  t.equal(empty.statusCode, 422);
  t.match(empty.body, 'This field is required.');
  t.same(await db.selectFrom('texts').selectAll().execute(), []);
  t.equal((await admin.get('/admin/texts/en/no.such.key')).statusCode, 404);
  t.equal((await admin.post('/admin/texts/fr/login.title', { value: 'Connexion' })).statusCode, 404);
});

t.test('only admins edit texts', async (t) => {
  const { app, db } = await buildTestDesk(t);
  for (const role of ['supervisor', 'agent', 'customer'] as const) {
    const other = new Client(app);
    await other.login((await makeUser(db, role)).email, PASSWORD);
    t.equal((await other.get('/admin/texts')).statusCode, 403, role);
    t.equal((await other.post('/admin/texts/en/login.title', { value: 'Hacked' })).statusCode, 403, role);
  }
  t.same(await db.selectFrom('texts').selectAll().execute(), []);
});

t.test('an override that is not a valid message is refused with a clear message; a plural one previews and shows', async (t) => {
  const { admin, app, db } = await asAdmin(t);
  const broken = await admin.post('/admin/texts/en/bulk.updated', { value: '{count, plural, one {# case done.} other {# cases done.}' });
  t.equal(broken.statusCode, 422);
  t.match(broken.body, 'This text does not read as a message near character');
  t.match(broken.body, 'every opening brace needs its closing one');
  const noOther = await admin.post('/admin/texts/de/bulk.updated', { value: '{count, plural, one {# Fall erledigt.}}' });
  t.equal(noOther.statusCode, 422);
  t.match(noOther.body, 'a count needs its', 'a plural without its other form');
  t.same(await db.selectFrom('texts').selectAll().execute(), [], 'nothing saved');

  const unknown = await admin.post('/admin/texts/en/bulk.updated', { value: '{total, plural, one {# case} other {# cases}} done.' });
  t.equal(unknown.statusCode, 422);
  t.match(unknown.body, 'The shipped text has no placeholder {total}', 'an argument inside a plural is checked too');

  const preview = await admin.post('/admin/texts/de/bulk.updated', { value: '{count, plural, one {# Fall erledigt.} other {# Fälle erledigt.}}', intent: 'preview' });
  t.equal(preview.statusCode, 200);
  t.match(preview.body, '3 Fälle erledigt.', 'the preview fills in a count');
  t.equal((await admin.post('/admin/texts/en/bulk.updated', { value: "{count, plural, one {One case closed, '{'done'}'.} other {# cases closed.}}" })).statusCode, 303);
  const en = app.catalogue.translator('en');
  t.same([1, 2].map((count) => en('bulk.updated', { count })), ['One case closed, {done}.', '2 cases closed.'], 'quoted braces show as they are');
});
