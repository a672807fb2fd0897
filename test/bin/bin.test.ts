// The recycle bin (issue 20, point 6): deleting a ticket or marking it as spam puts it in the bin,
// whole, out of every list, search, count and portal page; admins list it and restore it with
// everything it had; the purge job removes it for good after the retention (30 days, a setting).
import t, { type Test } from 'tap';
import { BIN_PURGE_JOB, runBinPurge } from '../../src/bin/bin.js';
import { enqueueJob } from '../../src/jobs/queries.js';
import { sideMenu } from '../../src/tickets/menu.js';
import { toActor } from '../../src/users/actor.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeCcs, makeMessage, makeTicket, makeUser, PASSWORD, ticketIdsIn } from '../helpers/factories.js';
import { resultIds, search } from '../search/helpers.js';

const DAY = 86_400_000;

async function setup(t: Test) {
  const desk = await buildTestDesk(t);
  const { app, db } = desk;
  const login = async (row: { email: string }) => {
    const client = new Client(app);
    await client.login(row.email, PASSWORD);
    return client;
  };
  const adminRow = await makeUser(db, 'admin', { name: 'Ada Admin' });
  const agentRow = await makeUser(db, 'agent', { name: 'Quinn Agent' });
  const cora = await makeUser(db, 'customer', { name: 'Cora Customer', email: 'cora@example.test' });
  const dan = await makeUser(db, 'customer', { name: 'Dan Colleague', email: 'dan@example.test' });
  const id = await makeTicket(db, { requesterId: cora.id, subject: 'Zeppelin printer jammed', statusId: 2, assigneeId: agentRow.id });
  const keep = await makeTicket(db, { requesterId: cora.id, subject: 'Another question', statusId: 2, assigneeId: agentRow.id });
  await makeMessage(db, id, { authorId: cora.id, kind: 'reply', text: 'The zeppelin printer is jammed again.', at: '2026-01-02T00:00:00Z' });
  await makeMessage(db, id, { authorId: agentRow.id, kind: 'note', text: 'Internal: call the vendor.', at: '2026-01-02T01:00:00Z' });
  await makeCcs(db, id, dan.id);
  const admin = await login(adminRow);
  const agent = await login(agentRow);
  const portal = await login(cora);
  await admin.page(`/agent/tickets/${id}`);
  t.equal((await admin.post(`/agent/tickets/${id}/tags`, { tag: 'hardware' })).statusCode, 303);
  const binned = () => db.selectFrom('tickets').select(['id', 'binned_at', 'binned_by_id', 'binned_reason']).where('id', '=', id).executeTakeFirst();
  const count = async (actorRow: { id: number }) => {
    const row = await db.selectFrom('users').selectAll().where('id', '=', actorRow.id).executeTakeFirstOrThrow();
    return (await sideMenu(db, toActor(row))).find((v) => v.view === 'all')!.count;
  };
  const remove = async () => {
    await admin.get(`/agent/tickets/${id}/delete`);
    return admin.post(`/agent/tickets/${id}/delete`);
  };
  return { ...desk, login, adminRow, agentRow, cora, dan, id, keep, admin, agent, portal, binned, count, remove };
}

