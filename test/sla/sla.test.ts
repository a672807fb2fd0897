// SLA policies (issue 21) end to end: an admin builds policies in the admin pages; tickets get their
// record from the stream consumer; replies fulfil and start clocks; pending pauses; the clock job
// marks breaches and warns the assignee once (a real SMTP sink); a policy edit leaves running
// tickets alone; the list, its views and the ticket page show the state.
import t, { type Test } from 'tap';
import { simpleParser } from 'mailparser';
import { runSlaCheck } from '../../src/sla/job.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD, ticketIdsIn } from '../helpers/factories.js';
import { TestSmtpServer } from '../helpers/smtp.js';

const MINUTE = 60_000;

/** A form with repeated fields (ticked boxes), as a browser sends it. */
function postPairs(client: Client, url: string, pairs: [string, string][]) {
  return client.app.inject({
    method: 'POST', url, payload: new URLSearchParams([['_csrf', client.csrf], ...pairs]).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
  });
}

async function slaDesk(t: Test) {
  const smtp = new TestSmtpServer();
  await smtp.start(0);
  t.teardown(() => smtp.stop());
  const desk = await buildTestDesk(t, { smtpUrl: `smtp://127.0.0.1:${smtp.port}`, mailDomain: 'mail.desk.test' });
  const { db, app } = desk;
  const admin = await makeUser(db, 'admin', { name: 'Ada Admin', email: 'ada@desk.test' });
  const agent = await makeUser(db, 'agent', { name: 'Kim Agent', email: 'kim@desk.test' });
  const cora = await makeUser(db, 'customer', { name: 'Cora Customer', email: 'cora@example.test' });
  const outage = await db.insertInto('ticket_types').values({ name: 'Outage', default_priority: 'urgent', default_group_id: 1, created_at: new Date().toISOString() })
    .returning('id').executeTakeFirstOrThrow();
  const boss = new Client(app);
  await boss.login(admin.email, PASSWORD);
  const staff = new Client(app);
  await staff.login(agent.email, PASSWORD);
  const portal = new Client(app);
  await portal.login(cora.email, PASSWORD);

  /** Two policies made in the admin pages: urgent tickets (1 h first reply), then everything else. */
  const makePolicies = async () => {
    await boss.get('/admin/sla/policies/new');
    const urgent = await boss.post('/admin/sla/policies', {
      name: 'Urgent', position: '10', active: '1', priorities: 'urgent',
      firstReplyMinutes: '60', nextReplyMinutes: '30', resolutionMinutes: '480', warnMinutes: '30',
    });
    t.equal(urgent.statusCode, 303, 'the urgent policy is saved');
    const rest = await boss.post('/admin/sla/policies', {
      name: 'Standard', position: '20', active: '1', firstReplyMinutes: '240', resolutionMinutes: '2880', warnMinutes: '60',
    });
    t.equal(rest.statusCode, 303, 'the standard policy is saved');
    const form = await boss.get('/admin/sla/policies/new');
    t.equal(form.statusCode, 200);
    t.match(form.body, /name="position"[^>]*value="30"|value="30"[^>]*name="position"/, 'a new policy is offered the place after the last');
  };
  /** The customer opens a ticket in the portal; the consumers run. */
  const submit = async (typeId: number, subject: string) => {
    await portal.get('/portal/tickets/new');
    const created = await portal.post('/portal/tickets', { typeId: String(typeId), subject, message: 'It is broken.' });
    const id = Number(/\/portal\/tickets\/(\d+)/.exec(String(created.headers.location))?.[1]);
    await app.worker.consume();
    return id;
  };
  const record = (id: number) => db.selectFrom('ticket_slas').selectAll().where('ticket_id', '=', id).executeTakeFirst();
  const target = (id: number, name: 'first_reply' | 'next_reply' | 'resolution') => db.selectFrom('ticket_sla_targets').selectAll().where('ticket_id', '=', id).where('target', '=', name).executeTakeFirst();
  const history = async (id: number) => (await db.selectFrom('ticket_events').select('kind').where('ticket_id', '=', id)
    .where('kind', 'like', 'sla_%').orderBy('id').execute()).map((r) => r.kind);
  return { ...desk, smtp, admin, agent, cora, outage: outage.id, boss, staff, portal, makePolicies, submit, record, target, history };
}

