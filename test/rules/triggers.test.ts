// Triggers (issue 21, point 3): built in the admin pages, run by the event stream's consumer on the
// ticket as each left it, with their run log on the ticket's History tab; every condition and action
// kind, order, test mode, and loops that cannot happen.
import t from 'tap';
import { changeTicket } from '../../src/kernel/index.js';
import { meets, type ChangeFacts, type TicketFacts } from '../../src/rules/conditions.js';
import { MAX_CHAIN_DEPTH } from '../../src/rules/triggers.js';
import { makeTicket } from '../helpers/factories.js';
import { postPairs, rulesDesk } from './helpers.js';

t.test('admins manage triggers in plain forms: refused forms keep their values, agents may not', async (t) => {
  const { boss, staff, db, rule } = await rulesDesk(t);
  t.equal((await staff.get('/admin/triggers')).statusCode, 403, 'agents may not');
  const page = await boss.get('/admin/triggers');
  t.equal(page.statusCode, 200);
  t.match(page.body, 'No triggers yet.');

  await boss.get('/admin/triggers/new');
  const refused = await postPairs(boss, '/admin/triggers', [['name', 'Nothing'], ['contains', 'refund'], ['mailTo', 'address'], ['mailSubject', 'Hi']]);
  t.equal(refused.statusCode, 422);
  t.match(refused.body, 'Choose at least one event.');
  t.match(refused.body, /name="contains" type="text" value="refund"/, 'the values stay');
  t.same(await db.selectFrom('rules').select('id').where('kind', '=', 'trigger').execute(), [], 'nothing saved');

  const first = await rule('triggers', 'First', [['events', 'created'], ['priority', 'high']]);
  const second = await rule('triggers', 'Second', [['events', 'created'], ['addTags', 'two']]);
  const listed = await boss.get('/admin/triggers');
  t.ok(listed.body.indexOf('First') < listed.body.indexOf('Second'), 'in the order they were made');
  t.match(listed.body, 'Set priority: High');

  t.equal((await boss.post(`/admin/triggers/${second}/position`, { direction: 'up' })).statusCode, 303);
  const reordered = await boss.get('/admin/triggers');
  t.ok(reordered.body.indexOf('Second') < reordered.body.indexOf('First'), 'moved up');

  const edit = await boss.get(`/admin/triggers/${first}`);
  t.match(edit.body, /<option value="high" selected>/, 'the form shows the saved action');
  t.equal((await postPairs(boss, `/admin/triggers/${first}`, [['name', 'First, renamed'], ['events', 'created'], ['priority', 'urgent']])).statusCode, 303);
  const saved = await db.selectFrom('rules').selectAll().where('id', '=', first).executeTakeFirstOrThrow();
  t.same([saved.name, saved.enabled, JSON.parse(saved.actions)], ['First, renamed', 0, { priority: 'urgent' }], 'renamed, switched off (box unticked), new action');

  t.equal((await boss.post(`/admin/triggers/${second}/delete`)).statusCode, 303);
  t.notMatch(await boss.page('/admin/triggers'), 'Second', 'deleted');
  t.equal((await boss.post('/admin/triggers/9999/delete')).statusCode, 404);
  t.equal((await staff.post(`/admin/triggers/${first}/delete`)).statusCode, 403);
});

