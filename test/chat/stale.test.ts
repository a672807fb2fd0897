// The reply form warns when someone else wrote since it was opened, and keeps the text to send anyway.
import t from 'tap';
import { notifyDesk } from '../notify/helpers.js';

const seenIn = (html: string) => /<input type="hidden" name="seenMessageId" value="(\d+)">/.exec(html)?.[1];

t.test('a reply written while the customer answered is shown again with a warning, text kept, to confirm', async (t) => {
  const { staff, portal, id, db } = await notifyDesk(t);
  const opened = await staff.get(`/agent/tickets/${id}`);
  const seen = seenIn(opened.body);
  t.equal(seen, '0', 'the form carries the newest message it was opened with (none yet)');

  await portal.get(`/portal/tickets/${id}`);
  t.equal((await portal.post(`/portal/tickets/${id}/replies`, { body: 'Never mind, it works now!' })).statusCode, 303);

  const text = 'Please send the serial number.';
  const stale = await staff.post(`/agent/tickets/${id}/messages`, { kind: 'reply', body: text, seenMessageId: seen! });
  t.equal(stale.statusCode, 409, 'not sent');
  t.match(stale.body, /role="alert">New messages arrived since you opened this form \(from Cora Customer\)\./, 'the warning names who wrote');
  t.match(stale.body, `>${text}</textarea>`, 'the text is kept');
  t.match(stale.body, 'Never mind, it works now!', 'the new message is on the page to read');
  t.match(stale.body, />Send anyway</, 'the button now says Send anyway');
  const newest = await db.selectFrom('messages').select('id').where('kind', '=', 'reply').orderBy('id', 'desc').executeTakeFirstOrThrow();
  t.equal(seenIn(stale.body), String(newest.id), 'the form now carries the newest message');
  t.equal((await db.selectFrom('messages').select('id').where('author_id', '=', (await db.selectFrom('users').select('id').where('email', '=', 'kim@desk.test').executeTakeFirstOrThrow()).id).execute()).length, 0, 'nothing was stored');

  const confirmed = await staff.post(`/agent/tickets/${id}/messages`, { kind: 'reply', body: text, seenMessageId: seenIn(stale.body)! }, { 'HX-Request': 'true', 'HX-Request-Type': 'full' });
  t.equal(confirmed.statusCode, 303, 'sending again posts it');
  t.ok(await db.selectFrom('messages').select('id').where('body_text', '=', text).executeTakeFirst(), 'stored');
});

t.test('a customer chat line makes an open reply form stale too; one\'s own lines do not', async (t) => {
  const { staff, portal, id } = await notifyDesk(t);
  const seen = seenIn((await staff.get(`/agent/tickets/${id}`)).body)!;
  await staff.post(`/agent/tickets/${id}/chat`, { body: 'Quick question in chat' });
  const own = await staff.post(`/agent/tickets/${id}/messages`, { kind: 'note', body: 'Asked in chat', seenMessageId: seen });
  t.equal(own.statusCode, 303, 'one\'s own chat line does not make the form stale');

  const seen2 = seenIn((await staff.get(`/agent/tickets/${id}`)).body)!;
  await portal.get(`/portal/tickets/${id}`);
  await portal.post(`/portal/tickets/${id}/chat`, { body: 'Answer in chat' });
  const stale = await staff.post(`/agent/tickets/${id}/messages`, { kind: 'reply', body: 'Summary', seenMessageId: seen2 });
  t.equal(stale.statusCode, 409);
  t.match(stale.body, 'from Cora Customer');
  const bad = await staff.post(`/agent/tickets/${id}/messages`, { kind: 'reply', body: 'Summary', seenMessageId: 'abc' });
  t.equal(bad.statusCode, 422, 'a damaged form field is bad input');
});