t.test('the admin pages: policies and business hours, refused forms kept (422), saved ones listed', async (t) => {
  const desk = await slaDesk(t);
  const { boss, staff, db } = desk;
  t.equal((await staff.get('/admin/sla')).statusCode, 403, 'agents may not');
  const page = await boss.get('/admin/sla');
  t.equal(page.statusCode, 200);
  t.match(page.body, 'Business hours', 'the desk\'s default calendar is listed');
  t.match(page.body, 'No SLA policy yet');

  await boss.get('/admin/sla/policies/new');
  const refused = await postPairs(boss, '/admin/sla/policies', [['name', 'Gold'], ['firstReplyMinutes', 'soon'], ['priorities', 'high'], ['priorities', 'urgent'], ['tags', 'vip']]);
  t.equal(refused.statusCode, 422);
  t.match(refused.body, 'Enter whole minutes');
  t.match(refused.body, 'value="Gold"', 'the name kept');
  t.match(refused.body, /name="priorities" value="urgent" checked/, 'the ticked priorities kept');
  t.match(refused.body, 'value="vip"', 'the tags kept');
  const none = await boss.post('/admin/sla/policies', { name: 'Gold' });
  t.equal(none.statusCode, 422, 'a policy without any target');
  t.match(none.body, 'Set at least one target.');

  const saved = await postPairs(boss, '/admin/sla/policies', [['name', 'Gold'], ['position', '5'], ['active', '1'], ['priorities', 'high'], ['priorities', 'urgent'],
    ['tags', 'VIP, refund'], ['firstReplyMinutes', '60'], ['firstReplyBusiness', '1']]);
  t.equal(saved.statusCode, 303);
  const policy = await db.selectFrom('sla_policies').selectAll().executeTakeFirstOrThrow();
  t.same(JSON.parse(policy.conditions), { priorities: ['high', 'urgent'], typeIds: [], groupIds: [], organizationIds: [], brandIds: [], channels: [], tags: ['vip', 'refund'] });
  t.equal(policy.first_reply_minutes, 60);
  t.equal(policy.first_reply_business, 1);
  t.match((await boss.get('/admin/sla')).body, '60 min (business hours)');
  const edit = await boss.get(`/admin/sla/policies/${policy.id}`);
  t.match(edit.body, 'value="vip, refund"', 'the edit form shows the policy');
  t.equal((await boss.post(`/admin/sla/policies/${policy.id}`, { name: 'Gold', firstReplyMinutes: '90' })).statusCode, 303);
  t.equal((await db.selectFrom('sla_policies').select('first_reply_minutes').executeTakeFirstOrThrow()).first_reply_minutes, 90);

  await boss.get('/admin/sla/calendars/new');
  const badZone = await boss.post('/admin/sla/calendars', { name: 'Berlin office', timeZone: 'Mars/Olympus', day1: '9-5', holidays: 'Christmas' });
  t.equal(badZone.statusCode, 422);
  t.match(badZone.body, 'Choose a known time zone');
  t.match(badZone.body, 'Write ranges as 09:00-17:00');
  t.match(badZone.body, 'Write one holiday a line');
  t.match(badZone.body, 'value="Mars/Olympus"', 'the zone kept');
  const calendar = await boss.post('/admin/sla/calendars', {
    name: 'Berlin office', timeZone: 'Europe/Berlin', day1: '09:00-12:00, 13:00-17:00', day2: '09:00-17:00', holidays: '12-25 Christmas Day\n2026-12-31 Closing', isDefault: '1',
  });
  t.equal(calendar.statusCode, 303);
  const rows = await db.selectFrom('sla_calendars').selectAll().orderBy('id').execute();
  t.same(rows.map((r) => [r.name, r.is_default]), [['Business hours', 0], ['Berlin office', 1]], 'the new one is the default now');
  t.same(JSON.parse(rows[1]!.week), [[], [[540, 720], [780, 1020]], [[540, 1020]], [], [], [], []]);
  t.same(JSON.parse(rows[1]!.holidays), [{ date: '0000-12-25', yearly: true, name: 'Christmas Day' }, { date: '2026-12-31', yearly: false, name: 'Closing' }]);
  const shown = await boss.get(`/admin/sla/calendars/${rows[1]!.id}`);
  t.match(shown.body, 'value="09:00-12:00, 13:00-17:00"');
  t.match(shown.body, '12-25 Christmas Day');
  t.equal((await boss.get('/admin/sla/calendars/999')).statusCode, 404);
});

