// The reports consumer brings each ticket's row up to date once per run of events: a new ticket and
// the change made to it a moment later (a group set by a rule, a capped mail noted) cost one read of
// the ticket, not one per event.
import t from 'tap';
import { changeTicket, createTicket } from '../../src/kernel/index.js';
import { runConsumer } from '../../src/events/runner.js';
import { reportFacts } from '../../src/reports/consumer.js';
import { buildTestDesk } from '../helpers/app.js';
import { makeUser } from '../helpers/factories.js';
import { ReadCounter } from '../helpers/read-counter.js';
import { actorOf } from './helpers.js';

t.test('a run of events on one ticket reads the ticket once and writes its row as it now stands', async (t) => {
  const { db } = await buildTestDesk(t);
  const [group] = await db.insertInto('groups').values({ name: 'Tier 2', created_at: '2026-03-01T00:00:00.000Z' }).returning('id').execute();
  const agent = await actorOf(db, (await makeUser(db, 'agent', { name: 'Ann Agent' })).id);
  const customer = await actorOf(db, (await makeUser(db, 'customer', { name: 'Cora Customer' })).id);
  // Whatever the desk wrote while it was set up is already counted.
  await runConsumer(db, reportFacts);
  const { ticketId } = await db.transaction().execute((trx) => createTicket(trx, customer, {
    channel: 'portal', subject: 'Printer', typeId: 1, brandId: 1, statusId: 1, priority: 'normal', visibility: 'public',
    requester: { id: customer.id, organizationId: null }, groupId: null, message: { kind: 'reply', bodyText: 'It jams.' },
  }));
  await db.transaction().execute((trx) => changeTicket(trx, agent, ticketId, { set: { group_id: group!.id }, history: [{ kind: 'group', from: null, to: 'Tier 2' }] }));

  const counter = new ReadCounter();
  t.equal(await runConsumer(db.withPlugin(counter), reportFacts, { runMs: 60_000 }), 2, 'both events handled');
  t.equal(counter.of('tickets'), 1, 'the ticket read once for the two');
  const row = await db.selectFrom('report_facts').select(['ticket_id', 'group_id', 'channel']).where('ticket_id', '=', ticketId).executeTakeFirst();
  t.same(row, { ticket_id: ticketId, group_id: group!.id, channel: 'portal' }, 'the row holds the ticket after the change');
});
