import t, { type Test } from 'tap';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';
import { SoftAuthenticator } from './authenticator.js';

// The WebAuthn library and our passkey script load only where a passkey form is: the login page,
// the second step (when the person has a passkey) and the account's passkeys page; an agent's
// everyday pages carry neither.

const LIB = /<script src="\/public\/[^"]*\/vendor\/simplewebauthn-browser\.js"[^>]*><\/script>/;
const OURS = /<script src="\/public\/[^"]*\/js\/passkeys\.js"[^>]*><\/script>/;

function scripts(t: Test, html: string, expected: boolean, where: string) {
  t.equal(LIB.test(html), expected, `${where}: the WebAuthn library ${expected ? 'loads' : 'does not load'}`);
  t.equal(OURS.test(html), expected, `${where}: passkeys.js ${expected ? 'loads' : 'does not load'}`);
}

t.test('the passkey scripts are on the passkey pages only', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const kim = await makeUser(db, 'agent', { name: 'Kim' });

  const visitor = new Client(app);
  const login = await visitor.get('/login');
  t.equal(login.statusCode, 200);
  t.match(login.body, 'id="passkey-login-form"', 'the login page has the passkey form');
  scripts(t, login.body, true, 'the login page');
  t.ok(login.body.indexOf('simplewebauthn-browser') < login.body.indexOf('/js/passkeys.js'), 'the library comes before our script');

  const agent = new Client(app);
  await agent.login(kim.email, PASSWORD);
  for (const url of ['/agent', '/agent/tickets', '/account']) {
    const page = await agent.get(url);
    t.equal(page.statusCode, 200, url);
    scripts(t, page.body, false, url);
  }
  // A boosted navigation gets the whole page too: still nothing.
  const boosted = await agent.get('/agent/tickets', { 'HX-Request': 'true', 'HX-Request-Type': 'full' });
  t.equal(boosted.statusCode, 200);
  scripts(t, boosted.body, false, 'a boosted agent page');

  const passkeys = await agent.get('/account/passkeys');
  t.equal(passkeys.statusCode, 200);
  scripts(t, passkeys.body, true, 'the account\'s passkeys page');
  const boostedPasskeys = await agent.get('/account/passkeys', { 'HX-Request': 'true', 'HX-Request-Type': 'full' });
  scripts(t, boostedPasskeys.body, true, 'the passkeys page reached by a boosted link');

  // The second step: with a passkey it offers one (and loads the scripts); with codes only, not.
  const key = new SoftAuthenticator(app.mail.baseUrl);
  const options = JSON.parse((await agent.post('/account/passkeys/options')).body);
  const added = await agent.post('/account/passkeys', { name: 'Laptop', credential: JSON.stringify(key.create(options)) });
  t.equal(added.statusCode, 303, 'Kim adds a passkey');
  const again = new Client(app);
  await again.get('/login');
  t.equal((await again.post('/login', { email: kim.email, password: PASSWORD })).headers.location, '/login/two-factor');
  const step = await again.get('/login/two-factor');
  t.equal(step.statusCode, 200);
  t.match(step.body, 'id="passkey-step-form"');
  scripts(t, step.body, true, 'the second step with a passkey');
});
