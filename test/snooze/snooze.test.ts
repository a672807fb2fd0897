// Snooze (issue 20, point 3): "Remind me" on the agent's ticket page, presets worked out in the
// agent's own time zone or a date and time; a snoozed ticket leaves "My open tickets" for "Snoozed",
// and comes back (marked, with a mail when asked for) when its time comes or when its customer
// writes, by the portal or by mail. Every change through the kernel, in the history.
import t, { type Test } from 'tap';
import { runSnoozeReturns, SNOOZE_JOB } from '../../src/snooze/snooze.js';
import { enqueueJob } from '../../src/jobs/queries.js';
import { postMultipart } from '../attachments/helpers.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeTicket, makeUser, PASSWORD, ticketIdsIn } from '../helpers/factories.js';
import { deskWithTicket, receive } from '../mailin/helpers.js';
import { notifyDesk } from '../notify/helpers.js';

const ZONE = 'Pacific/Auckland';
const OPEN = 2;

/** An instant's wall clock in the zone: `YYYY-MM-DD`, `HH:MM` and the weekday, read by Intl (not by the code under test). */
function wall(iso: string | number, zone = ZONE) {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', weekday: 'short' })
    .formatToParts(new Date(iso));
  const p = (type: string) => parts.find((x) => x.type === type)!.value;
  return { date: `${p('year')}-${p('month')}-${p('day')}`, time: `${p('hour')}:${p('minute')}`, weekday: p('weekday') };
}
/** Whole days from one zone date to another. */
const daysBetween = (a: string, b: string) => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);

async function setup(t: Test) {
  const desk = await buildTestDesk(t);
  const agent = await makeUser(desk.db, 'agent', { name: 'Robin Agent' });
  await desk.db.updateTable('users').set({ time_zone: ZONE }).where('id', '=', agent.id).execute();
  const customer = await makeUser(desk.db, 'customer', { name: 'Cora Customer' });
  const id = await makeTicket(desk.db, { requesterId: customer.id, subject: 'Invoice twice', assigneeId: agent.id, statusId: OPEN });
  const staff = new Client(desk.app);
  await staff.login(agent.email, PASSWORD);
  await staff.page(`/agent/tickets/${id}`);
  const row = () => desk.db.selectFrom('tickets').select(['snoozed_until', 'snoozed_by_id', 'snooze_returned_at']).where('id', '=', id).executeTakeFirstOrThrow();
  const history = async () => (await desk.db.selectFrom('ticket_events').select(['kind', 'from_value', 'to_value', 'actor_id']).where('ticket_id', '=', id)
    .where('kind', 'like', '%snooze%').orderBy('id').execute());
  const inView = async (view: string) => ticketIdsIn(await staff.page(`/agent/tickets?view=${view}`)).includes(id);
  return { ...desk, agent, customer, id, staff, row, history, inView };
}

t.test('the presets are worked out in the agent\'s own zone (Auckland), the typed time too', async (t) => {
  const { staff, id, row, agent } = await setup(t);
  const page = await staff.page(`/agent/tickets/${id}`);
  t.match(page, `action="/agent/tickets/${id}/snooze"`, 'the ticket page offers "Remind me"');
  t.match(page, 'name="preset" value="tomorrow">Tomorrow 9:00</button>');

  const before = Date.now();
  const tomorrow = await staff.post(`/agent/tickets/${id}/snooze`, { preset: 'tomorrow', tab: 'general' });
  t.equal(tomorrow.statusCode, 303);
  t.equal(tomorrow.headers.location, `/agent/tickets/${id}`);
  let snoozed = await row();
  t.equal(snoozed.snoozed_by_id, agent.id);
  t.equal(wall(snoozed.snoozed_until!).time, '09:00', 'nine in the morning in Auckland');
  t.equal(daysBetween(wall(before).date, wall(snoozed.snoozed_until!).date), 1, 'tomorrow in Auckland');

  t.equal((await staff.post(`/agent/tickets/${id}/snooze`, { preset: 'next_monday' })).statusCode, 303);
  snoozed = await row();
  const monday = wall(snoozed.snoozed_until!);
  t.same([monday.weekday, monday.time], ['Mon', '09:00'], 'a Monday, nine in the morning in Auckland');
  const ahead = daysBetween(wall(before).date, monday.date);
  t.ok(ahead >= 1 && ahead <= 7, `the coming Monday (${ahead} days on)`);

  t.equal((await staff.post(`/agent/tickets/${id}/snooze`, { preset: 'later_today' })).statusCode, 303);
  const later = Date.parse((await row()).snoozed_until!) - before;
  t.ok(later >= 3 * 3600_000 - 1000 && later <= 3 * 3600_000 + 120_000, 'later today: in three hours');

  // A date and time typed in the agent's zone: two days on, 14:30 in Auckland.
  const day = wall(Date.now() + 2 * 86_400_000).date;
  t.equal((await staff.post(`/agent/tickets/${id}/snooze`, { preset: 'custom', until: `${day}T14:30` })).statusCode, 303);
  const typed = wall((await row()).snoozed_until!);
  t.same([typed.date, typed.time], [day, '14:30'], 'read in Auckland time');
});