t.test('a policy matching by priority sets the due times of a new ticket; a reply fulfils, a customer message starts the next reply', async (t) => {
  const desk = await slaDesk(t);
  const { app, staff, portal, record, target, history } = desk;
  await desk.makePolicies();
  const before = Date.now();
  const urgent = await desk.submit(desk.outage, 'Site down');
  const normal = await desk.submit(1, 'Question');
  t.equal((await record(urgent))?.policy_name, 'Urgent', 'the urgent ticket got the first policy');
  t.equal((await record(normal))?.policy_name, 'Standard', 'the normal one the second');
  const first = await target(urgent, 'first_reply');
  t.equal(first?.state, 'running');
  const due = Date.parse(first!.due_at!);
  t.ok(due >= before + 60 * MINUTE && due <= Date.now() + 60 * MINUTE, 'first reply due an hour after creation (calendar hours)');
  t.equal((await target(urgent, 'next_reply'))?.state, 'waiting', 'the next reply waits for a customer message');
  t.equal(Date.parse((await target(urgent, 'resolution'))!.due_at!) - Date.parse(first!.started_at!), 480 * MINUTE, 'resolution in 8 hours');
  t.equal((await record(urgent))?.next_due_at, first!.due_at, 'the next due time is the first reply\'s');
  t.equal(Date.parse((await target(normal, 'first_reply'))!.due_at!) - Date.parse((await target(normal, 'first_reply'))!.started_at!), 240 * MINUTE);

  await staff.get(`/agent/tickets/${urgent}`);
  t.equal((await staff.post(`/agent/tickets/${urgent}/messages`, { kind: 'note', body: 'Looking.' })).statusCode, 303);
  await app.worker.consume();
  t.equal((await target(urgent, 'first_reply'))?.state, 'running', 'an internal note is no reply');
  t.equal((await staff.post(`/agent/tickets/${urgent}/messages`, { kind: 'reply', body: 'On it.' })).statusCode, 303);
  await app.worker.consume();
  const met = await target(urgent, 'first_reply');
  t.equal(met?.state, 'fulfilled', 'the agent\'s reply fulfils the first reply');
  t.ok(met?.fulfilled_at);
  t.same(await history(urgent), ['sla_first_reply_fulfilled'], 'a history line says so');
  t.match((await staff.get(`/agent/tickets/${urgent}?tab=history`)).body, 'SLA first reply met');

  t.equal((await portal.post(`/portal/tickets/${urgent}/replies`, { body: 'Still down.' })).statusCode, 303);
  await app.worker.consume();
  const next = await target(urgent, 'next_reply');
  t.equal(next?.state, 'running', 'the customer\'s message starts the next reply');
  t.equal(Date.parse(next!.due_at!) - Date.parse(next!.started_at!), 30 * MINUTE);
  t.equal((await record(urgent))?.next_due_at, next!.due_at, 'now the next due time');
  await staff.post(`/agent/tickets/${urgent}/messages`, { kind: 'reply', body: 'Fixed the router.' });
  await app.worker.consume();
  t.equal((await target(urgent, 'next_reply'))?.state, 'fulfilled');
  t.same(await history(urgent), ['sla_first_reply_fulfilled', 'sla_next_reply_fulfilled']);

  const page = await staff.get(`/agent/tickets/${urgent}`);
  t.match(page.body, 'Policy: Urgent', 'the ticket page names the policy');
  t.match(page.body, /data-sla-target="first_reply"><span class="sla sla-fulfilled">Met/);
  t.match(page.body, /data-sla-target="resolution"><span class="sla sla-ok">On time<\/span> · due/);

  t.equal((await staff.post(`/agent/tickets/${urgent}/status`, { statusId: '4' })).statusCode, 303, 'solved');
  await app.worker.consume();
  t.equal((await target(urgent, 'resolution'))?.state, 'fulfilled', 'solving fulfils the resolution');
  t.equal((await record(urgent))?.next_due_at, null, 'nothing is due any more');
  t.same((await history(urgent)).at(-1), 'sla_resolution_fulfilled');
  t.notMatch(await portal.page(`/portal/tickets/${urgent}`), /Policy: Urgent|data-sla-target/, 'customers never see the SLA');
});

