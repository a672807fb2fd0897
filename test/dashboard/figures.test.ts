import t, { type Test } from 'tap';
import { dashboardFor } from '../../src/dashboard/dashboard.js';
import { putSetting } from '../../src/settings/settings.js';
import { toActor } from '../../src/users/actor.js';
import { buildTestDesk } from '../helpers/app.js';
import { makeTickets, makeUser } from '../helpers/factories.js';

// Simple workflow statuses: 1 New, 2 Open, 3 Pending (open category), 4 Solved, 5 Closed.
const NOW = new Date('2026-03-20T12:00:00Z');

async function deskWithHistory(t: Test) {
  const desk = await buildTestDesk(t);
  const { db } = desk;
  await putSetting(db, 'site_time_zone', 'Europe/Berlin');
  const admin = await makeUser(db, 'admin');
  const provider = await makeUser(db, 'agent', { name: 'Provider Pat' });
  const customer = await makeUser(db, 'customer');
  const other = await makeUser(db, 'customer');
  const group = await db.insertInto('groups').values({ name: 'Provider', is_restricted: 1, created_at: '2026-01-01T00:00:00Z' })
    .returning('id').executeTakeFirstOrThrow();
  await db.insertInto('group_members').values({ group_id: group.id, user_id: provider.id }).execute();
  const [late, day, waiting, old, provided] = await makeTickets(db, 5, (i) => [
    { subject: 'late night', requesterId: customer.id, statusId: 4, at: '2026-03-18T23:30:00.000Z' },
    { subject: 'daytime', requesterId: customer.id, statusId: 4, at: '2026-03-19T10:00:00.000Z' },
    { subject: 'still waiting', requesterId: customer.id, statusId: 2, assigneeId: admin.id, at: '2026-03-17T22:59:00.000Z' },
    { subject: 'from January', requesterId: customer.id, statusId: 4, at: '2026-01-01T00:00:00.000Z' },
    { subject: 'for the provider', requesterId: customer.id, statusId: 1, groupId: group.id, at: '2026-03-20T08:00:00.000Z' },
  ][i]!);
  const stamp = (id: number, first: string | null, solved: string | null) =>
    db.updateTable('tickets').set({ first_response_at: first, solved_at: solved }).where('id', '=', id!).execute();
  await stamp(late!, '2026-03-19T00:30:00.000Z', '2026-03-19T23:30:00.000Z'); // 1 h to answer, 24 h to solve
  await stamp(day!, '2026-03-19T10:30:00.000Z', '2026-03-19T12:00:00.000Z'); // 30 min, 2 h
  await stamp(old!, '2026-01-01T02:00:00.000Z', '2026-03-18T10:00:00.000Z'); // answered before the window
  const rate = (ticket: number, user: number, score: 'good' | 'bad', at: string) =>
    db.insertInto('ratings').values({ ticket_id: ticket, user_id: user, score, comment: '', created_at: at }).execute();
  await rate(late!, customer.id, 'good', '2026-03-20T00:10:00.000Z');
  await rate(day!, customer.id, 'good', '2026-03-19T13:00:00.000Z');
  await rate(old!, customer.id, 'bad', '2026-03-18T11:00:00.000Z');
  await rate(old!, other.id, 'bad', '2026-01-10T00:00:00.000Z'); // before the window
  const actorOf = async (id: number) => toActor(await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
  return { ...desk, admin: await actorOf(admin.id), provider: await actorOf(provider.id), ids: { late, day, waiting, old, provided } };
}

const byDate = (days: { date: string; created: number; solved: number }[]) =>
  Object.fromEntries(days.filter((d) => d.created || d.solved).map((d) => [d.date, [d.created, d.solved]]));

t.test('a manager sees the last 30 days counted by Berlin days', async (t) => {
  const d = await deskWithHistory(t);
  const figures = await dashboardFor(d.db, d.admin, NOW);
  t.equal(figures.timeZone, 'Europe/Berlin');
  t.equal(figures.days.length, 30);
  t.equal(figures.days[0]!.date, '2026-02-19');
  t.equal(figures.days.at(-1)!.date, '2026-03-20');
  t.same(byDate(figures.days), {
    '2026-03-17': [1, 0], // 22:59 UTC is 23:59 in Berlin: still the 17th
    '2026-03-18': [0, 1],
    '2026-03-19': [2, 1], // the 23:30 UTC ticket was created on the 19th in Berlin...
    '2026-03-20': [1, 1], // ...and solved on the 20th
  });
  t.equal(figures.medianFirstResponseMs, 45 * 60_000, 'median of 1 h and 30 min');
  t.equal(figures.medianResolutionMs, 24 * 3600_000, 'median of 2 h, 24 h and 76 days');
  t.same(figures.ratings, { good: 2, bad: 1, percentGood: 67 });
  t.same(figures.counts, { myOpen: 1, unassigned: 1, pending: null }, 'the Simple workflow has no pending status');
  t.same(figures.unanswered.map((u) => u.id), [d.ids.waiting, d.ids.provided], 'oldest first');
});

t.test('in UTC the late-night ticket counts on the day before', async (t) => {
  const d = await deskWithHistory(t);
  await putSetting(d.db, 'site_time_zone', 'UTC');
  const figures = await dashboardFor(d.db, d.admin, NOW);
  t.same(byDate(figures.days), { '2026-03-17': [1, 0], '2026-03-18': [1, 1], '2026-03-19': [1, 2], '2026-03-20': [1, 0] });
});

t.test('an agent of a restricted group sees figures about their group only', async (t) => {
  const d = await deskWithHistory(t);
  const figures = await dashboardFor(d.db, d.provider, NOW);
  t.same(byDate(figures.days), { '2026-03-20': [1, 0] });
  t.equal(figures.medianFirstResponseMs, null);
  t.equal(figures.medianResolutionMs, null);
  t.same(figures.ratings, { good: 0, bad: 0, percentGood: null });
  t.same(figures.counts, { myOpen: 0, unassigned: 1, pending: null });
  t.same(figures.unanswered.map((u) => u.id), [d.ids.provided]);
});

t.test('waiting on the customer counts tickets in a pending status once the workflow has one', async (t) => {
  const d = await deskWithHistory(t);
  const status = await d.db.insertInto('statuses').values({ name: 'Waiting on customer', customer_label: 'Waiting on you', category: 'pending', position: 9 })
    .returning('id').executeTakeFirstOrThrow();
  await d.db.updateTable('tickets').set({ status_id: status.id }).where('id', '=', d.ids.waiting!).execute();
  const figures = await dashboardFor(d.db, d.admin, NOW);
  t.same(figures.counts, { myOpen: 1, unassigned: 1, pending: 1 });
});
