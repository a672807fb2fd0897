// A chat mark only moves forward, and a mark that does not move writes nothing: opening a ticket page
// again must not count as a change of the database (it would empty every change cache).
import t from 'tap';
import { chatMark, markChatMailed, markChatRead } from '../../src/chat/queries.js';
import { buildTestDesk } from '../helpers/app.js';
import { makeTicket, makeUser } from '../helpers/factories.js';

t.test('marks move forward only, and an unchanged mark changes no row', async (t) => {
  const { db } = await buildTestDesk(t);
  const customer = await makeUser(db, 'customer');
  const agent = await makeUser(db, 'agent');
  const ticket = { id: await makeTicket(db, { requesterId: customer.id }) };
  t.equal(await markChatRead(db, ticket.id, agent.id, 5), true, 'the first mark is stored');
  t.same(await chatMark(db, ticket.id, agent.id), { read_through_id: 5, mailed_through_id: 0 });
  t.equal(await markChatRead(db, ticket.id, agent.id, 5), false, 'the same mark again: no row changed');
  t.equal(await markChatRead(db, ticket.id, agent.id, 3), false, 'an older mark: no row changed');
  t.same(await chatMark(db, ticket.id, agent.id), { read_through_id: 5, mailed_through_id: 0 });
  t.equal(await markChatMailed(db, ticket.id, agent.id, 4), true);
  t.equal(await markChatMailed(db, ticket.id, agent.id, 2), false);
  t.equal(await markChatRead(db, ticket.id, agent.id, 9), true);
  t.same(await chatMark(db, ticket.id, agent.id), { read_through_id: 9, mailed_through_id: 4 }, 'each mark moves on its own');
});