t.test('a pending status pauses the clocks; back to open they resume, due later by the pause', async (t) => {
  const desk = await slaDesk(t);
  const { app, db, staff, record, target } = desk;
  const pending = await db.insertInto('statuses').values({ name: 'Waiting on customer', customer_label: 'Waiting for you', category: 'pending', position: 9 })
    .returning('id').executeTakeFirstOrThrow();
  await desk.makePolicies();
  const id = await desk.submit(1, 'Slow printer');
  const dueBefore = (await target(id, 'resolution'))!.due_at!;
  await staff.get(`/agent/tickets/${id}`);
  t.equal((await staff.post(`/agent/tickets/${id}/status`, { statusId: String(pending.id) })).statusCode, 303);
  await app.worker.consume();
  const paused = await record(id);
  t.ok(paused?.paused_since, 'paused');
  t.equal(paused?.next_due_at, null, 'no due time while paused');
  t.match((await staff.get(`/agent/tickets/${id}`)).body, /data-sla-target="resolution"><span class="sla sla-paused">Paused/);
  // Two hours pass while the ticket waits on the customer.
  await db.updateTable('ticket_slas').set({ paused_since: new Date(Date.parse(paused!.paused_since!) - 2 * 60 * MINUTE).toISOString() }).where('ticket_id', '=', id).execute();
  t.equal((await staff.post(`/agent/tickets/${id}/status`, { statusId: '2' })).statusCode, 303, 'open again');
  await app.worker.consume();
  const resumed = await target(id, 'resolution');
  const moved = Date.parse(resumed!.due_at!) - Date.parse(dueBefore);
  t.ok(moved >= 2 * 60 * MINUTE && moved < 2 * 60 * MINUTE + 10_000, `the resolution is due two hours later (${moved} ms)`);
  t.equal((await record(id))?.paused_since, null);
  t.equal((await record(id))?.next_due_at, (await target(id, 'first_reply'))!.due_at, 'the first reply is still the next due');
});