t.test('a deleted ticket goes to the bin: out of the list, search, counts and the portal, but whole', async (t) => {
  const { db, id, keep, admin, agent, portal, binned, count, remove, adminRow, agentRow } = await setup(t);
  t.ok(ticketIdsIn(await agent.page('/agent/tickets?view=all')).includes(id), 'listed before');
  t.same(resultIds((await search(agent, 'zeppelin')).body), [id], 'found before');
  t.ok(ticketIdsIn(await portal.page('/portal/tickets')).includes(id), 'in the portal before');
  t.equal(await count(agentRow), 2);

  const deleted = await remove();
  t.equal(deleted.statusCode, 303);
  t.equal(deleted.headers.location, '/agent/tickets');
  t.match(await binned(), { id, binned_by_id: adminRow.id, binned_reason: 'deleted' }, 'the row is still there');
  t.ok((await binned())!.binned_at);
  t.equal((await db.selectFrom('messages').select('id').where('ticket_id', '=', id).execute()).length, 2, 'with its messages');

  t.notOk(ticketIdsIn(await agent.page('/agent/tickets?view=all')).includes(id), 'not in the list');
  t.ok(ticketIdsIn(await agent.page('/agent/tickets?view=all')).includes(keep), 'the other ticket still is');
  t.notOk(ticketIdsIn(await agent.page('/agent/tickets?view=my_open')).includes(id));
  t.same(resultIds((await search(agent, 'zeppelin')).body), [], 'not found by search');
  t.equal(await count(agentRow), 1, 'not counted');
  t.equal((await agent.get(`/agent/tickets/${id}`)).statusCode, 404, 'its page is gone for agents');
  t.equal((await admin.get(`/agent/tickets/${id}`)).statusCode, 404, 'and for admins (they find it in the bin)');
  t.notOk(ticketIdsIn(await portal.page('/portal/tickets')).includes(id), 'not in the portal list');
  t.equal((await portal.get(`/portal/tickets/${id}`)).statusCode, 404, 'nor its portal page');
  const events = await db.selectFrom('events').select(['kind', 'actor_id']).where('ticket_id', '=', id).where('kind', 'in', ['ticket.binned', 'ticket.deleted']).execute();
  t.same(events, [{ kind: 'ticket.binned', actor_id: adminRow.id }], 'one ticket.binned event');
});

t.test('admins see the bin and restore a ticket with everything it had', async (t) => {
  const { db, id, admin, agent, portal, remove, dan } = await setup(t);
  await remove();
  const page = await admin.page('/admin/bin');
  t.match(page, 'Recycle bin');
  t.match(page, `#${id}</span> Zeppelin printer jammed`);
  t.match(page, 'Cora Customer');
  t.match(page, '2 messages');
  t.match(page, `action="/admin/bin/${id}/restore"`);
  t.match(page, 'for 30 days', 'the retention is said');
  t.match(await admin.page('/admin'), 'href="/admin/bin"', 'the admin menu links it');

  const restored = await admin.post(`/admin/bin/${id}/restore`);
  t.equal(restored.statusCode, 303);
  t.equal(restored.headers.location, `/agent/tickets/${id}`);
  t.match(await db.selectFrom('tickets').select(['binned_at', 'binned_reason']).where('id', '=', id).executeTakeFirst(), { binned_at: null, binned_reason: null });
  const ticketPage = await agent.page(`/agent/tickets/${id}`);
  t.match(ticketPage, 'The zeppelin printer is jammed again.', 'its messages');
  t.match(ticketPage, 'Internal: call the vendor.', 'its notes');
  t.match(ticketPage, '>hardware</a>', 'its tags');
  t.match(ticketPage, 'dan@example.test', 'its CCs');
  t.ok(ticketIdsIn(await agent.page('/agent/tickets?view=my_open')).includes(id), 'back in the lists');
  t.same(resultIds((await search(agent, 'zeppelin')).body), [id], 'found again');
  t.match(await portal.page(`/portal/tickets/${id}`), 'The zeppelin printer is jammed again.', 'back in the portal');
  t.notMatch(await admin.page('/admin/bin'), `#${id}</span>`, 'no longer in the bin');
  const history = await agent.page(`/agent/tickets/${id}?tab=history`);
  t.match(history, 'Moved to the recycle bin');
  t.match(history, 'Restored from the recycle bin');
  t.ok(await db.selectFrom('audit_log').select('id').where('action', '=', 'ticket.restored').where('subject_id', '=', id).executeTakeFirst(), 'audited');
  t.equal((await admin.post(`/admin/bin/${id}/restore`)).statusCode, 404, 'a ticket not in the bin cannot be restored');
  void dan;
});

t.test('agents and supervisors cannot see the bin nor restore; customers neither', async (t) => {
  const { db, id, agent, portal, remove, login, binned } = await setup(t);
  await remove();
  const supervisor = await login(await makeUser(db, 'supervisor'));
  for (const [who, client] of [['agent', agent], ['supervisor', supervisor], ['customer', portal]] as const) {
    await client.get('/agent/tickets');
    t.equal((await client.get('/admin/bin')).statusCode, 403, `${who}: no bin page`);
    t.equal((await client.post(`/admin/bin/${id}/restore`)).statusCode, 403, `${who}: no restore`);
    t.equal((await client.post(`/admin/bin/${id}/purge`)).statusCode, 403, `${who}: no purge`);
  }
  t.ok((await binned())!.binned_at, 'still in the bin');
});

