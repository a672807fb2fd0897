// Automations (issue 21, point 4): time-based rules the job worker checks every few minutes, acting
// at most once per ticket until the ticket changes; the old auto-close is three default ones
// (test/tickets/autoclose.test.ts keeps its behaviour).
import t from 'tap';
import { DAY, HOUR, isoIn } from '../../src/lib/time.js';
import { runAutomations } from '../../src/rules/automations.js';
import { runAutoClose } from '../../src/tickets/autoclose.js';
import { makeTickets } from '../helpers/factories.js';
import { postPairs, rulesDesk } from './helpers.js';

t.test('the default automations replace auto-close: listed, switched off but not deleted, their days in the settings', async (t) => {
  const { boss, db, cora, status } = await rulesDesk(t);
  const page = await boss.get('/admin/automations');
  for (const name of ['Close solved tickets', 'Remind customers who have not answered', 'Close tickets the customer did not answer']) t.match(page.body, name);
  t.match(page.body, 'Default');
  const builtin = await db.selectFrom('rules').selectAll().where('builtin', '=', 'autoclose.solved').executeTakeFirstOrThrow();
  t.equal((await boss.post(`/admin/automations/${builtin.id}/delete`)).statusCode, 409, 'a default automation is not deleted');
  const edit = await boss.get(`/admin/automations/${builtin.id}`);
  t.match(edit.body, 'its days are set in');

  await db.insertInto('settings').values({ key: 'autoclose.solved_days', value: '2' }).execute();
  const solved = await status('Solved');
  const [old] = await makeTickets(db, 1, { requesterId: cora.id, statusId: solved, at: isoIn(-3 * DAY) });
  await db.updateTable('tickets').set((eb) => ({ solved_at: eb.ref('last_activity_at') })).execute();
  t.equal((await postPairs(boss, `/admin/automations/${builtin.id}`, [['name', 'Close solved tickets']])).statusCode, 303, 'switched off');
  t.same(await runAutoClose(db), { closedSolved: 0, reminded: 0, closedPending: 0 }, 'off: nothing closes');
  t.equal((await postPairs(boss, `/admin/automations/${builtin.id}`, [['name', 'Close solved tickets'], ['enabled', '1']])).statusCode, 303);
  t.same(await runAutoClose(db), { closedSolved: 1, reminded: 0, closedPending: 0 }, 'on again: the solved ticket closes');
  const log = await db.selectFrom('ticket_events').select(['kind', 'from_value', 'to_value']).where('ticket_id', '=', old!).where('kind', '=', 'automation').executeTakeFirstOrThrow();
  t.same([log.from_value, log.to_value], ['Close solved tickets', 'Close'], 'the run log names the automation');
});

t.test('an automation from the admin page: unassigned for 2 hours, notify the group, once per ticket until it changes', async (t) => {
  const { rule, db, cora, billing, mails, app, history, boss } = await rulesDesk(t);
  await boss.get('/admin/automations/new');
  const refused = await postPairs(boss, '/admin/automations', [['name', 'No time'], ['addTags', 'x']]);
  t.equal(refused.statusCode, 422);
  t.match(refused.body, 'An automation needs a time condition.');

  const id = await rule('automations', 'Nobody took it', [['unassignedHours', '2'], ['groupIds', String(billing)], ['addTags', 'stale'],
    ['note', 'Unassigned for two hours.'], ['mailTo', 'group'], ['mailSubject', 'Nobody took #{{ticket.id}}'], ['mailBody', 'Please take it.']]);
  const [waiting, fresh, elsewhere] = await makeTickets(db, 3, (i) => ({
    requesterId: cora.id, groupId: i === 2 ? null : billing, at: isoIn(i === 1 ? -HOUR : -3 * HOUR), subject: `Help ${i}`,
  }));
  const acted = await runAutomations(db);
  t.equal(acted.get(id), 1, 'only the ticket unassigned for over two hours in Billing');
  await app.worker.consume();
  t.same((await mails()).filter((m) => m.subject === `Nobody took #${waiting}`).map((m) => m.to[0]).sort(), ['kim@desk.test', 'lou@desk.test']);
  const lines = (await history(waiting!)).filter((h) => h.kind === 'automation');
  t.same(lines.map((h) => h.from_value), ['Nobody took it']);
  t.same((await history(fresh!)).length + (await history(elsewhere!)).length, 0, 'the others are left alone');

  t.equal((await runAutomations(db)).get(id), 0, 'once per ticket');
  t.equal((await runAutomations(db, Date.now() + 2 * HOUR)).get(id), 1, 'later: the other Billing ticket is due, the first not again');
  t.equal((await runAutomations(db, Date.now() + DAY)).get(id), 0, 'however long they wait, while they do not change');
  await db.updateTable('tickets').set({ updated_at: isoIn(DAY + HOUR) }).where('id', '=', waiting!).execute();
  t.equal((await runAutomations(db, Date.now() + DAY + 2 * HOUR)).get(id), 1, 'the ticket changed: once more');
});

t.test('pending for 3 days: remind the requester with a mail from a template', async (t) => {
  const { rule, db, cora, mails, app, status, boss } = await rulesDesk(t);
  const pending = await db.insertInto('statuses').values({ name: 'Waiting for you', customer_label: 'Waiting for you', category: 'pending', position: 9 })
    .returning('id').executeTakeFirstOrThrow();
  const id = await rule('automations', 'Nudge', [['idleHours', '72'], ['categories', 'pending'],
    ['mailTo', 'requester'], ['mailSubject', 'Still there, {{requester.first_name}}?'], ['mailBody', 'We wait for your answer on #{{ticket.id}}.']]);
  const openId = await status('Open');
  const [stale] = await makeTickets(db, 2, (i) => ({ requesterId: cora.id, statusId: i === 0 ? pending.id : openId, at: isoIn(-4 * DAY) }));
  t.equal((await runAutomations(db)).get(id), 1);
  await app.worker.consume();
  const nudge = (await mails()).find((m) => m.subject === 'Still there, Cora?')!;
  t.same(nudge.to, ['cora@example.test']);
  t.match(nudge.text, `We wait for your answer on #${stale}.`);

  const test = await boss.get(`/admin/automations/${id}/test`);
  t.match(test.body, `id="match-${stale}"`, 'test mode: it would match the waiting ticket');
  t.match(test.body, 'Matching tickets: 1');
  t.match(test.body, 'Mail to the requester');
});