t.test('a new portal ticket is routed: group, priority, round robin, tags, a note and a mail with placeholders; the History tab names the trigger', async (t) => {
  const { db, rule, submit, ticket, tags, mails, history, staff, acme, billing, kim, lou, portal } = await rulesDesk(t);
  await rule('triggers', 'Acme invoices to Billing', [
    ['events', 'created'], ['via', 'portal'], ['contains', 'invoice'], ['organizationIds', String(acme)],
    ['group', String(billing)], ['priority', 'high'], ['assignee', 'round_robin'], ['addTags', 'billing, acme'],
    ['note', 'Routed for {{requester.first_name}} of {{organization.name}}.'],
    ['mailTo', 'requester'], ['mailSubject', 'About #{{ticket.id}}: {{ticket.subject}}'], ['mailBody', 'Hello {{requester.first_name}}, Billing will answer.'],
  ]);
  const first = await submit('Invoice twice', 'I was charged two times.');
  const routed = await ticket(first);
  t.same([routed.group_id, routed.priority], [billing, 'high']);
  t.ok([kim.id, lou.id].includes(routed.assignee_id!), 'assigned to a member of Billing');
  t.same(await tags(first), ['acme', 'billing']);
  const note = await db.selectFrom('messages').select(['body_text', 'author_id']).where('ticket_id', '=', first).where('kind', '=', 'note').executeTakeFirstOrThrow();
  t.same([note.body_text, note.author_id], ['Routed for Cora of Acme.', null], 'a note by Deskbell, placeholders filled');
  const mail = (await mails()).find((m) => m.subject.startsWith('About'))!;
  t.same(mail.to, ['cora@example.test']);
  t.equal(mail.subject, `About #${first}: Invoice twice`);
  t.match(mail.text, 'Hello Cora, Billing will answer.');
  t.match(mail.text, `/portal/tickets/${first}`);

  const log = (await history(first)).find((h) => h.kind === 'trigger')!;
  t.equal(log.from_value, 'Acme invoices to Billing');
  t.match(log.to_value, /Set priority: High.*Set group: Billing.*Add tags: billing, acme.*Internal note.*Mail to the requester/);
  const tab = await staff.get(`/agent/tickets/${first}?tab=history`);
  t.match(tab.body, /<td>Trigger<\/td>\s*<td>Acme invoices to Billing<\/td>/, 'the History tab says which rule did what');
  t.notMatch(await portal.page(`/portal/tickets/${first}`), 'Acme invoices to Billing', 'the customer sees no rule');

  const second = await submit('Invoice again');
  const other = await ticket(second);
  t.ok(other.assignee_id !== routed.assignee_id && [kim.id, lou.id].includes(other.assignee_id!), 'round robin: the other member');
  const third = await submit('Printer jam');
  const plain = await ticket(third);
  t.same([plain.group_id === billing, plain.priority, await tags(third)], [false, 'normal', []], 'no invoice: left alone');
});

t.test('triggers run on changes, replies and notes; other actions: status, type, assignee, tags off, mail to assignee, group and an address', async (t) => {
  const { rule, submit, ticket, tags, mails, history, staff, portal, app, status, outage, max, kim, billing, login } = await rulesDesk(t);
  const solved = await status('Solved');
  const open = await status('Open');
  await rule('triggers', 'Solved is done', [['events', 'changed'], ['statusChangedTo', String(solved)], ['addTags', 'done']]);
  await rule('triggers', 'Urgent to the assignee', [['events', 'changed'], ['priorityChanged', '1'], ['priorities', 'urgent'],
    ['mailTo', 'assignee'], ['mailSubject', 'Urgent: {{ticket.subject}}'], ['mailBody', 'Look at it, {{agent.name}}.']]);
  await rule('triggers', 'Customer answered', [['events', 'customer_reply'], ['status', String(open)], ['addTags', 'answered'], ['removeTags', 'waiting']]);
  await rule('triggers', 'Agent answered', [['events', 'agent_reply'], ['addTags', 'waiting']]);
  await rule('triggers', 'Escalate by note', [['events', 'note'], ['contains', 'escalate'], ['type', String(outage)], ['assignee', String(max.id)],
    ['group', String(billing)], ['mailTo', 'group'], ['mailSubject', 'Escalated #{{ticket.id}}'], ['mailBody', 'Escalated.']]);
  await rule('triggers', 'Copy the boss', [['events', 'note'], ['contains', 'escalate'], ['mailTo', 'address'], ['mailAddress', 'boss@example.test'],
    ['mailSubject', 'FYI #{{ticket.id}}'], ['mailBody', 'Escalated.']]);
  await rule('triggers', 'Unassign when closed by hand', [['events', 'changed'], ['statusChangedTo', String(await status('Closed'))], ['assignee', 'none']]);

  const id = await submit('Broken login');
  await staff.get(`/agent/tickets/${id}`);
  t.equal((await staff.post(`/agent/tickets/${id}/assignment`, { assigneeId: 'me' })).statusCode, 303);
  await staff.post(`/agent/tickets/${id}/messages`, { kind: 'reply', body: 'Try again?' });
  await app.worker.drain();
  t.same(await tags(id), ['waiting'], 'an agent reply');

  await portal.get(`/portal/tickets/${id}`);
  await portal.post(`/portal/tickets/${id}/replies`, { body: 'Still broken.' });
  await app.worker.drain();
  t.same(await tags(id), ['answered'], 'a customer reply: tag added, the other taken off');
  t.equal((await ticket(id)).status_id, open, 'and the status set');

  await staff.post(`/agent/tickets/${id}/properties`, { property: 'priority', priority: 'urgent' });
  await app.worker.drain();
  const urgent = (await mails()).filter((m) => m.subject === 'Urgent: Broken login');
  t.same(urgent.map((m) => m.to), [['kim@desk.test']], 'priority changed to urgent: the assignee gets the mail');
  t.match(urgent[0]!.text, 'Look at it, Kim Agent.');
  t.match(urgent[0]!.text, `/agent/tickets/${id}`, 'staff get the desk\'s link');

  await staff.post(`/agent/tickets/${id}/messages`, { kind: 'note', body: 'Please escalate this.' });
  await app.worker.drain();
  const escalated = await ticket(id);
  t.same([escalated.type_id, escalated.assignee_id, escalated.group_id], [outage, max.id, billing], 'a note: type, assignee and group set');
  const groupMail = (await mails()).filter((m) => m.subject === `Escalated #${id}`).map((m) => m.to[0]).sort();
  t.same(groupMail, ['kim@desk.test', 'lou@desk.test'], 'the group\'s members get the mail');
  t.same((await mails()).filter((m) => m.subject === `FYI #${id}`).map((m) => m.to), [['boss@example.test']], 'and the address');

  await staff.post(`/agent/tickets/${id}/properties`, { property: 'statusId', statusId: String(solved) });
  await app.worker.drain();
  t.ok((await tags(id)).includes('done'), 'status changed to Solved');
  const ops = await login(kim.email);
  await ops.get(`/agent/tickets/${id}`);
  await ops.post(`/agent/tickets/${id}/properties`, { property: 'statusId', statusId: String(await status('Closed')) });
  await app.worker.drain();
  t.equal((await ticket(id)).assignee_id, null, 'assignee: nobody');
  const names = (await history(id)).filter((h) => h.kind === 'trigger').map((h) => h.from_value);
  t.same(names, ['Agent answered', 'Customer answered', 'Urgent to the assignee', 'Escalate by note', 'Copy the boss', 'Solved is done', 'Unassign when closed by hand']);
});