t.test('the purge job removes tickets older than the retention for good (a setting), through removeTicket', async (t) => {
  const { db, app, id, admin, remove, config } = await setup(t);
  await remove();
  const at = Date.parse((await db.selectFrom('tickets').select('binned_at').where('id', '=', id).executeTakeFirstOrThrow()).binned_at!);
  t.equal(await runBinPurge(db, config.uploadsDir, at + 29 * DAY), 0, 'kept for 30 days');
  t.ok(await db.selectFrom('tickets').select('id').where('id', '=', id).executeTakeFirst());
  t.equal(await runBinPurge(db, config.uploadsDir, at + 30 * DAY + 1000), 1, 'gone after 30 days');
  t.notOk(await db.selectFrom('tickets').select('id').where('id', '=', id).executeTakeFirst(), 'the row is gone');
  t.equal((await db.selectFrom('messages').select('id').where('ticket_id', '=', id).execute()).length, 0, 'with its messages');
  const gone = await db.selectFrom('events').select(['kind', 'actor_id', 'payload']).where('ticket_id', '=', id).where('kind', '=', 'ticket.deleted').execute();
  t.equal(gone.length, 1, 'one ticket.deleted event, by Deskbell');
  t.equal(gone[0]!.actor_id, null);
  t.notMatch(await admin.page('/admin/bin'), `#${id}</span>`);

  // A shorter retention, set on the settings page.
  const other = await makeTicket(db, { requesterId: (await makeUser(db, 'customer')).id, subject: 'Short stay' });
  await admin.get(`/agent/tickets/${other}/delete`);
  await admin.post(`/agent/tickets/${other}/delete`);
  await db.insertInto('settings').values({ key: 'tickets.bin_days', value: '2' }).execute();
  const otherAt = Date.parse((await db.selectFrom('tickets').select('binned_at').where('id', '=', other).executeTakeFirstOrThrow()).binned_at!);
  t.match(await admin.page('/admin/bin'), 'for 2 days');
  t.equal(await runBinPurge(db, config.uploadsDir, otherAt + DAY), 0);
  t.equal(await runBinPurge(db, config.uploadsDir, otherAt + 2 * DAY + 1000), 1, 'gone after 2 days');

  await enqueueJob(db, BIN_PURGE_JOB, {});
  await app.worker.drain();
  const jobs = await db.selectFrom('jobs').select('state').where('kind', '=', BIN_PURGE_JOB).orderBy('id').execute();
  t.same(jobs.map((j) => j.state), ['done', 'queued'], 'the job runs and books its next run');
});

t.test('an admin deletes a binned ticket for good at once', async (t) => {
  const { db, id, admin, remove } = await setup(t);
  await remove();
  await admin.page('/admin/bin');
  const purged = await admin.post(`/admin/bin/${id}/purge`);
  t.equal(purged.statusCode, 303);
  t.notOk(await db.selectFrom('tickets').select('id').where('id', '=', id).executeTakeFirst());
  t.ok(await db.selectFrom('audit_log').select('id').where('action', '=', 'ticket.purged').where('subject_id', '=', id).executeTakeFirst(), 'audited');
});

t.test('spam goes to the bin too, and can come back', async (t) => {
  const { db, id, agent, admin, binned, agentRow } = await setup(t);
  await agent.get(`/agent/tickets/${id}/spam`);
  t.equal((await agent.post(`/agent/tickets/${id}/spam`)).statusCode, 303);
  t.match(await binned(), { binned_reason: 'spam', binned_by_id: agentRow.id });
  t.notOk(ticketIdsIn(await agent.page('/agent/tickets?view=all')).includes(id));
  t.match(await admin.page('/admin/bin'), 'Spam');
  t.equal((await admin.post(`/admin/bin/${id}/restore`)).statusCode, 303);
  t.equal((await binned())!.binned_at, null);
  void db;
});
