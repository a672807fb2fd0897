import t from 'tap';
import { makeTickets } from '../helpers/factories.js';
import { activeStatuses, adminDesk, auditActions, statusId } from './statuses-helpers.js';

t.test('an admin sees the workflow in order, with labels, categories, defaults and ticket counts', async (t) => {
  const { db, admin, customer } = await adminDesk(t);
  await makeTickets(db, 3, { requesterId: customer.id, statusId: await statusId(db, 'Pending') });
  const page = await admin.get('/admin/statuses');
  t.equal(page.statusCode, 200);
  const names = [...page.body.matchAll(/<tr id="status-\d+">\s*<td>[\s\S]*?<\/td>\s*<td>([^<]+)<\/td>/g)].map((m) => m[1]);
  t.same(names, ['New', 'Open', 'Pending', 'Solved', 'Closed']);
  const pendingRow = /<tr id="status-\d+">(?:(?!<\/tr>)[\s\S])*?<td>Pending<\/td>[\s\S]*?<\/tr>/.exec(page.body)![0];
  t.match(pendingRow, '<td>In progress</td>', 'the customer label');
  t.match(pendingRow, '<td>Open</td>', 'the category');
  t.match(pendingRow, '<td>3</td>', 'its tickets');
  t.match(pendingRow, 'Make default', 'Open, not Pending, is the default open status');
  t.equal(page.body.split('Default for its category').length - 1, 4, 'one default mark per category in use');
});

t.test('creating a status: validation keeps the values, success adds it at the end and audits it', async (t) => {
  const { db, admin, user } = await adminDesk(t);
  const form = await admin.get('/admin/statuses/new');
  t.equal(form.statusCode, 200);
  t.match(form.body, 'name="customerLabel"');

  const bad = await admin.post('/admin/statuses', { name: 'open', customerLabel: '  ', category: 'pending' });
  t.equal(bad.statusCode, 422);
  t.match(bad.body, 'Another status already has this name.');
  t.match(bad.body, 'This field is required.', 'the customer label is required');
  t.match(bad.body, 'value="open"', 'the name is kept');
  t.match(bad.body, /<option value="pending" selected>/, 'the category is kept');
  const badCategory = await admin.post('/admin/statuses', { name: 'Odd', customerLabel: 'Odd', category: 'sleeping' });
  t.equal(badCategory.statusCode, 422);
  t.match(badCategory.body, 'Choose one of the options.');
  t.equal((await activeStatuses(db)).length, 5, 'nothing was created');

  const created = await admin.post('/admin/statuses', { name: 'Waiting on Customer', customerLabel: 'Waiting for you', category: 'pending' });
  t.equal(created.statusCode, 303);
  const list = await admin.get(created.headers.location as string);
  t.match(list.body, 'Status created.');
  const statuses = await activeStatuses(db);
  t.same(statuses.map((s) => s.name), ['New', 'Open', 'Pending', 'Solved', 'Closed', 'Waiting on Customer']);
  const waiting = statuses.at(-1)!;
  t.same([waiting.customer_label, waiting.category, waiting.is_default_for_category], ['Waiting for you', 'pending', 1], 'the first of its category is its default');
  const audit = (await auditActions(db)).at(-1)!;
  t.same([audit.actor_id, audit.action, audit.subject_id], [user.id, 'status.created', waiting.id]);
  t.match(JSON.parse(audit.details), { after: { name: 'Waiting on Customer', customer_label: 'Waiting for you', category: 'pending' } });
});

