// Browser test (issue 24): set up two-factor sign-in on the account page and sign in with a code,
// with JavaScript on and off. The real server (dist/src/server.js) driven by Chromium.
import t from 'tap';
import { totpAt } from '../../src/auth/totp.js';
import { launchBrowser } from './browser.js';
import { ADMIN, createFirstAdmin, finish, landsOn, logIn, logOut, mode, openSession, sees } from './steps.js';

const browser = await launchBrowser(t);

if (browser) {
  for (const js of [true, false]) {
    t.test(`set up two-factor sign-in, then sign in with a code from the app (${mode(js)})`, async (t) => {
      const session = await openSession(t, browser, js);
      const { page, desk } = session;
      await createFirstAdmin(t, session);

      await page.goto(`${desk.baseUrl}/account`);
      await page.getByRole('link', { name: 'Set up or change two-factor sign-in' }).click();
      await landsOn(t, page, '/account/two-factor');
      await page.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
      await sees(t, page, 'Link for the app', 'the key and the app link are shown');
      const secret = (await page.locator('#two-factor-secret').innerText()).replace(/\s/g, '');
      t.match(secret, /^[A-Z2-7]{32}$/, 'the key as text');
      await page.getByLabel('Code from the app').fill(totpAt(secret, Date.now()));
      await page.getByRole('button', { name: 'Confirm and switch on' }).click();
      await sees(t, page, 'Your recovery codes');
      t.equal(await page.locator('.recovery-codes li').count(), 10, 'ten recovery codes');
      await page.getByRole('link', { name: 'I have saved them, continue' }).click();
      await sees(t, page, 'Two-factor sign-in is on.');

      await logOut(t, page);
      await logIn(page, desk, ADMIN.email, ADMIN.password);
      await landsOn(t, page, '/login/two-factor');
      await sees(t, page, 'Enter your code');
      await page.locator('#f-code').fill(totpAt(secret, Date.now() + 30_000));
      await page.getByLabel('Remember this browser for 30 days').check();
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await landsOn(t, page, '/agent');
      await sees(t, page, `Signed in as ${ADMIN.name}`);

      // Remembered: the next sign-in in this browser skips the code.
      await logOut(t, page);
      await logIn(page, desk, ADMIN.email, ADMIN.password);
      await landsOn(t, page, '/agent');
      await sees(t, page, `Signed in as ${ADMIN.name}`, 'the remembered browser signs in with the password alone');

      await finish(t, session);
    });
  }
}