t.test('every condition kind, on the facts of a ticket and a change', async (t) => {
  const ticket: TicketFacts = {
    id: 1, subject: 'Refund please', status_id: 2, status_category: 'open', priority: 'high', type_id: 3, group_id: 4, assignee_id: null,
    organization_id: 5, created_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-02T00:00:00.000Z', last_activity_at: '2026-01-02T00:00:00.000Z',
    solved_at: null, tags: ['vip'], reminded_at: null, brand_id: 1, fields: {},
  };
  const change: ChangeFacts = { event: 'changed', via: 'mail', statusTo: 2, priorityChanged: true, text: 'My card was charged.' };
  const context = { now: Date.parse('2026-01-03T00:00:00.000Z'), inBusinessHours: true, times: {} };
  const cases: [string, object, boolean][] = [
    ['status is', { statusIds: [2] }, true], ['status is not', { statusIds: [9] }, false],
    ['category', { categories: ['open'] }, true], ['category not', { categories: ['solved'] }, false],
    ['priority', { priorities: ['high', 'urgent'] }, true], ['priority not', { priorities: ['low'] }, false],
    ['type', { typeIds: [3] }, true], ['type not', { typeIds: [4] }, false],
    ['group', { groupIds: [4] }, true], ['group not', { groupIds: [5] }, false],
    ['organisation', { organizationIds: [5] }, true], ['organisation not', { organizationIds: [6] }, false],
    ['unassigned', { assigned: 'no' }, true], ['assigned', { assigned: 'yes' }, false],
    ['has tags', { hasTags: ['vip'] }, true], ['has tags not', { hasTags: ['vip', 'gold'] }, false],
    ['lacks tags', { lacksTags: ['spam'] }, true], ['lacks tags not', { lacksTags: ['vip'] }, false],
    ['in business hours', { businessHours: 'in' }, true], ['outside business hours', { businessHours: 'out' }, false],
    ['status changed to', { statusChangedTo: [2] }, true], ['status changed to another', { statusChangedTo: [3] }, false],
    ['priority changed', { priorityChanged: true }, true],
    ['via mail', { via: ['mail'] }, true], ['via portal', { via: ['portal', 'agent'] }, false],
    ['subject contains', { contains: 'REFUND' }, true], ['body contains', { contains: 'card was' }, true], ['contains not', { contains: 'printer' }, false],
  ];
  for (const [name, conditions, expected] of cases) t.equal(meets(conditions, ticket, change, context), expected, name);
  t.equal(meets({ priorityChanged: true }, ticket, { ...change, priorityChanged: false }, context), false, 'priority not changed');
  t.equal(meets({ statusChangedTo: [2] }, ticket, { ...change, statusTo: null }, context), false, 'status not changed');
  t.equal(meets({ businessHours: 'out' }, ticket, change, { ...context, inBusinessHours: false }), true, 'outside business hours, at night');
  t.equal(meets({ idleHours: 24 }, ticket, null, { ...context, times: { idleHours: 24 * 3_600_000 } }), true, 'idle for a day');
  t.equal(meets({ idleHours: 48 }, ticket, null, { ...context, times: { idleHours: 48 * 3_600_000 } }), false, 'not idle for two');
  t.equal(meets({ unassignedHours: 48 }, ticket, null, { ...context, times: { unassignedHours: 48 * 3_600_000 } }), true, 'unassigned for two days');
  t.equal(meets({ solvedHours: 1 }, ticket, null, { ...context, times: { solvedHours: 3_600_000 } }), false, 'never solved');
});

