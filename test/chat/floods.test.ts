// Floods: one session may hold only so many live streams, and one person may send only so many
// chat lines a minute. Past either limit the answer is a clear 429, never a crash or a silent drop.
import t from 'tap';
import { CHAT_LINES_PER_MINUTE } from '../../src/chat/chat.js';
import { MAX_STREAMS_PER_SESSION } from '../../src/live/streams.js';
import { Client } from '../helpers/client.js';
import { PASSWORD } from '../helpers/factories.js';
import { liveDesk, openStream } from './helpers.js';

t.test(`a session holds at most ${MAX_STREAMS_PER_SESSION} live streams; one more gets a 429 saying why`, async (t) => {
  const { portal, base, id, cora, app } = await liveDesk(t);
  const open = [];
  for (let n = 0; n < MAX_STREAMS_PER_SESSION; n++) open.push(await openStream(t, base, `/portal/tickets/${id}/live`, portal));
  t.same(open.map((s) => s.status), open.map(() => 200), `${MAX_STREAMS_PER_SESSION} streams open`);

  const refused = await openStream(t, base, `/portal/tickets/${id}/live`, portal);
  t.equal(refused.status, 429, 'one more is refused');
  t.ok(await refused.ended(), 'with a plain page, not a stream');
  t.match(refused.contentType, /^text\/html/);
  t.match(refused.text(), 'Too many pages of this desk are open with live updates in this browser.');

  const phone = new Client(app);
  await phone.login(cora.email, PASSWORD);
  t.equal((await openStream(t, base, `/portal/tickets/${id}/live`, phone)).status, 200, 'the share is per session: another browser still opens one');

  open[0]!.close();
  let again = 0;
  for (let tries = 0; tries < 50 && again !== 200; tries++) {
    await new Promise((r) => setTimeout(r, 20));
    const next = await openStream(t, base, `/portal/tickets/${id}/live`, portal);
    again = next.status;
    if (again !== 200) await next.ended();
  }
  t.equal(again, 200, 'a closed tab frees its place');
});

t.test(`one person sends at most ${CHAT_LINES_PER_MINUTE.max} chat lines a minute; the next re-shows the form with the text kept`, async (t) => {
  const { portal, staff, id, db } = await liveDesk(t);
  await portal.get(`/portal/tickets/${id}`);
  for (let n = 1; n <= CHAT_LINES_PER_MINUTE.max; n++) {
    const res = await portal.post(`/portal/tickets/${id}/chat`, { body: `Line ${n}` });
    if (res.statusCode !== 303) t.fail(`line ${n}: ${res.statusCode}`);
  }
  const refused = await portal.post(`/portal/tickets/${id}/chat`, { body: 'One line <too> many' });
  t.equal(refused.statusCode, 429);
  const wait = Number(refused.headers['retry-after']);
  t.ok(wait > 0 && wait <= 60, `Retry-After in seconds (${wait})`);
  t.match(refused.body, 'You are sending messages faster than anyone can read them.');
  t.match(refused.body, /<textarea id="chat-body" name="body"[^>]*>One line &lt;too&gt; many<\/textarea>/, 'the text is kept (escaped)');
  const mine = await db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).where('kind', '=', 'chat').executeTakeFirstOrThrow();
  t.equal(Number(mine.n), CHAT_LINES_PER_MINUTE.max, 'the refused line was not stored');

  await staff.get(`/agent/tickets/${id}`);
  t.equal((await staff.post(`/agent/tickets/${id}/chat`, { body: 'Kim still answers' })).statusCode, 303, 'the limit is per person');
  for (let n = 2; n <= CHAT_LINES_PER_MINUTE.max; n++) await staff.post(`/agent/tickets/${id}/chat`, { body: `Kim ${n}` });
  const staffRefused = await staff.post(`/agent/tickets/${id}/chat`, { body: 'Kim once too often' });
  t.equal(staffRefused.statusCode, 429, 'staff have the same limit');
  t.match(staffRefused.body, /<textarea id="chat-body" name="body"[^>]*>Kim once too often<\/textarea>/);

  // A minute later the allowance is back.
  await db.updateTable('login_attempts').set({ created_at: new Date(Date.now() - 61_000).toISOString() }).where('email', 'like', 'limit:chat:%').execute();
  t.equal((await portal.post(`/portal/tickets/${id}/chat`, { body: 'After a minute' })).statusCode, 303, 'after a minute Cora writes again');
});