t.test('editing a status records before → after; the last new/open/solved/closed status keeps its category', async (t) => {
  const { db, admin } = await adminDesk(t);
  const pending = await statusId(db, 'Pending');
  const edit = await admin.get(`/admin/statuses/${pending}/edit`);
  t.match(edit.body, 'value="In progress"');

  const saved = await admin.post(`/admin/statuses/${pending}`, { name: 'Working', customerLabel: 'Being worked on', category: 'open' });
  t.equal(saved.statusCode, 303);
  const row = await db.selectFrom('statuses').selectAll().where('id', '=', pending).executeTakeFirstOrThrow();
  t.same([row.name, row.customer_label], ['Working', 'Being worked on']);
  const audit = (await auditActions(db)).at(-1)!;
  t.equal(audit.action, 'status.updated');
  t.same(JSON.parse(audit.details), { before: { name: 'Pending', customer_label: 'In progress' }, after: { name: 'Working', customer_label: 'Being worked on' } });

  const noLabel = await admin.post(`/admin/statuses/${pending}`, { name: 'Working', customerLabel: '', category: 'open' });
  t.equal(noLabel.statusCode, 422);
  t.match(noLabel.body, 'value="Working"');

  const newId = await statusId(db, 'New');
  const lastNew = await admin.post(`/admin/statuses/${newId}`, { name: 'New', customerLabel: 'Received', category: 'open' });
  t.equal(lastNew.statusCode, 422);
  t.match(lastNew.body, 'a workflow always needs at least one New, Open, Solved and Closed status');
  t.equal((await db.selectFrom('statuses').select('category').where('id', '=', newId).executeTakeFirstOrThrow()).category, 'new');
  t.equal((await auditActions(db)).length, 1, 'refused changes leave no audit entry');
});

t.test('exactly one default per category, whatever the admin does', async (t) => {
  const { db, admin } = await adminDesk(t);
  const defaults = async () => Object.fromEntries((await activeStatuses(db)).filter((s) => s.is_default_for_category === 1).map((s) => [s.category, s.name]));
  const onePerCategory = async () => {
    const statuses = await activeStatuses(db);
    for (const category of new Set(statuses.map((s) => s.category))) {
      t.equal(statuses.filter((s) => s.category === category && s.is_default_for_category === 1).length, 1, `one default ${category}`);
    }
  };
  const pending = await statusId(db, 'Pending');
  t.equal((await admin.post(`/admin/statuses/${pending}/default`)).statusCode, 303);
  t.match(await defaults(), { open: 'Pending' });
  await onePerCategory();
  t.match((await admin.get('/admin/statuses')).body, 'Default status saved.');
  const audit = (await auditActions(db)).at(-1)!;
  t.same([audit.action, JSON.parse(audit.details).before, JSON.parse(audit.details).after], ['status.default_set', { default: 'Open' }, { default: 'Pending' }]);

  // The default open status moves to on hold: Open takes over as default open; Pending is the only on-hold one.
  await admin.post(`/admin/statuses/${pending}`, { name: 'Pending', customerLabel: 'In progress', category: 'on_hold' });
  t.match(await defaults(), { open: 'Open', on_hold: 'Pending' });
  await onePerCategory();

  // A second on-hold status does not take the mark; deleting the default hands it on.
  await admin.post('/admin/statuses', { name: 'Vendor', customerLabel: 'With our supplier', category: 'on_hold' });
  t.match(await defaults(), { on_hold: 'Pending' });
  await admin.get(`/admin/statuses/${pending}/delete`);
  t.equal((await admin.post(`/admin/statuses/${pending}/delete`)).statusCode, 303);
  t.match(await defaults(), { on_hold: 'Vendor' });
  await onePerCategory();
});

t.test('statuses move up and down', async (t) => {
  const { db, admin } = await adminDesk(t);
  const closed = await statusId(db, 'Closed');
  t.equal((await admin.post(`/admin/statuses/${closed}/position`, { direction: 'up' })).statusCode, 303);
  t.same((await activeStatuses(db)).map((s) => s.name), ['New', 'Open', 'Pending', 'Closed', 'Solved']);
  await admin.post(`/admin/statuses/${closed}/position`, { direction: 'down' });
  await admin.post(`/admin/statuses/${closed}/position`, { direction: 'down' });
  t.same((await activeStatuses(db)).map((s) => s.name), ['New', 'Open', 'Pending', 'Solved', 'Closed'], 'the last stays last');
  t.equal((await admin.post(`/admin/statuses/${closed}/position`, { direction: 'sideways' })).statusCode, 422);
  const moves = (await auditActions(db)).filter((a) => a.action === 'status.moved');
  t.equal(moves.length, 2, 'each real move is audited');
  t.match((await admin.get('/admin/statuses')).body, /<tr id="status-\d+">\s*<td>\s*<form[^>]*>\s*<input[^>]*>\s*<button type="submit" name="direction" value="up" disabled/);
});