t.test('business hours come from the desk\'s default calendar', async (t) => {
  const { rule, submit, tags, db } = await rulesDesk(t);
  await rule('triggers', 'Out of hours', [['events', 'created'], ['businessHours', 'out'], ['addTags', 'after-hours']]);
  await rule('triggers', 'In hours', [['events', 'created'], ['businessHours', 'in'], ['addTags', 'in-hours']]);
  const never = JSON.stringify([[], [], [], [], [], [], []]);
  await db.updateTable('sla_calendars').set({ week: never }).where('is_default', '=', 1).execute();
  t.same(await tags(await submit('At night')), ['after-hours'], 'a calendar with no working time: always outside');
  const always = JSON.stringify(Array.from({ length: 7 }, () => [[0, 1440]]));
  await db.updateTable('sla_calendars').set({ week: always }).where('is_default', '=', 1).execute();
  t.same(await tags(await submit('By day')), ['in-hours'], 'round the clock: always inside');
});

t.test('triggers run in their order, each on the ticket as the ones before left it; a disabled one does not run', async (t) => {
  const { rule, submit, tags, boss, db } = await rulesDesk(t);
  const urgentFirst = await rule('triggers', 'Make urgent', [['events', 'created'], ['contains', 'down'], ['priority', 'urgent']]);
  const tagUrgent = await rule('triggers', 'Tag urgent', [['events', 'created'], ['priorities', 'urgent'], ['addTags', 'hot']]);
  await rule('triggers', 'Switched off', [['events', 'created'], ['addTags', 'never']]);
  await db.updateTable('rules').set({ enabled: 0 }).where('name', '=', 'Switched off').execute();
  t.same(await tags(await submit('Site down')), ['hot'], 'the second sees the priority the first set');
  await boss.get('/admin/triggers');
  t.equal((await boss.post(`/admin/triggers/${tagUrgent}/position`, { direction: 'up' })).statusCode, 303);
  const order = (await db.selectFrom('rules').select('id').where('kind', '=', 'trigger').orderBy('position').execute()).map((r) => r.id);
  t.same(order.slice(0, 2), [tagUrgent, urgentFirst]);
  t.same(await tags(await submit('Site down again')), [], 'in the other order the tag trigger ran before the ticket was urgent');
});