t.test('the clock job warns the assignee once before a breach, then marks the breach once, in the history', async (t) => {
  const desk = await slaDesk(t);
  const { app, db, staff, smtp, agent, target, history } = desk;
  await desk.makePolicies();
  const id = await desk.submit(desk.outage, 'Site down');
  await staff.get(`/agent/tickets/${id}`);
  await staff.post(`/agent/tickets/${id}/assignment`, { assigneeId: String(agent.id) });
  await app.worker.drain();
  smtp.received.splice(0);
  const due = Date.parse((await target(id, 'first_reply'))!.due_at!);

  t.same(await runSlaCheck(db, due - 40 * MINUTE), { breached: 0, warned: 0 }, 'nothing 40 minutes before (warning at 30)');
  t.same(await runSlaCheck(db, due - 20 * MINUTE), { breached: 0, warned: 1 }, 'a warning 20 minutes before');
  t.same(await runSlaCheck(db, due - 10 * MINUTE), { breached: 0, warned: 0 }, 'only once');
  await app.worker.drain();
  const warnings = smtp.received.splice(0);
  t.equal(warnings.length, 1, 'one mail');
  t.same(warnings[0]!.to, ['kim@desk.test'], 'to the assignee');
  const mail = await simpleParser(warnings[0]!.raw);
  t.equal(mail.subject, `[#${id}] SLA due soon: Site down`);
  t.match(mail.text, 'The First reply target of this ticket falls due at');

  t.same(await runSlaCheck(db, due + MINUTE), { breached: 1, warned: 0 }, 'breached once due');
  t.same(await runSlaCheck(db, due + 2 * MINUTE), { breached: 0, warned: 0 }, 'and only once');
  t.equal((await target(id, 'first_reply'))?.breached_at, new Date(due).toISOString());
  t.same(await history(id), ['sla_first_reply_warning', 'sla_first_reply_breached']);
  const events = await db.selectFrom('events').select('payload').where('ticket_id', '=', id).where('kind', '=', 'ticket.changed').orderBy('id').execute();
  t.ok(events.some((e) => JSON.parse(e.payload).changes?.[0]?.kind === 'sla_first_reply_breached'), 'the breach is an event on the stream');
  await app.worker.drain();
  t.equal(smtp.received.length, 0, 'no second warning mail');

  // A late reply is still a fulfilment, recorded as met late.
  await staff.post(`/agent/tickets/${id}/messages`, { kind: 'reply', body: 'Sorry for the wait.' });
  await app.worker.consume();
  t.equal((await target(id, 'first_reply'))?.state, 'fulfilled');
  t.match((await staff.get(`/agent/tickets/${id}`)).body, /data-sla-target="first_reply"><span class="sla sla-fulfilledLate">Met late/);
});

t.test('with nobody assigned, the warning goes to the ticket\'s group', async (t) => {
  const desk = await slaDesk(t);
  const { app, db, smtp, agent, target } = desk;
  const lee = await makeUser(db, 'agent', { name: 'Lee Teammate', email: 'lee@desk.test' });
  await db.insertInto('group_members').values([{ group_id: 1, user_id: agent.id }, { group_id: 1, user_id: lee.id }]).execute();
  await desk.makePolicies();
  const id = await desk.submit(desk.outage, 'Site down');
  await app.worker.drain();
  smtp.received.splice(0);
  const due = Date.parse((await target(id, 'first_reply'))!.due_at!);
  t.same(await runSlaCheck(db, due - 5 * MINUTE), { breached: 0, warned: 1 });
  await app.worker.drain();
  t.same(smtp.received.map((m) => m.to).flat().sort(), ['kim@desk.test', 'lee@desk.test']);
});

t.test('editing a policy leaves a running ticket\'s targets as they were', async (t) => {
  const desk = await slaDesk(t);
  const { db, boss, target } = desk;
  await desk.makePolicies();
  const running = await desk.submit(desk.outage, 'Site down');
  const before = await target(running, 'first_reply');
  const policy = await db.selectFrom('sla_policies').select('id').where('name', '=', 'Urgent').executeTakeFirstOrThrow();
  const edited = await boss.post(`/admin/sla/policies/${policy.id}`, {
    name: 'Urgent', position: '10', active: '1', priorities: 'urgent', firstReplyMinutes: '10', resolutionMinutes: '60', warnMinutes: '5',
  });
  t.equal(edited.statusCode, 303);
  const after = await target(running, 'first_reply');
  t.equal(after?.minutes, 60, 'the running ticket keeps 60 minutes');
  t.equal(after?.due_at, before?.due_at, 'and its due time');
  t.equal((await target(running, 'resolution'))?.minutes, 480);
  const fresh = await desk.submit(desk.outage, 'Down again');
  t.equal((await target(fresh, 'first_reply'))?.minutes, 10, 'a new ticket gets the edited targets');
  t.equal(await target(fresh, 'next_reply'), undefined, 'and no next reply target, now that the policy has none');
});

