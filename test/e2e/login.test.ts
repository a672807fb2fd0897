// Browser tests: the real server (dist/src/server.js) driven by Chromium, with JavaScript on AND off.
// Each test starts its own server on a fresh data directory.
import t from 'tap';
import { launchBrowser, runCli, screenshot } from './browser.js';
import {
  ADMIN, CUSTOMER, checkHtmx, createFirstAdmin, createTicket, finish, landsOn, logIn, logOut, mode, openSession, sees,
} from './steps.js';

const browser = await launchBrowser(t);

if (browser) {
  for (const js of [true, false]) {
    const suffix = js ? 'js' : 'nojs';

    t.test(`setup link: first admin, then the link is spent (${mode(js)})`, async (t) => {
      const session = await openSession(t, browser, js);
      const { page } = session;

      await createFirstAdmin(t, session);
      await checkHtmx(t, session);
      await sees(t, page, 'Welcome! You are the desk\'s admin.', 'the welcome notice is shown once');

      // The same link a second time: the desk has an admin now, so the link leads away with a notice.
      const again = await page.goto(session.desk.setupLink);
      t.equal(again?.status(), 200, 'the used setup link leads to a page that answers 200');
      t.notMatch(page.url(), /\/setup/, 'away from the setup page');
      await sees(t, page, 'This desk already has an admin, so the setup link no longer works.');
      t.equal(await page.getByLabel('Your name').count(), 0, 'no setup form any more');

      await finish(t, session);
    });

    t.test(`log out, wrong password, log in again (${mode(js)})`, async (t) => {
      const session = await openSession(t, browser, js);
      const { page, problems, desk } = session;
      await createFirstAdmin(t, session);

      await logOut(t, page);
      await sees(t, page, /logged out/i, 'the logout notice is shown');
      await checkHtmx(t, session);
      await screenshot(page, `login-${suffix}`);

      // Wrong password: the form comes back with the message, the email kept, the password not.
      problems.expectStatus(422);
      await logIn(page, desk, ADMIN.email, 'not the password');
      await sees(t, page, 'Wrong email or password.');
      t.equal(await page.getByLabel('Email').inputValue(), ADMIN.email, 'the typed email is kept');
      t.equal(await page.getByLabel('Password').inputValue(), '', 'the password is not sent back');
      t.equal(new URL(page.url()).pathname, '/login', 'still on /login');
      problems.clearExpected();

      // With JS on, htmx (hx-boost) sends the form; without, the browser posts it itself.
      const post = page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/login');
      await logIn(page, desk, ADMIN.email, ADMIN.password);
      t.equal((await post).headers()['hx-request'], js ? 'true' : undefined, js ? 'htmx sent the login form' : 'a plain form post');
      await landsOn(t, page, '/agent');
      await sees(t, page, `Signed in as ${ADMIN.name}`);
      await checkHtmx(t, session);

      // A session really exists: a reload (a plain GET) still shows the agent area.
      await page.reload();
      await sees(t, page, `Signed in as ${ADMIN.name}`, 'still signed in after a reload');

      await finish(t, session);
    });

    t.test(`an agent creates a ticket, sees it on its page and in the list (${mode(js)})`, async (t) => {
      const session = await openSession(t, browser, js);
      const { page, desk } = session;
      await createFirstAdmin(t, session);

      const subject = `Printer on fire (${mode(js)})`;
      const path = await createTicket(t, session, {
        requesterEmail: 'pat@example.test',
        subject,
        message: 'The printer in room 4 is smoking.\nPlease send help.',
      });
      await sees(t, page, 'pat@example.test', 'the details page names the requester');
      await checkHtmx(t, session);
      await screenshot(page, `ticket-details-${suffix}`);

      await page.goto(`${desk.baseUrl}/agent/tickets?view=all`);
      const link = page.getByRole('link', { name: subject });
      await sees(t, page, subject, 'the list shows the ticket');
      t.equal(await link.getAttribute('href'), path, 'the list links to the ticket');
      await screenshot(page, `agent-tickets-${suffix}`);

      // Following the link from the list opens the same details page.
      await link.click();
      await landsOn(t, page, path);
      await sees(t, page, 'The printer in room 4 is smoking.');
      await checkHtmx(t, session);

      await finish(t, session);
    });

    t.test(`a customer added with the CLI logs in and sees their ticket in the portal (${mode(js)})`, async (t) => {
      const session = await openSession(t, browser, js);
      const { page, desk } = session;
      await createFirstAdmin(t, session);

      const added = await runCli(desk, [
        'user', 'add', '--email', CUSTOMER.email, '--name', CUSTOMER.name, '--role', 'customer', '--password', CUSTOMER.password,
      ]);
      t.equal(added.code, 0, 'deskbell user add succeeds while the server runs', { output: added.out });

      const subject = `Invoice question (${mode(js)})`;
      await createTicket(t, session, { requesterEmail: CUSTOMER.email, subject, message: 'Why was I billed twice?' });
      await sees(t, page, CUSTOMER.name, 'the ticket belongs to the existing customer');
      await logOut(t, page);

      await logIn(page, desk, CUSTOMER.email, CUSTOMER.password);
      await landsOn(t, page, '/portal');
      await sees(t, page, `Signed in as ${CUSTOMER.name}`);
      await sees(t, page, subject, 'the portal lists the ticket');
      t.equal(await page.locator('a[href^="/agent"]').count(), 0, 'no links into the agent area for a customer');
      await checkHtmx(t, session);

      await page.getByRole('link', { name: subject }).click();
      await landsOn(t, page, /^\/portal\/tickets\/\d+$/);
      await sees(t, page, 'Why was I billed twice?', 'the customer reads the message');

      await finish(t, session);
    });
  }
}