t.test('test mode lists which of the newest tickets a rule would match, and what it would do, changing nothing', async (t) => {
  const { rule, boss, db, cora, acme } = await rulesDesk(t);
  const hit = await makeTicket(db, { requesterId: cora.id, organizationId: acme, subject: 'Refund for order 7', channel: 'portal' });
  const miss = await makeTicket(db, { requesterId: cora.id, subject: 'Printer jam', channel: 'portal' });
  const id = await rule('triggers', 'Refunds', [['events', 'created'], ['contains', 'refund'], ['via', 'portal'], ['priority', 'high'], ['addTags', 'refund']]);
  const page = await boss.get(`/admin/triggers/${id}/test`);
  t.equal(page.statusCode, 200);
  t.match(page.body, /Which of the newest \d+ tickets/);
  t.match(page.body, `id="match-${hit}"`);
  t.notMatch(page.body, `id="match-${miss}"`);
  t.match(page.body, 'Matching tickets: 1');
  t.match(page.body, 'Set priority: High');
  t.match(page.body, 'Add tags: refund');
  t.equal((await db.selectFrom('tickets').select('priority').where('id', '=', hit).executeTakeFirstOrThrow()).priority, 'normal', 'nothing changed');
});

t.test('loops are impossible: a trigger never fires twice on one chain, and a chain stops at a fixed depth', async (t) => {
  const { rule, submit, tags, history, app, db, kim } = await rulesDesk(t);
  // Ping-pong: each undoes the other.
  await rule('triggers', 'Ping to pong', [['events', 'changed'], ['hasTags', 'ping'], ['removeTags', 'ping'], ['addTags', 'pong']]);
  await rule('triggers', 'Pong to ping', [['events', 'changed'], ['hasTags', 'pong'], ['removeTags', 'pong'], ['addTags', 'ping']]);
  const id = await submit('Loop me');
  const addTag = (ticketId: number, tag: string) => db.transaction().execute((trx) => changeTicket(trx, kim, ticketId, { history: [], tags: { add: [tag] } }));
  await addTag(id, 'ping');
  await app.worker.drain();
  const fired = (await history(id)).filter((h) => h.kind === 'trigger').map((h) => h.from_value);
  t.same(fired, ['Ping to pong', 'Pong to ping'], 'each fired once on the chain');
  t.same(await tags(id), ['ping']);
  t.equal(await app.worker.consume(), 0, 'and the stream is quiet');
  await addTag(id, 'other');
  await app.worker.drain();
  t.same((await history(id)).filter((h) => h.kind === 'trigger').length, 4, 'a new change by a person is a new chain: both fire again');

  // A ladder longer than the depth: step i adds s(i+1) when s(i) is there; listed last step first,
  // so that each round of the chain fires one step.
  const steps = MAX_CHAIN_DEPTH + 2;
  for (let i = steps; i >= 1; i--) await rule('triggers', `Step ${i}`, [['events', 'changed'], ['hasTags', `s${i}`], ['addTags', `s${i + 1}`]]);
  const ladder = await submit('Ladder');
  await addTag(ladder, 's1');
  await app.worker.drain();
  const reached = (await tags(ladder)).filter((tag) => /^s\d+$/.test(tag)).sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
  t.same(reached, Array.from({ length: MAX_CHAIN_DEPTH + 1 }, (_, i) => `s${i + 1}`), `the chain stops after ${MAX_CHAIN_DEPTH} rounds`);
  const stopped = (await history(ladder)).find((h) => h.kind === 'rule_stopped');
  t.equal(stopped?.to_value, `Step ${MAX_CHAIN_DEPTH + 1}`, 'and the History tab says which trigger was stopped');
});

t.test('a trigger whose action cannot be done leaves nothing half-done and says so', async (t) => {
  const { rule, submit, ticket, history, db, status } = await rulesDesk(t);
  const field = await db.insertInto('fields').values({ key: 'order_no', label: 'Order number', kind: 'text', required_before_category: 'solved', created_at: new Date().toISOString() })
    .returning('id').executeTakeFirstOrThrow();
  const question = await db.selectFrom('ticket_types').select('id').where('name', '=', 'Question').executeTakeFirstOrThrow();
  await db.insertInto('ticket_type_fields').values({ type_id: question.id, field_id: field.id, position: 1 }).execute();
  await rule('triggers', 'Solve at once', [['events', 'created'], ['priority', 'low'], ['status', String(await status('Solved'))]]);
  const id = await submit('Thanks!');
  const row = await ticket(id);
  t.same([row.priority, row.status_id], ['normal', await status('New')], 'neither the priority nor the status changed');
  const failed = (await history(id)).find((h) => h.kind === 'rule_failed');
  t.equal(failed?.from_value, 'Solve at once');
  t.match(failed?.to_value, 'Order number');
});