t.test('the list: an SLA column agents choose, the "Next SLA due" sort, and the two SLA views', async (t) => {
  const desk = await slaDesk(t);
  const { db, staff } = desk;
  await desk.makePolicies();
  const ids = {
    breached: await desk.submit(1, 'Alpha breached'), soon: await desk.submit(1, 'Bravo soon'),
    later: await desk.submit(1, 'Charlie later'), none: 0,
  };
  await db.deleteFrom('sla_policies').execute();
  ids.none = await desk.submit(1, 'Delta without SLA');
  const echo = await desk.submit(1, 'Echo without SLA');
  // A ticket whose clocks all stopped (no next due time) sorts with those without an SLA.
  const foxtrot = await desk.submit(1, 'Foxtrot, clocks stopped');
  await db.insertInto('ticket_slas').values({
    ticket_id: foxtrot, policy_id: null, policy_name: 'Stopped', calendar: '{}', pause_on_hold: 0, warn_minutes: 0,
    paused_since: null, next_due_at: null, started_at: new Date().toISOString(),
  }).execute();
  const setDue = (id: number, offset: number) => db.updateTable('ticket_slas').set({ next_due_at: new Date(Date.now() + offset).toISOString() }).where('ticket_id', '=', id).execute();
  await setDue(ids.breached, -10 * MINUTE);
  await setDue(ids.soon, 30 * MINUTE);
  await setDue(ids.later, 5 * 60 * MINUTE);

  const settings = await staff.page('/agent/tickets?view=all');
  t.match(settings, 'name="column-sla"', 'the list settings offer the SLA column');
  t.notMatch(settings, 'class="sla sla-', 'not shown until chosen');
  t.equal((await staff.post('/agent/tickets/settings', { 'column-status': '1', 'column-sla': '1', landing: 'all' })).statusCode, 303);

  const sorted = await staff.get('/agent/tickets?view=all&sort=sla');
  t.same(ticketIdsIn(sorted.body), [ids.breached, ids.soon, ids.later, ids.none, echo, foxtrot], 'earliest due first, no due time last (by number)');
  t.match(sorted.body, /<span class="sla sla-breached">Breached<\/span>/);
  t.match(sorted.body, /<span class="sla sla-soon">Due soon<\/span>/);
  t.match(sorted.body, /<span class="sla sla-ok">On time<\/span>/);
  t.match(sorted.body, '<option value="sla" selected>Next SLA due</option>', 'the sort is offered by name');

  const breached = await staff.get('/agent/tickets?view=sla_breached');
  t.same(ticketIdsIn(breached.body), [ids.breached], '"SLA breached" shows the breached ticket only');
  const soon = await staff.get('/agent/tickets?view=sla_soon');
  t.same(ticketIdsIn(soon.body), [ids.soon], '"Breaching in the next hour" the one due within the hour');
  const menu = await staff.get('/agent/tickets/menu');
  t.match(menu.body, 'Breaching in the next hour');
  t.match(menu.body, 'SLA breached');

  // Paged by the sort's keyset: one ticket a page still walks all six, in order.
  const { pageSubquery, statusLookup } = await import('../../src/tickets/list.js');
  const { decodeCursor, OUTER_ORDER, pageOf } = await import('../../src/tickets/cursor.js');
  const { parseListQuery } = await import('../../src/tickets/list-filter.js');
  const { toActor } = await import('../../src/users/actor.js');
  const actor = toActor(await db.selectFrom('users').selectAll().where('email', '=', 'kim@desk.test').executeTakeFirstOrThrow());
  const filter = parseListQuery({ view: 'all', sort: 'sla' });
  const lookup = await statusLookup(db);
  const walked: number[] = [];
  let after: (string | number)[] | null = null;
  for (let round = 0; round < 10; round++) {
    const rows = await db.selectFrom(pageSubquery(db, actor, filter, after, lookup, 1).as('t'))
      .select(['t.id', 't.last_activity_at', 't.created_at', 't.priority_rank', 't.sla_key']).orderBy(OUTER_ORDER.sla).execute();
    const page = pageOf(rows, 'sla', 1);
    walked.push(...page.rows.map((r) => r.id));
    if (!page.next) break;
    after = decodeCursor('sla', page.next);
  }
  t.same(walked, [ids.breached, ids.soon, ids.later, ids.none, echo, foxtrot], 'pages cross from the due tickets to the others, and walk those by number');
});
