// Browser test of issue 21's triggers, with JavaScript off and on: the admin builds a trigger in the
// admin pages (a refused try first, its values kept), a customer submits a ticket, and the agent's
// ticket page shows it routed by the trigger once the worker has run, with the run log on History.
import t from 'tap';
import { launchBrowser } from './browser.js';
import { checkHtmx, createFirstAdmin, finish, landsOn, mode, openSession, sees } from './steps.js';
import { openCustomer } from './admin-steps.js';
import { label } from './portal-steps.js';

const browser = await launchBrowser(t);

if (browser) {
  for (const js of [false, true]) {
    t.test(`admin builds a trigger; a customer's new ticket is routed by it (${mode(js)})`, async (t) => {
      const session = await openSession(t, browser, js);
      await createFirstAdmin(t, session);
      await checkHtmx(t, session);
      const { page, desk, problems } = session;
      await page.goto(`${desk.baseUrl}/admin/triggers`);
      await sees(t, page, 'No triggers yet.');
      await page.getByRole('link', { name: 'New trigger', exact: true }).click();
      await landsOn(t, page, '/admin/triggers/new');
      const form = page.locator('main form');
      await form.getByLabel(label('Name')).fill('Printers are urgent');
      await form.getByLabel('a ticket is created').uncheck();
      await form.getByLabel('Subject or message contains').fill('printer');
      problems.expectStatus(422);
      await form.getByRole('button', { name: 'Save', exact: true }).click();
      await sees(t, page, 'Choose at least one event.', 'a trigger without an event is refused');
      t.equal(await form.getByLabel('Subject or message contains').inputValue(), 'printer', 'the values are kept');
      problems.clearExpected();
      await form.getByLabel('a ticket is created').check();
      await form.getByLabel('Set priority').selectOption('urgent');
      await form.getByLabel('Add tags').fill('printers');
      await form.getByRole('button', { name: 'Save', exact: true }).click();
      await landsOn(t, page, '/admin/triggers');
      await sees(t, page, 'Printers are urgent');

      const customer = await openCustomer(t, browser, session);
      await customer.page.goto(`${desk.baseUrl}/portal/tickets/new`);
      const submit = customer.page.locator('#submit-form');
      await submit.getByLabel(label('Subject')).fill(`Printer on fire (${mode(js)})`);
      await submit.getByLabel(label('Message')).fill('Smoke everywhere.');
      await submit.getByRole('button', { name: 'Submit ticket' }).click();
      await landsOn(t, customer.page, /^\/portal\/tickets\/\d+\/submitted$/);
      const id = Number(new URL(customer.page.url()).pathname.split('/')[3]);
      await customer.context.close();

      // Triggers are the worker's: reload the ticket page until the tag is there.
      let routed = false;
      for (let i = 0; i < 20 && !routed; i++) {
        await page.goto(`${desk.baseUrl}/agent/tickets/${id}`);
        routed = await page.locator('a[href="/agent/tickets?tag=printers"]').count() > 0;
        if (!routed) await page.waitForTimeout(500);
      }
      t.ok(routed, 'the ticket carries the trigger\'s tag');
      await page.goto(`${desk.baseUrl}/agent/tickets/${id}?tab=history`);
      await sees(t, page, 'Printers are urgent', 'the History tab names the trigger');
      await sees(t, page, 'Set priority: Urgent');
      await finish(t, session);
    });
  }
}
