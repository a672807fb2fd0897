// An open live stream lasts no longer than the right to read it: when a session ends, an account is
// disabled, or a person loses access (an organisation left, a group changed, a role changed), their
// already-open streams end and carry no later chat line. Real server, real streams.
import t, { type Test } from 'tap';
import { nowIso } from '../../src/lib/time.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';
import { liveDesk, openStream, type OpenStream } from './helpers.js';

async function desk(t: Test) {
  const live = await liveDesk(t);
  const admin = new Client(live.app);
  await admin.login((await makeUser(live.db, 'admin', { name: 'Ada Admin' })).email, PASSWORD);
  await admin.get('/admin/users');
  const loggedIn = async (email: string) => {
    const client = new Client(live.app);
    await client.login(email, PASSWORD);
    return client;
  };
  /** Kim writes a chat line; it is stored whoever hears it. */
  const say = async (text: string) => t.equal((await live.staff.post(`/agent/tickets/${live.id}/chat`, { body: text })).statusCode, 303, `Kim says "${text}"`);
  return { ...live, admin, loggedIn, say };
}

/** The stream ended at once (before any later event), and a line written afterwards never reached it. */
async function endedAtOnce(t: Test, stream: OpenStream, who: string) {
  t.ok(await stream.ended(), `${who}: the stream ended at once`);
}

/** The line written after the change never reached the stream, and the stream is over. */
async function cutOff(t: Test, stream: OpenStream, line: string, who: string) {
  t.ok(await stream.ended(), `${who}: the stream ended`);
  await new Promise((r) => setTimeout(r, 150));
  t.notMatch(stream.text(), line, `${who}: the later line never arrived`);
}

t.test('log out everywhere ends every stream of the person; logging out one browser ends only its streams', async (t) => {
  const { portal, base, id, cora, loggedIn, say } = await desk(t);
  const laptop = await openStream(t, base, `/portal/tickets/${id}/live`, portal);
  const phone = await loggedIn(cora.email);
  const phoneStream = await openStream(t, base, `/portal/tickets/${id}/live`, phone);
  const tablet = await loggedIn(cora.email);
  const tabletStream = await openStream(t, base, `/portal/tickets/${id}/live`, tablet);
  await say('Before anything');
  t.ok(await tabletStream.waitFor(/Before anything/), 'streams carry lines while the sessions hold');

  await tablet.get('/portal');
  t.equal((await tablet.post('/logout')).statusCode, 303, 'the tablet logs out');
  await endedAtOnce(t, tabletStream, 'tablet');
  await say('After the tablet left');
  await cutOff(t, tabletStream, 'After the tablet left', 'tablet');
  t.ok(await laptop.waitFor(/After the tablet left/), 'the other browsers still hear the line');
  t.ok(await phoneStream.waitFor(/After the tablet left/));

  await portal.get('/account');
  t.equal((await portal.post('/account/sessions/end')).statusCode, 303, 'Cora logs out everywhere from the laptop');
  await endedAtOnce(t, laptop, 'laptop');
  await endedAtOnce(t, phoneStream, 'phone');
  await say('After log out everywhere');
  await cutOff(t, laptop, 'After log out everywhere', 'laptop');
  await cutOff(t, phoneStream, 'After log out everywhere', 'phone');
});

t.test('disabling an account ends its streams', async (t) => {
  const { portal, base, id, cora, admin, say } = await desk(t);
  const stream = await openStream(t, base, `/portal/tickets/${id}/live`, portal);
  t.equal(stream.status, 200);
  t.equal((await admin.post(`/admin/users/${cora.id}/state`, { state: 'disabled' })).statusCode, 303);
  await endedAtOnce(t, stream, 'Cora');
  await say('After disabling');
  await cutOff(t, stream, 'After disabling', 'Cora');
});

t.test('a customer removed from the organisation whose tickets they read hears no more of them', async (t) => {
  const { db, base, id, admin, loggedIn, say } = await desk(t);
  const org = await db.insertInto('organizations').values({ name: 'Acme', members_see_all_tickets: 1, created_at: nowIso() }).returning('id').executeTakeFirstOrThrow();
  await db.updateTable('tickets').set({ organization_id: org.id }).where('id', '=', id).execute();
  const erin = await makeUser(db, 'customer', { name: 'Erin Colleague', organizationId: org.id });
  const browser = await loggedIn(erin.email);
  const stream = await openStream(t, base, `/portal/tickets/${id}/live`, browser);
  t.equal(stream.status, 200, 'Erin reads the ticket through her organisation');
  await say('While in Acme');
  t.ok(await stream.waitFor(/While in Acme/));

  t.equal((await admin.post(`/admin/organizations/${org.id}/members/${erin.id}/remove`)).statusCode, 303);
  await endedAtOnce(t, stream, 'Erin');
  await say('After leaving Acme');
  await cutOff(t, stream, 'After leaving Acme', 'Erin');
  t.equal((await openStream(t, base, `/portal/tickets/${id}/live`, browser)).status, 404, 'and cannot open it again');
});

