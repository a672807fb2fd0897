import t from 'tap';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';
import { activeStatuses, adminDesk, auditActions, statusId } from './statuses-helpers.js';

t.test('only admins reach the statuses pages and their forms', async (t) => {
  const { app, db } = await adminDesk(t);
  const pending = await statusId(db, 'Pending');
  for (const role of ['supervisor', 'agent', 'customer'] as const) {
    const other = new Client(app);
    await other.login((await makeUser(db, role)).email, PASSWORD);
    for (const url of ['/admin/statuses', '/admin/statuses/new', `/admin/statuses/${pending}/edit`, `/admin/statuses/${pending}/delete`, '/admin/statuses/presets/simple']) {
      t.equal((await other.get(url)).statusCode, 403, `${role} GET ${url}`);
    }
    await other.get(role === 'customer' ? '/portal' : '/agent/tickets');
    t.ok(other.csrf, 'they hold a valid token of their own');
    t.equal((await other.post('/admin/statuses', { name: 'Mine', customerLabel: 'Mine', category: 'open' })).statusCode, 403, `${role} cannot create`);
    t.equal((await other.post(`/admin/statuses/${pending}/delete`, { moveTo: '1' })).statusCode, 403, `${role} cannot delete`);
    t.equal((await other.post('/admin/statuses/presets/field_service')).statusCode, 403, `${role} cannot apply a preset`);
    t.equal((await other.post('/admin/statuses/settings', { assignmentStatusId: String(pending) })).statusCode, 403);
  }
  t.equal((await app.inject({ url: '/admin/statuses' })).statusCode, 303, 'visitors are sent to log in');
  t.same((await activeStatuses(db)).map((s) => s.name), ['New', 'Open', 'Pending', 'Solved', 'Closed']);
  t.equal((await auditActions(db)).length, 0);
});

t.test('every form needs the CSRF token', async (t) => {
  const { db, admin } = await adminDesk(t);
  const pending = await statusId(db, 'Pending');
  const forged = { _csrf: 'forged' };
  t.equal((await admin.post('/admin/statuses', { ...forged, name: 'X', customerLabel: 'X', category: 'open' })).statusCode, 403);
  t.equal((await admin.post(`/admin/statuses/${pending}`, { ...forged, name: 'X', customerLabel: 'X', category: 'open' })).statusCode, 403);
  t.equal((await admin.post(`/admin/statuses/${pending}/delete`, { _csrf: '' })).statusCode, 403);
  t.equal((await admin.post(`/admin/statuses/${pending}/default`, forged)).statusCode, 403);
  t.equal((await admin.post(`/admin/statuses/${pending}/position`, { ...forged, direction: 'up' })).statusCode, 403);
  t.equal((await admin.post('/admin/statuses/presets/escalation', forged)).statusCode, 403);
  t.equal((await admin.post('/admin/statuses/settings', { ...forged, assignmentStatusId: String(pending) })).statusCode, 403);
  const statuses = await activeStatuses(db);
  t.same(statuses.map((s) => [s.name, s.is_default_for_category]), [['New', 1], ['Open', 1], ['Pending', 0], ['Solved', 1], ['Closed', 1]], 'nothing changed');
  t.equal((await auditActions(db)).length, 0);
});

t.test('the assignment and accepted-offer statuses are set here, audited, and may be none', async (t) => {
  const { db, admin, user } = await adminDesk(t);
  const open = await statusId(db, 'Open');
  const pending = await statusId(db, 'Pending');
  const page = await admin.get('/admin/statuses');
  t.match(page.body, /<select id="f-assignmentStatusId" name="assignmentStatusId"[^>]*>\s*<option value="" selected>None<\/option>/);

  const bad = await admin.post('/admin/statuses/settings', { assignmentStatusId: '9999', offerAcceptedStatusId: String(open) });
  t.equal(bad.statusCode, 422);
  t.match(bad.body, 'Choose one of the options.');
  t.match(bad.body, new RegExp(`<option value="${open}" selected>Open</option>`), 'the other choice is kept');

  t.equal((await admin.post('/admin/statuses/settings', { assignmentStatusId: String(open), offerAcceptedStatusId: String(pending) })).statusCode, 303);
  const read = async () => Object.fromEntries((await db.selectFrom('settings').selectAll().where('key', 'in', ['assignment_status_id', 'offer_accepted_status_id']).execute()).map((r) => [r.key, r.value]));
  t.same(await read(), { assignment_status_id: String(open), offer_accepted_status_id: String(pending) });
  t.match((await admin.get('/admin/statuses')).body, 'Status settings saved.');

  await admin.post('/admin/statuses/settings', { assignmentStatusId: '', offerAcceptedStatusId: String(pending) });
  t.same(await read(), { offer_accepted_status_id: String(pending) }, 'none removes the setting');
  const audits = (await auditActions(db)).filter((a) => a.action === 'settings.status_settings_changed');
  t.equal(audits.length, 2);
  t.equal(audits[1]!.actor_id, user.id);
  t.same(JSON.parse(audits[1]!.details), {
    before: { assignment_status_id: open, offer_accepted_status_id: pending },
    after: { assignment_status_id: null, offer_accepted_status_id: pending },
  });
});
