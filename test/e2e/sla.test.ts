// Browser test of issue 21's SLA policies, with JavaScript off and on: the admin builds a policy in
// the admin pages (a refused try first, its values kept), a customer submits a ticket, and the
// agent's details page shows the policy and the first reply's state once the clocks have run.
import t from 'tap';
import type { Test } from 'tap';
import { launchBrowser } from './browser.js';
import { checkHtmx, createFirstAdmin, finish, landsOn, mode, openSession, sees } from './steps.js';
import { errorOf, openCustomer } from './admin-steps.js';
import { label } from './portal-steps.js';

const browser = await launchBrowser(t);

async function buildPolicy(t: Test, session: Awaited<ReturnType<typeof openSession>>) {
  const { page, desk, problems } = session;
  await page.goto(`${desk.baseUrl}/admin/sla`);
  await sees(t, page, 'No SLA policy yet');
  await page.getByRole('link', { name: 'New SLA policy', exact: true }).click();
  await landsOn(t, page, '/admin/sla/policies/new');
  const form = page.locator('main form');
  await form.getByLabel(label('Name')).fill('Everyone');
  problems.expectStatus(422);
  await form.getByRole('button', { name: 'Save', exact: true }).click();
  await sees(t, page, 'Set at least one target.', 'a policy without a target is refused');
  t.equal(await errorOf(form.getByLabel('First reply (minutes)', { exact: true })), 'Set at least one target.', 'the error is shown at the first reply');
  t.equal(await form.getByLabel(label('Name')).inputValue(), 'Everyone', 'the name is kept');
  problems.clearExpected();
  await form.getByLabel('First reply (minutes)', { exact: true }).fill('120');
  // Round the clock, so the state does not depend on when the test runs.
  await form.getByLabel('Count in business hours (else round the clock)').first().uncheck();
  await form.getByRole('button', { name: 'Save', exact: true }).click();
  await landsOn(t, page, '/admin/sla');
  await sees(t, page, '120 min (round the clock)', 'the list shows the policy\'s first reply target');
}

if (browser) {
  for (const js of [false, true]) {
    t.test(`admin builds an SLA policy; a customer's new ticket shows it (${mode(js)})`, async (t) => {
      const session = await openSession(t, browser, js);
      await createFirstAdmin(t, session);
      await checkHtmx(t, session);
      await buildPolicy(t, session);

      const customer = await openCustomer(t, browser, session);
      await customer.page.goto(`${session.desk.baseUrl}/portal/tickets/new`);
      const form = customer.page.locator('#submit-form');
      await form.getByLabel(label('Subject')).fill(`Printer on fire (${mode(js)})`);
      await form.getByLabel(label('Message')).fill('Smoke everywhere.');
      await form.getByRole('button', { name: 'Submit ticket' }).click();
      await landsOn(t, customer.page, /^\/portal\/tickets\/\d+\/submitted$/);
      const id = Number(new URL(customer.page.url()).pathname.split('/')[3]);
      await customer.context.close();

      // The clocks are the worker's: reload the details page until its SLA block is there.
      const { page, desk } = session;
      let shown = false;
      for (let i = 0; i < 20 && !shown; i++) {
        await page.goto(`${desk.baseUrl}/agent/tickets/${id}`);
        shown = await page.locator('#ticket-sla').count() > 0;
        if (!shown) await page.waitForTimeout(500);
      }
      t.ok(shown, 'the ticket page shows an SLA block');
      await sees(t, page, 'Policy: Everyone');
      t.match(await page.locator('[data-sla-target="first_reply"]').innerText(), /On time · due/, 'the first reply is on time, with its due time');
      await finish(t, session);
    });
  }
}