t.test('an agent taken out of the restricted group that held the ticket hears no more of it', async (t) => {
  const { db, base, id, admin, loggedIn, say } = await desk(t);
  const group = (name: string) => db.insertInto('groups').values({ name, is_restricted: 1, created_at: nowIso() }).returning('id').executeTakeFirstOrThrow();
  const north = await group('North provider');
  const south = await group('South provider');
  await db.updateTable('tickets').set({ group_id: north.id }).where('id', '=', id).execute();
  const zed = await makeUser(db, 'agent', { name: 'Zed Provider' });
  await db.insertInto('group_members').values([{ group_id: north.id, user_id: zed.id }, { group_id: south.id, user_id: zed.id }]).execute();
  const browser = await loggedIn(zed.email);
  const stream = await openStream(t, base, `/agent/tickets/${id}/live`, browser);
  t.equal(stream.status, 200, 'Zed sees the ticket of his restricted group');

  t.equal((await admin.post(`/admin/groups/${north.id}/members/${zed.id}/delete`)).statusCode, 303);
  await endedAtOnce(t, stream, 'Zed');
  await say('After leaving North');
  await cutOff(t, stream, 'After leaving North', 'Zed');
  t.equal((await openStream(t, base, `/agent/tickets/${id}/live`, browser)).status, 404, 'and cannot open it again');
});

t.test('an agent made a customer loses the staff stream', async (t) => {
  const { db, base, id, admin, loggedIn, say } = await desk(t);
  const dana = await makeUser(db, 'agent', { name: 'Dana Agent' });
  const browser = await loggedIn(dana.email);
  const stream = await openStream(t, base, `/agent/tickets/${id}/live`, browser);
  t.equal(stream.status, 200, 'Dana watches the ticket');
  t.equal((await admin.post(`/admin/users/${dana.id}/role`, { role: 'customer' })).statusCode, 303);
  await endedAtOnce(t, stream, 'Dana');
  await say('After the role change');
  await cutOff(t, stream, 'After the role change', 'Dana');
});

t.test('each event is checked against the session and the person as they are now, whatever changed them', async (t) => {
  // Changes that reach the database without the web's routes (the CLI, a password reset, another
  // process): no route ends the streams, so the check before each event must.
  const { db, base, id, dan, loggedIn, say, staff } = await desk(t);
  const danBrowser = await loggedIn(dan.email);
  const danStream = await openStream(t, base, `/portal/tickets/${id}/live`, danBrowser);
  const dana = await makeUser(db, 'agent', { name: 'Dana Agent' });
  const danaBrowser = await loggedIn(dana.email);
  const danaStream = await openStream(t, base, `/agent/tickets/${id}/live`, danaBrowser);
  await say('Line one');
  t.ok(await danStream.waitFor(/Line one/), 'Dan hears the first line');
  t.ok(await danaStream.waitFor(/Line one/), 'so does Dana');

  await db.deleteFrom('ticket_ccs').where('user_id', '=', dan.id).execute();
  await db.deleteFrom('sessions').where('user_id', '=', dana.id).execute();
  await say('Line two');
  await cutOff(t, danStream, 'Line two', 'Dan, no longer CC\'d');
  await cutOff(t, danaStream, 'Line two', 'Dana, whose sessions were deleted');

  // Presence news is checked too: a disabled agent is not told who came.
  const lee = await makeUser(db, 'agent', { name: 'Lee Agent' });
  const leeStream = await openStream(t, base, `/agent/tickets/${id}/live`, await loggedIn(lee.email));
  t.ok(await leeStream.waitFor(/^data: /m), 'Lee\'s stream is live');
  await db.updateTable('users').set({ state: 'disabled' }).where('id', '=', lee.id).execute();
  const kim = await openStream(t, base, `/agent/tickets/${id}/live`, staff);
  t.equal(kim.status, 200, 'Kim opens the ticket');
  t.ok(await leeStream.ended(), 'Lee\'s stream ended on that presence change');
  t.notMatch(leeStream.text(), 'Kim Agent', 'without telling Lee who came');
});
