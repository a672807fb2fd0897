// Browser tests (issue 24): passkeys with Chromium's virtual authenticator (the DevTools protocol's
// WebAuthn domain over a CDP session): register one on the account page, sign in with it instead of
// a password, and use it as the second step; and single sign-on through a REAL OpenID provider
// (oidc-provider on loopback), set up on the admin page, with JavaScript on and off.
import t from 'tap';
import { startOpenIdProvider } from '../sso/provider.js';
import { launchBrowser } from './browser.js';
import { ADMIN, createFirstAdmin, finish, landsOn, logIn, logOut, mode, openSession, sees } from './steps.js';

const browser = await launchBrowser(t);

if (browser) {
  t.test('passkeys: register one, sign in with it, and use it as the second step (JS on)', async (t) => {
    const session = await openSession(t, browser, true, { host: 'localhost' });
    const { page, desk, context } = session;
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });
    await createFirstAdmin(t, session);

    await page.goto(`${desk.baseUrl}/account`);
    await page.getByRole('link', { name: 'Manage passkeys' }).click();
    await landsOn(t, page, '/account/passkeys');
    await sees(t, page, 'You have no passkeys yet.');
    // Reached by a boosted link, the page's scripts run once they have loaded (not before the page shows).
    await page.getByText('Passkeys need JavaScript').waitFor({ state: 'hidden', timeout: 5000 }).catch(() => {});
    t.equal(await page.getByText('Passkeys need JavaScript').isVisible(), false, 'with JS the "needs JavaScript" note is hidden');
    await page.getByLabel('Name', { exact: true }).fill('Test laptop');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await sees(t, page, 'The passkey was added.');
    await sees(t, page, 'Test laptop');
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    t.equal(credentials.length, 1, 'the authenticator holds one credential');
    t.equal(credentials[0]!.isResidentCredential, true, 'a discoverable one (signs in without an address)');

    await logOut(t, page);
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await landsOn(t, page, '/agent');
    await sees(t, page, `Signed in as ${ADMIN.name}`, 'signed in with the passkey, no password');

    await logOut(t, page);
    await logIn(page, desk, ADMIN.email, ADMIN.password);
    await landsOn(t, page, '/login/two-factor');
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await landsOn(t, page, '/agent');
    await sees(t, page, `Signed in as ${ADMIN.name}`, 'the passkey as the second step after the password');

    await page.goto(`${desk.baseUrl}/account/passkeys`);
    t.equal(await page.getByText('Not yet').count(), 0, '"last used" is filled in');
    await page.getByRole('button', { name: 'Remove passkey Test laptop' }).click();
    await sees(t, page, 'The passkey was removed.');
    await finish(t, session);
  });

  for (const js of [true, false]) {
    t.test(`single sign-on through a real OpenID provider, set up on the admin page (${mode(js)})`, async (t) => {
      const session = await openSession(t, browser, js);
      const { page, desk } = session;
      const provider = await startOpenIdProvider(t, [`${desk.baseUrl}/login/sso/1/callback`]);
      await createFirstAdmin(t, session);

      await page.goto(`${desk.baseUrl}/admin/sso`);
      await sees(t, page, 'No provider is set up.');
      await page.getByRole('link', { name: 'New provider' }).click();
      await landsOn(t, page, '/admin/sso/new');
      await page.getByLabel('Name on the button').fill('Company');
      await page.getByLabel('Issuer URL').fill(provider.issuer);
      await page.getByLabel('Client ID').fill(provider.clientId);
      await page.getByLabel('Client secret').fill(provider.clientSecret);
      await page.getByRole('button', { name: 'Add provider' }).click();
      await sees(t, page, 'The provider was added.');
      await sees(t, page, `${desk.baseUrl}/login/sso/1/callback`, 'the redirect URI to register is shown');

      if (!js) {
        await page.goto(`${desk.baseUrl}/account/passkeys`);
        await sees(t, page, 'Passkeys need JavaScript and a browser that supports them.', 'without JS the page says passkeys need it');
        t.equal(await page.getByRole('button', { name: 'Add a passkey' }).isVisible(), false, 'and shows no passkey button');
      }

      provider.accounts.set('sub-ada', { email: ADMIN.email, email_verified: true, name: ADMIN.name });
      provider.signInAs('sub-ada');
      await logOut(t, page);
      await page.getByRole('link', { name: 'Sign in with Company' }).click();
      await landsOn(t, page, '/agent');
      await sees(t, page, `Signed in as ${ADMIN.name}`, 'signed in through the provider');
      await finish(t, session);
    });
  }
}
