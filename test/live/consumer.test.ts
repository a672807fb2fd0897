// The live hub is fed by a consumer of the event stream (src/live/consumer.ts): whatever channel
// wrote a public message, staff with the ticket open hear of it once it is committed; a process
// that starts replays nothing to nobody.
import t from 'tap';
import { runConsumer } from '../../src/events/runner.js';
import type { Consumer } from '../../src/events/consumer.js';
import { liveDesk, openStream } from '../chat/helpers.js';

t.test('a customer\'s portal reply reaches the open agent page as a stale-form notice; an internal note does not', async (t) => {
  const { staff, portal, id, base } = await liveDesk(t);
  await staff.get(`/agent/tickets/${id}`);
  const kim = await openStream(t, base, `/agent/tickets/${id}/live`, staff);
  t.equal(kim.status, 200);

  const note = await staff.post(`/agent/tickets/${id}/messages`, { kind: 'note', body: 'Internal thought' });
  t.equal(note.statusCode, 303);
  await portal.get(`/portal/tickets/${id}`);
  const reply = await portal.post(`/portal/tickets/${id}/replies`, { body: 'It works again' });
  t.equal(reply.statusCode, 303);
  t.ok(await kim.waitFor(/Cora Customer wrote since you opened this form\./), 'the portal reply is announced to the agent on the page');
  t.notMatch(kim.text(), 'Internal thought', 'no note content on a stream');
});

t.test('an ephemeral consumer starts at the end of the stream and is not written to consumer_positions', async (t) => {
  const { staff, id, db } = await liveDesk(t);
  t.equal((await staff.post(`/agent/tickets/${id}/messages`, { kind: 'note', body: 'Old' })).statusCode, 303);
  const before = await db.selectFrom('events').select('id').execute();
  t.ok(before.length > 0, 'the desk already has events');
  const seen: number[] = [];
  const probe: Consumer = { name: 'probe', ephemeral: true, async handle(_db, event) { seen.push(event.id); } };
  const positions = new Map<string, number>();
  t.equal(await runConsumer(db, probe, { ephemeral: positions }), 0, 'nothing old is replayed');

  t.equal((await staff.post(`/agent/tickets/${id}/messages`, { kind: 'note', body: 'New' })).statusCode, 303);
  t.equal(await runConsumer(db, probe, { ephemeral: positions }), 1, 'the new event is handed over');
  const newest = await db.selectFrom('events').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow();
  t.same(seen, [newest.id]);
  t.equal(await db.selectFrom('consumer_positions').select('consumer').where('consumer', '=', 'probe').executeTakeFirst(), undefined,
    'its position lives in memory only');
});
