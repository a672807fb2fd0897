import t from 'tap';
import { putSetting } from '../../src/settings/settings.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';
import { SoftAuthenticator } from './authenticator.js';

// Issue 24, point 2: passkeys registered from the account page, used instead of a password and as
// the second step after one. A software authenticator (real keys, CBOR and signatures) stands in
// for the browser's; test/e2e/passkeys.test.ts does the same in Chromium.

function alert(html: string): string | undefined {
  return /role="alert">([^<]*)</.exec(html)?.[1];
}

async function options(client: Client, url: string) {
  const response = await client.post(url);
  if (response.statusCode !== 200) throw new Error(`${url}: ${response.statusCode} ${response.body.slice(0, 200)}`);
  return JSON.parse(response.body) as { challenge: string; rp: { id: string }; user: { id: string }; rpId?: string; allowCredentials?: { id: string }[] };
}

t.test('register a passkey, sign in with it instead of a password, and as the second step; replays and strangers refused', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const cora = await makeUser(db, 'customer', { name: 'Cora' });
  const key = new SoftAuthenticator(app.mail.baseUrl);

  const client = new Client(app);
  await client.login(cora.email, PASSWORD);
  const empty = await client.page('/account/passkeys');
  t.match(empty, 'You have no passkeys yet.');
  t.match(empty, 'data-passkey="register"', 'the form for the browser is there');
  t.match(await client.page('/account'), 'href="/account/passkeys"', 'My Page links to the passkeys');

  const made = await options(client, '/account/passkeys/options');
  t.equal(made.rp.id, new URL(app.mail.baseUrl).hostname, 'the relying party is the desk\'s host');
  const answer = key.create(made);
  const added = await client.post('/account/passkeys', { name: 'Work laptop', credential: JSON.stringify(answer) });
  t.equal(added.statusCode, 303);
  const list = await client.page('/account/passkeys');
  t.match(list, 'The passkey was added.');
  t.match(list, 'Work laptop');
  t.match(list, 'Not yet', 'never used yet');
  const audit = await db.selectFrom('audit_log').select(['actor_id', 'action']).where('action', '=', 'user.passkeyAdded').execute();
  t.same(audit, [{ actor_id: cora.id, action: 'user.passkeyAdded' }], 'audited');

  const again = await client.post('/account/passkeys', { name: 'Again', credential: JSON.stringify(answer) });
  t.equal(again.statusCode, 422, 'the same answer twice: its challenge is used up');
  t.equal(alert(again.body), 'The passkey could not be checked. Please try again.');
  t.equal((await client.post('/account/passkeys', { name: 'Junk', credential: '{"id":1}' })).statusCode, 422, 'junk is refused');
  const wrongOrigin = key.create(await options(client, '/account/passkeys/options'), { origin: 'https://evil.example' });
  t.equal((await client.post('/account/passkeys', { name: 'Phished', credential: JSON.stringify(wrongOrigin) })).statusCode, 422, 'another site\'s answer is refused');
  t.equal((await db.selectFrom('passkeys').select('id').where('user_id', '=', cora.id).execute()).length, 1, 'one passkey stored');

  // Sign in without a password.
  const browser = new Client(app);
  await browser.get('/login');
  const login = await options(browser, '/login/passkey/options');
  t.same(login.allowCredentials ?? [], [], 'the browser offers whichever passkey it has for the desk');
  const assertion = key.get(login);
  const signedIn = await browser.post('/login/passkey', { credential: JSON.stringify(assertion) });
  t.equal(signedIn.statusCode, 303);
  t.equal(signedIn.headers.location, '/portal', 'Cora lands in the portal');
  t.match(await browser.page('/portal'), 'Signed in as Cora');
  const replay = await new Client(app).post('/login/passkey', { credential: JSON.stringify(assertion) });
  t.equal(replay.statusCode, 403, 'a replay without the page\'s token is refused');
  const other = new Client(app);
  await other.get('/login');
  const replayed = await other.post('/login/passkey', { credential: JSON.stringify(assertion) });
  t.equal(replayed.statusCode, 422, 'the same signed answer again: refused');
  t.match(replayed.body, 'The passkey could not be checked.');
  t.notOk(other.cookies.has('deskbell_session'), 'and no session');
  const unverified = new Client(app);
  await unverified.get('/login');
  const noPin = key.get(await options(unverified, '/login/passkey/options'), { userVerified: false });
  t.equal((await unverified.post('/login/passkey', { credential: JSON.stringify(noPin) })).statusCode, 422,
    'without the device\'s PIN or biometrics a passkey is one factor: no sign-in without a password');
  const used = await db.selectFrom('passkeys').select(['counter', 'last_used_at']).where('user_id', '=', cora.id).executeTakeFirstOrThrow();
  t.ok(used.counter >= 1 && used.last_used_at, 'the counter and "last used" moved on');

  // A passkey is a second factor: the password alone no longer signs in.
  const second = new Client(app);
  await second.get('/login');
  const afterPassword = await second.post('/login', { email: cora.email, password: PASSWORD });
  t.equal(afterPassword.headers.location, '/login/two-factor');
  const step = await second.page('/login/two-factor');
  t.match(step, 'Use a passkey');
  t.notMatch(step, 'id="two-factor-form"', 'no code form: Cora has no authenticator app');
  const stepOptions = await options(second, '/login/two-factor/passkey/options');
  t.equal(stepOptions.allowCredentials?.length, 1, 'only Cora\'s passkey is asked for');
  const done = await second.post('/login/two-factor/passkey', { credential: JSON.stringify(key.get(stepOptions)), remember: '1' });
  t.equal(done.statusCode, 303);
  t.equal(done.headers.location, '/portal');
  t.ok(second.cookies.has('deskbell_device'), 'this browser is remembered');

  // Someone else's passkey does not pass Cora's second step.
  const dan = await makeUser(db, 'customer', { name: 'Dan' });
  const dansKey = new SoftAuthenticator(app.mail.baseUrl);
  const danClient = new Client(app);
  await danClient.login(dan.email, PASSWORD);
  await danClient.post('/account/passkeys', { name: 'Dan\'s', credential: JSON.stringify(dansKey.create(await options(danClient, '/account/passkeys/options'))) });
  const thief = new Client(app);
  await thief.get('/login');
  await thief.post('/login', { email: cora.email, password: PASSWORD });
  await thief.get('/login/two-factor');
  const wrongKey = await thief.post('/login/two-factor/passkey', { credential: JSON.stringify(dansKey.get(await options(thief, '/login/two-factor/passkey/options'))) });
  t.equal(wrongKey.statusCode, 422, 'Dan\'s passkey is not Cora\'s second factor');
  t.notOk(thief.cookies.has('deskbell_session'));

  // Removing: only one's own.
  const danKeyId = (await db.selectFrom('passkeys').select('id').where('user_id', '=', dan.id).executeTakeFirstOrThrow()).id;
  t.equal((await client.post(`/account/passkeys/${danKeyId}/delete`)).statusCode, 404, 'Cora cannot remove Dan\'s passkey');
  const coraKeyId = (await db.selectFrom('passkeys').select('id').where('user_id', '=', cora.id).executeTakeFirstOrThrow()).id;
  t.equal((await client.post(`/account/passkeys/${coraKeyId}/delete`)).statusCode, 303);
  t.match(await client.page('/account/passkeys'), 'The passkey was removed.');
  t.equal((await db.selectFrom('audit_log').select('id').where('action', '=', 'user.passkeyRemoved').execute()).length, 1, 'audited');
  const plain = new Client(app);
  await plain.get('/login');
  t.equal((await plain.post('/login', { email: cora.email, password: PASSWORD })).headers.location, '/portal', 'without a passkey the password signs in alone again');
});

