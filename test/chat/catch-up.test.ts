// A browser whose stream dropped reconnects with Last-Event-ID (the id of the last chat line its
// stream carried): the new stream first sends the chat lines it missed, then goes on live; each
// line once. Customers still get nothing but chat lines.
import t from 'tap';
import { liveDesk, openStream } from './helpers.js';
import { makeMessage } from '../helpers/factories.js';

/** The ids the stream gave, in order. */
const idsIn = (text: string) => [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));

async function chatLineIds(db: import('../../src/db/connect.js').Db, ticketId: number): Promise<number[]> {
  return (await db.selectFrom('messages').select('id').where('ticket_id', '=', ticketId).where('kind', '=', 'chat').orderBy('id').execute()).map((r) => r.id);
}

t.test('an agent reconnecting with Last-Event-ID gets the line written while away, then live lines', async (t) => {
  const { staff, portal, id, base, db, agent } = await liveDesk(t);
  t.equal((await portal.post(`/portal/tickets/${id}/chat`, { body: 'Seen before the drop' })).statusCode, 303);
  await staff.get(`/agent/tickets/${id}`);
  const first = await openStream(t, base, `/agent/tickets/${id}/live`, staff);
  const [seen] = await chatLineIds(db, id);
  t.ok(await first.waitFor(new RegExp(`^id: ${seen}$`, 'm')), 'a fresh stream tells the browser where it stands: the newest line');
  first.close();

  t.equal((await portal.post(`/portal/tickets/${id}/chat`, { body: 'Written while the agent was away' })).statusCode, 303);
  const [, missed] = await chatLineIds(db, id);
  const again = await openStream(t, base, `/agent/tickets/${id}/live`, staff, { 'last-event-id': String(seen) });
  t.equal(again.status, 200);
  t.ok(await again.waitFor(/Written while the agent was away/), 'the missed line comes first');
  t.match(again.text(), new RegExp(`^id: ${missed}\\ndata: <hx-partial hx-target="#chat-log" hx-swap="beforeend">`, 'm'), 'with its id');
  t.match(again.text(), /Cora Customer wrote since you opened this form/, 'and the notice that a reply form may be stale');
  t.notMatch(again.text(), 'Seen before the drop', 'not what the browser already had');
  const readThrough = async () => (await db.selectFrom('chat_marks').select('read_through_id')
    .where('ticket_id', '=', id).where('user_id', '=', agent.id).executeTakeFirst())?.read_through_id;
  // Marked just after the line was sent: wait for it rather than race it.
  for (const end = Date.now() + 5000; Date.now() < end && await readThrough() !== missed;) await new Promise((r) => setTimeout(r, 20));
  t.equal(await readThrough(), missed, 'a line caught up counts as read');

  t.equal((await portal.post(`/portal/tickets/${id}/chat`, { body: 'And now live' })).statusCode, 303);
  t.ok(await again.waitFor(/And now live/), 'then the stream goes on live');
  const [, , live] = await chatLineIds(db, id);
  t.same(idsIn(again.text()), [missed, live], 'every line once, with its id');
});

t.test('a customer catching up gets the missed chat lines only: no notes, no replies', async (t) => {
  const { staff, portal, id, base, db } = await liveDesk(t);
  await portal.get(`/portal/tickets/${id}`);
  const first = await openStream(t, base, `/portal/tickets/${id}/live`, portal);
  t.ok(await first.waitFor(/^id: 0$/m), 'no line yet: the browser stands at 0');
  first.close();

  t.equal((await staff.post(`/agent/tickets/${id}/messages`, { kind: 'note', body: 'Internal: check the warranty' })).statusCode, 303);
  t.equal((await staff.post(`/agent/tickets/${id}/chat`, { body: 'Could you restart the printer?' })).statusCode, 303);
  t.equal((await staff.post(`/agent/tickets/${id}/messages`, { kind: 'reply', body: 'A mailed reply' })).statusCode, 303);
  const again = await openStream(t, base, `/portal/tickets/${id}/live`, portal, { 'Last-Event-ID': '0' });
  t.ok(await again.waitFor(/Could you restart the printer\?/), 'the missed chat line');
  const [line] = await chatLineIds(db, id);
  t.same(idsIn(again.text()), [line]);
  t.notMatch(again.text(), /warranty|A mailed reply|wrote since you opened/, 'nothing else');
});

t.test('a malformed Last-Event-ID is ignored: the stream opens as a fresh one', async (t) => {
  const { staff, id, base, db } = await liveDesk(t);
  t.equal((await staff.post(`/agent/tickets/${id}/chat`, { body: 'The only line' })).statusCode, 303);
  const [line] = await chatLineIds(db, id);
  for (const bad of ['abc', '-1', '1e3', ' ', '99999999999', `${line! - 1}x`]) {
    const stream = await openStream(t, base, `/agent/tickets/${id}/live`, staff, { 'last-event-id': bad });
    t.equal(stream.status, 200, `"${bad}": no error`);
    t.ok(await stream.waitFor(new RegExp(`^id: ${line}$`, 'm')), `"${bad}": told where it stands`);
    t.notMatch(stream.text(), 'The only line', `"${bad}": nothing replayed`);
    stream.close();
  }
  const ahead = await openStream(t, base, `/agent/tickets/${id}/live`, staff, { 'last-event-id': String(line! + 1000) });
  t.ok(await ahead.waitFor(new RegExp(`^id: ${line}$`, 'm')), 'an id beyond the newest line is set back to it');
  t.equal((await staff.post(`/agent/tickets/${id}/chat`, { body: 'A later line' })).statusCode, 303);
  t.ok(await ahead.waitFor(/A later line/), 'and does not hold back the lines to come');
});

t.test('the catch-up is bounded: the newest 200 missed lines', async (t) => {
  const { portal, id, base, db, cora } = await liveDesk(t);
  const before = await makeMessage(db, id, { authorId: cora.id, kind: 'chat', text: 'Before the drop' });
  const written: number[] = [];
  for (let i = 1; i <= 205; i++) written.push(await makeMessage(db, id, { authorId: cora.id, kind: 'chat', text: `Missed line ${i}` }));
  const again = await openStream(t, base, `/portal/tickets/${id}/live`, portal, { 'last-event-id': String(before) });
  t.ok(await again.waitFor(/Missed line 205\b/, 10_000), 'up to the newest');
  t.same(idsIn(again.text()), written.slice(5), 'two hundred lines, the newest, oldest first');
  t.notMatch(again.text(), /Missed line 5\b/, 'not the oldest five');
});