t.test('a wrong or past time is refused: the page again, 422, the value kept, nothing written', async (t) => {
  const { staff, id, row } = await setup(t);
  for (const [until, message] of [['', 'This field is required'], ['2026-02-30T10:00', 'Enter a date and time.'], ['2020-01-01T10:00', 'Choose a time ahead of now, within a year.']] as const) {
    const response = await staff.post(`/agent/tickets/${id}/snooze`, { preset: 'custom', until });
    t.equal(response.statusCode, 422, until);
    t.match(response.body, message);
    t.match(response.body, `id="snooze-until" name="until" type="datetime-local" value="${until}" aria-invalid="true"`, 'the value kept, the field marked');
  }
  t.equal((await staff.post(`/agent/tickets/${id}/snooze`, { preset: 'someday' })).statusCode, 422, 'an unknown preset');
  t.equal((await row()).snoozed_until, null);
});

t.test('a snoozed ticket leaves My open tickets for Snoozed; unsnoozed by hand, it is back; history keeps both', async (t) => {
  const { staff, id, row, history, inView, agent } = await setup(t);
  t.ok(await inView('my_open'), 'in My open tickets before');
  t.notOk(await inView('snoozed'));
  await staff.post(`/agent/tickets/${id}/snooze`, { preset: 'tomorrow' });
  const page = await staff.page(`/agent/tickets/${id}`);
  t.match(page, 'The ticket is snoozed: it waits in your Snoozed view.', 'the flash');
  t.match(page, '<span class="badge snoozed">Snoozed</span> until', 'the panel says until when');
  t.match(page, '>Unsnooze</button>');
  t.notOk(await inView('my_open'), 'gone from My open tickets');
  t.ok(await inView('snoozed'), 'in Snoozed');
  t.match(await staff.page('/agent/tickets?view=snoozed'), '<span class="badge snoozed">Snoozed</span>');
  t.match(await staff.page('/agent/tickets'), 'href="/agent/tickets?view=snoozed"', 'the side menu has the view');

  const other = new Client(staff.app);
  await other.login((await makeUser(staff.app.db, 'agent')).email, PASSWORD);
  t.notOk(ticketIdsIn(await other.page('/agent/tickets?view=snoozed')).includes(id), 'Snoozed holds one\'s own snoozes');

  const undone = await staff.post(`/agent/tickets/${id}/unsnooze`, { tab: 'history' });
  t.equal(undone.statusCode, 303);
  t.equal(undone.headers.location, `/agent/tickets/${id}?tab=history`);
  t.same(await row(), { snoozed_until: null, snoozed_by_id: null, snooze_returned_at: null });
  t.ok(await inView('my_open'), 'back in My open tickets');
  t.notOk(await inView('snoozed'));
  t.same((await history()).map((h) => [h.kind, h.actor_id]), [['snoozed', agent.id], ['unsnoozed', agent.id]]);
  const tab = await staff.page(`/agent/tickets/${id}?tab=history`);
  t.match(tab, 'Snoozed until');
  t.match(tab, 'Unsnoozed');
  const events = await staff.app.db.selectFrom('events').select('payload').where('kind', '=', 'ticket.changed').where('ticket_id', '=', id).execute();
  t.equal(events.length, 2, 'each a ticket.changed event');
});

t.test('the job brings a snoozed ticket back when its time comes, marked as returned', async (t) => {
  const { db, staff, id, row, history, inView, app } = await setup(t);
  await staff.post(`/agent/tickets/${id}/snooze`, { preset: 'tomorrow' });
  const until = Date.parse((await row()).snoozed_until!);
  t.equal(await runSnoozeReturns(db, until - 60_000), 0, 'not before its time');
  t.notOk(await inView('my_open'));
  t.equal(await runSnoozeReturns(db, until), 1, 'at its time');
  const back = await row();
  t.equal(back.snoozed_until, null);
  t.equal(back.snooze_returned_at, new Date(until).toISOString(), 'marked as returned');
  t.ok(await inView('my_open'), 'back in My open tickets');
  t.match(await staff.page('/agent/tickets?view=my_open'), '<span class="badge snooze-returned">Back from snooze</span>', 'marked in the list');
  t.match(await staff.page(`/agent/tickets/${id}`), 'Back from snooze');
  t.same((await history()).map((h) => [h.kind, h.to_value, h.actor_id]).at(-1), ['snooze_returned', 'time', null], 'by Deskbell');
  t.equal(await runSnoozeReturns(db, until + 60_000), 0, 'once');

  // The job as the worker runs it: booked, it runs and books its next run.
  await enqueueJob(db, SNOOZE_JOB, {});
  await app.worker.drain();
  const jobs = await db.selectFrom('jobs').select(['state']).where('kind', '=', SNOOZE_JOB).orderBy('id').execute();
  t.same(jobs.map((j) => j.state), ['done', 'queued'], 'the job ran and booked its next run');

  t.equal((await staff.post(`/agent/tickets/${id}/unsnooze`)).statusCode, 303, '"Clear the mark"');
  t.equal((await row()).snooze_returned_at, null);
});

