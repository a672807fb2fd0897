import t from 'tap';
import { recordAudit } from '../../src/admin/audit.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';

t.test('only admins reach /admin, which lists every section', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const admin = new Client(app);
  await admin.login((await makeUser(db, 'admin')).email, PASSWORD);
  const page = await admin.get('/admin');
  t.equal(page.statusCode, 200);
  for (const path of ['/admin/statuses', '/admin/types', '/admin/fields', '/admin/users', '/admin/settings', '/admin/texts', '/admin/outbox', '/admin/audit']) {
    t.match(page.body, `href="${path}"`);
  }
  t.match((await admin.get('/admin/outbox')).body, /<a href="\/admin\/outbox" aria-current="page">/, 'the admin menu marks the section');
  for (const role of ['supervisor', 'agent', 'customer'] as const) {
    const other = new Client(app);
    await other.login((await makeUser(db, role)).email, PASSWORD);
    t.equal((await other.get('/admin')).statusCode, 403, role);
  }
  t.equal((await app.inject({ url: '/admin' })).statusCode, 303, 'visitors are sent to log in');
});

t.test('an audit record keeps who, what, before and after, in the change\'s transaction', async (t) => {
  const { db } = await buildTestDesk(t);
  const admin = await makeUser(db, 'admin');
  const actor = { id: admin.id, email: admin.email, name: admin.name, role: 'admin' as const, organizationId: null, isOrgManager: false, locale: 'en', timeZone: null };
  await db.transaction().execute(async (trx) => {
    await recordAudit(trx, actor, { action: 'status.renamed', subjectType: 'status', subjectId: 3, before: { name: 'Pending' }, after: { name: 'In progress' } });
  });
  await t.rejects(db.transaction().execute(async (trx) => {
    await recordAudit(trx, actor, { action: 'status.deleted', subjectType: 'status', subjectId: 4 });
    throw new Error('the change failed');
  }));
  const rows = await db.selectFrom('audit_log').selectAll().execute();
  t.equal(rows.length, 1, 'a rolled-back change leaves no record');
  t.same([rows[0]!.actor_id, rows[0]!.action], [admin.id, 'status.renamed']);
  t.same(JSON.parse(rows[0]!.details), { before: { name: 'Pending' }, after: { name: 'In progress' } });
});
