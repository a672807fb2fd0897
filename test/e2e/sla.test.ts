// Browser test of issue 21's SLA policies, with JavaScript off and on: the admin builds a policy in
// the admin pages (a refused try first, its values kept), a customer submits a ticket, and the
// agent's details page shows the policy and the first reply's state once the clocks have run.
import t from 'tap';
import { launchBrowser } from './browser.js';
import { buildPolicy, customerSubmits, reloadUntil } from './rules-steps.js';
import { checkHtmx, createFirstAdmin, finish, mode, openSession, sees } from './steps.js';

const browser = await launchBrowser(t);

if (browser) {
  for (const js of [false, true]) {
    t.test(`admin builds an SLA policy; a customer's new ticket shows it (${mode(js)})`, async (t) => {
      const session = await openSession(t, browser, js);
      await createFirstAdmin(t, session);
      await checkHtmx(t, session);
      await buildPolicy(t, session, { name: 'Everyone', firstReplyMinutes: 120 });
      const id = await customerSubmits(t, browser, session, `Printer on fire (${mode(js)})`, 'Smoke everywhere.');

      // The clocks are the worker's: reload the details page until its SLA block is there.
      const { page, desk } = session;
      t.ok(await reloadUntil(page, `${desk.baseUrl}/agent/tickets/${id}`, async (p) => await p.locator('#ticket-sla').count() > 0), 'the ticket page shows an SLA block');
      await sees(t, page, 'Policy: Everyone');
      t.match(await page.locator('[data-sla-target="first_reply"]').innerText(), /On time · due/, 'the first reply is on time, with its due time');
      await finish(t, session);
    });
  }
}