t.test('a customer\'s reply in the portal brings the ticket back at once', async (t) => {
  const { app, staff, id, row, history, customer, inView } = await setup(t);
  await staff.post(`/agent/tickets/${id}/snooze`, { preset: 'next_monday' });
  const portal = new Client(app);
  await portal.login(customer.email, PASSWORD);
  await portal.page(`/portal/tickets/${id}`);
  const replied = await postMultipart(app, portal, `/portal/tickets/${id}/replies`, [{ name: '_csrf', value: portal.csrf }, { name: 'body', value: 'Any news?' }]);
  t.equal(replied.statusCode, 303);
  const back = await row();
  t.equal(back.snoozed_until, null, 'no longer snoozed');
  t.ok(back.snooze_returned_at, 'marked as returned');
  const last = (await history()).at(-1)!;
  t.same([last.kind, last.to_value, last.actor_id], ['snooze_returned', 'customer', customer.id], 'by the customer who wrote');
  t.ok(await inView('my_open'));
  t.notMatch(await portal.page(`/portal/tickets/${id}`), /snooze/i, 'the customer sees nothing of it');
});

t.test('a customer\'s reply by mail brings the ticket back at once', async (t) => {
  const desk = await deskWithTicket(t);
  const agent = await makeUser(desk.db, 'agent');
  const staff = new Client(desk.app);
  await staff.login(agent.email, PASSWORD);
  await staff.page(`/agent/tickets/${desk.ticketId}`);
  t.equal((await staff.post(`/agent/tickets/${desk.ticketId}/snooze`, { preset: 'tomorrow' })).statusCode, 303);
  t.match(await receive(desk, 'gmail-reply.eml'), { ticketId: desk.ticketId });
  const back = await desk.db.selectFrom('tickets').select(['snoozed_until', 'snooze_returned_at']).where('id', '=', desk.ticketId).executeTakeFirstOrThrow();
  t.equal(back.snoozed_until, null, 'the mail woke it');
  t.ok(back.snooze_returned_at);
  const last = await desk.db.selectFrom('ticket_events').select(['kind', 'to_value', 'actor_id']).where('ticket_id', '=', desk.ticketId).orderBy('id', 'desc').executeTakeFirstOrThrow();
  t.same(last, { kind: 'snooze_returned', to_value: 'customer', actor_id: desk.casey.id });
});

t.test('the agent who opted in (account page) gets a mail when the ticket comes back; others do not', async (t) => {
  const { db, staff, agent, id, delivered, to } = await notifyDesk(t);
  await db.updateTable('tickets').set({ assignee_id: agent.id }).where('id', '=', id).execute();
  const account = await staff.get('/account');
  t.match(account.body, /name="notify_snooze_returned" type="checkbox" value="1">/, 'offered, off until asked for');
  await staff.page(`/agent/tickets/${id}`);
  await staff.post(`/agent/tickets/${id}/snooze`, { preset: 'tomorrow' });
  await delivered();
  const until = async () => Date.parse((await db.selectFrom('tickets').select('snoozed_until').where('id', '=', id).executeTakeFirstOrThrow()).snoozed_until!);
  await runSnoozeReturns(db, await until());
  t.same(to(await delivered(), 'kim@desk.test'), [], 'no mail without the opt-in');

  await staff.get('/account');
  const saved = await staff.post('/account', { name: 'Kim Agent', locale: 'en', timeZone: '', notifyPrefs: '1', notify_assigned: '1', notify_customer_reply: '1', notify_snooze_returned: '1' });
  t.equal(saved.statusCode, 303);
  t.match((await staff.get('/account')).body, /name="notify_snooze_returned" type="checkbox" value="1" checked/);
  await staff.page(`/agent/tickets/${id}`);
  await staff.post(`/agent/tickets/${id}/snooze`, { preset: 'tomorrow' });
  await runSnoozeReturns(db, await until());
  const mails = to(await delivered(), 'kim@desk.test');
  t.equal(mails.length, 1, 'one mail to the agent who snoozed it');
  t.equal(mails[0]!.header('Subject'), `[#${id}] Back from snooze: Printer offline`);
  t.match(mails[0]!.parsed.text, 'A ticket you snoozed is back');
  t.match(mails[0]!.parsed.text, `/agent/tickets/${id}`);
});

t.test('customers cannot snooze; a ticket out of an agent\'s reach is a 404', async (t) => {
  const { app, db, id, customer, row } = await setup(t);
  const portal = new Client(app);
  await portal.login(customer.email, PASSWORD);
  await portal.page('/portal');
  t.equal((await portal.post(`/agent/tickets/${id}/snooze`, { preset: 'tomorrow' })).statusCode, 403);
  t.equal((await portal.post(`/agent/tickets/${id}/unsnooze`)).statusCode, 403);
  const agent = new Client(app);
  await agent.login((await makeUser(db, 'agent')).email, PASSWORD);
  await agent.page('/agent/tickets');
  t.equal((await agent.post('/agent/tickets/99999/snooze', { preset: 'tomorrow' })).statusCode, 404);
  t.equal((await row()).snoozed_until, null);
});