t.test('staff required to use two-factor: a passkey counts, and the last one stays; an admin\'s reset takes passkeys too', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const admin = await makeUser(db, 'admin');
  const agent = await makeUser(db, 'agent');
  const key = new SoftAuthenticator(app.mail.baseUrl);
  // The agent registers a passkey (a session from before the requirement).
  const client = new Client(app);
  await client.login(agent.email, PASSWORD);
  const ada = new Client(app);
  await ada.login(admin.email, PASSWORD);
  await putSetting(db, 'security.require_2fa', '1');
  t.equal((await client.post('/account/passkeys', { name: 'Phone', credential: JSON.stringify(key.create(await options(client, '/account/passkeys/options'))) })).statusCode, 303);

  const next = new Client(app);
  await next.get('/login');
  t.equal((await next.post('/login', { email: agent.email, password: PASSWORD })).headers.location, '/login/two-factor', 'asked for the passkey, not sent to set up the app');
  const id = (await db.selectFrom('passkeys').select('id').where('user_id', '=', agent.id).executeTakeFirstOrThrow()).id;
  const kept = await client.post(`/account/passkeys/${id}/delete`);
  t.equal(kept.statusCode, 303);
  t.match(await client.page('/account/passkeys'), 'Two-factor sign-in is required for staff');
  t.equal((await db.selectFrom('passkeys').select('id').where('user_id', '=', agent.id).execute()).length, 1, 'the last passkey stays');

  await ada.get(`/admin/users/${agent.id}`);
  t.equal((await ada.post(`/admin/users/${agent.id}/two-factor/reset`)).statusCode, 303);
  t.match(await ada.page(`/admin/users/${agent.id}`), 'Two-factor sign-in is reset');
  t.equal((await db.selectFrom('passkeys').select('id').where('user_id', '=', agent.id).execute()).length, 0, 'the reset took the passkey');
  t.equal((await db.selectFrom('audit_log').select('id').where('action', '=', 'user.twoFactorReset').where('subject_id', '=', agent.id).execute()).length, 1, 'audited');
});
