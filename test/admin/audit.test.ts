import t, { type Test } from 'tap';
import { recordAudit } from '../../src/admin/audit.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';

async function setup(t: Test) {
  const desk = await buildTestDesk(t);
  const ada = await makeUser(desk.db, 'admin', { name: 'Ada Admin', email: 'ada@example.test' });
  const bob = await makeUser(desk.db, 'admin', { name: 'Bob Boss', email: 'bob@example.test' });
  const admin = new Client(desk.app);
  await admin.login(ada.email, PASSWORD);
  const actor = (u: typeof ada) => ({ id: u.id, email: u.email, name: u.name, role: 'admin' as const, organizationId: null, isOrgManager: false, locale: 'en', timeZone: null });
  return { ...desk, admin, ada: actor(ada), bob: actor(bob) };
}

t.test('the audit log shows who changed what, newest first, with before → after', async (t) => {
  const { admin, db, bob } = await setup(t);
  await recordAudit(db, bob, { action: 'status.renamed', subjectType: 'status', subjectId: 3, before: { name: 'Pending' }, after: { name: 'In progress' } });
  // A real change through an admin page leaves its own entry.
  await admin.get('/admin/texts/en/portal.home.title');
  t.equal((await admin.post('/admin/texts/en/portal.home.title', { value: 'Welcome' })).statusCode, 303);
  await recordAudit(db, null, { action: 'ticket.deleted', subjectType: 'ticket', subjectId: 77, details: { subject: 'Spam' } });

  const page = await admin.get('/admin/audit');
  t.equal(page.statusCode, 200);
  const order = ['ticket.deleted', 'text.changed', 'status.renamed'].map((a) => page.body.indexOf(`<code>${a}</code>`));
  t.ok(order.every((i) => i > 0) && order[0]! < order[1]! && order[1]! < order[2]!, 'newest first');
  t.match(page.body, /Bob Boss<br><span class="muted">bob@example.test<\/span>/);
  t.match(page.body, /<span class="muted">name:<\/span> <del>Pending<\/del> → <ins>In progress<\/ins>/);
  t.match(page.body, /<del>My page<\/del> → <ins>Welcome<\/ins>/);
  t.match(page.body, /<span class="muted">key:<\/span> portal.home.title/);
  t.match(page.body, /<td>Deskbell<br>|<td>Deskbell<\/td>/, 'changes without a person are Deskbell\'s');
  t.match(page.body, /<span class="muted">subject:<\/span> Spam/);
});

t.test('the audit log is searched by action, by who and by text', async (t) => {
  const { admin, db, ada, bob } = await setup(t);
  await recordAudit(db, ada, { action: 'group.created', subjectType: 'group', subjectId: 1, after: { name: 'Field engineers' } });
  await recordAudit(db, bob, { action: 'group.renamed', subjectType: 'group', subjectId: 1, before: { name: 'Field engineers' }, after: { name: 'Technicians' } });
  await recordAudit(db, bob, { action: 'brand.created', subjectType: 'brand', subjectId: 2, after: { name: 'Acme 100%' } });

  const byAction = await admin.get('/admin/audit?action=group.renamed');
  t.equal(byAction.statusCode, 200);
  t.match(byAction.body, '<code>group.renamed</code>');
  t.notMatch(byAction.body, '<code>group.created</code>');
  t.match(byAction.body, '<option value="group.renamed" selected>group.renamed</option>', 'the filter keeps its choice');

  const byActor = await admin.get('/admin/audit?actor=ada');
  t.equal(byActor.statusCode, 200);
  t.match(byActor.body, '<code>group.created</code>');
  t.notMatch(byActor.body, '<code>brand.created</code>');
  t.match((await admin.get('/admin/audit?actor=bob%40example')).body, '<code>brand.created</code>', 'by email too');

  const byText = await admin.get('/admin/audit?q=technicians');
  t.equal(byText.statusCode, 200);
  t.match(byText.body, '<code>group.renamed</code>');
  t.notMatch(byText.body, '<code>group.created</code>');
  const literal = await admin.get('/admin/audit?q=100%25');
  t.equal(literal.statusCode, 200);
  t.match(literal.body, '<code>brand.created</code>');
  t.notMatch(literal.body, '<code>group.created</code>', 'a % is searched as itself');

  const none = await admin.get('/admin/audit?q=nothing-like-this');
  t.match(none.body, 'No change recorded matches.');
  const partial = await admin.get('/admin/audit?q=technicians', { 'hx-request': 'true', 'hx-request-type': 'partial' });
  t.match(partial.body, /^<div id="audit-table">/, 'htmx swaps only the table');
});

t.test('the audit log pages through older entries by id', async (t) => {
  const { admin, db, ada } = await setup(t);
  for (let i = 1; i <= 60; i++) await recordAudit(db, ada, { action: 'field.changed', subjectType: 'field', subjectId: i, before: { label: `L${i - 1}` }, after: { label: `L${i}` } });
  const first = await admin.get('/admin/audit');
  t.equal(first.statusCode, 200);
  t.match(first.body, 'field #60');
  t.notMatch(first.body, 'field #10<');
  const more = /href="(\/admin\/audit\?[^"]*before=\d+)"/.exec(first.body)![1]!.replace(/&amp;/g, '&');
  const second = await admin.get(more);
  t.equal(second.statusCode, 200);
  t.match(second.body, 'field #10<');
  t.match(second.body, 'field #1<');
  t.notMatch(second.body, 'field #11<', 'no entry twice');
  t.notMatch(second.body, 'Older entries', 'the last page');
  t.equal((await admin.get('/admin/audit?before=abc')).statusCode, 400);
});

t.test('only admins read the audit log', async (t) => {
  const { app, db } = await buildTestDesk(t);
  for (const role of ['supervisor', 'agent', 'customer'] as const) {
    const other = new Client(app);
    await other.login((await makeUser(db, role)).email, PASSWORD);
    t.equal((await other.get('/admin/audit')).statusCode, 403, role);
  }
});
