// Browser test of issue 21's "Done when", with JavaScript off and on: the admin builds a group, an SLA
// policy for that group and a trigger that routes printer tickets to it, in the admin pages (refused
// tries first, their values kept); a customer submits a ticket; once the worker has run, the agent
// sees it routed by the trigger (group, priority, tag) and under the group's SLA policy, on the list
// (the Group and Next SLA due columns) and on the details page, with the run log on History.
import t from 'tap';
import { rows } from './admin-steps.js';
import { launchBrowser } from './browser.js';
import { label } from './portal-steps.js';
import { buildPolicy, createGroup, customerSubmits, reloadUntil } from './rules-steps.js';
import { checkHtmx, createFirstAdmin, finish, landsOn, mode, openSession, sees, type Session } from './steps.js';
import type { Test } from 'tap';

const browser = await launchBrowser(t);

async function buildTrigger(t: Test, session: Session) {
  const { page, desk, problems } = session;
  await page.goto(`${desk.baseUrl}/admin/triggers`);
  await sees(t, page, 'No triggers yet.');
  await page.getByRole('link', { name: 'New trigger', exact: true }).click();
  await landsOn(t, page, '/admin/triggers/new');
  const form = page.locator('main form');
  await form.getByLabel(label('Name')).fill('Printers to the printer team');
  await form.getByLabel('a ticket is created').uncheck();
  await form.getByLabel('Subject or message contains').fill('printer');
  problems.expectStatus(422);
  await form.getByRole('button', { name: 'Save', exact: true }).click();
  await sees(t, page, 'Choose at least one event.', 'a trigger without an event is refused');
  t.equal(await form.getByLabel('Subject or message contains').inputValue(), 'printer', 'the values are kept');
  problems.clearExpected();
  await form.getByLabel('a ticket is created').check();
  await form.getByLabel('Set priority').selectOption('urgent');
  await form.getByLabel('Set group').selectOption({ label: 'Printer team' });
  await form.getByLabel('Add tags').fill('printers');
  await form.getByRole('button', { name: 'Save', exact: true }).click();
  await landsOn(t, page, '/admin/triggers');
  await sees(t, page, 'Printers to the printer team');
}

if (browser) {
  for (const js of [false, true]) {
    t.test(`admin builds an SLA policy and a trigger; a customer's new ticket is routed and under the policy (${mode(js)})`, async (t) => {
      const session = await openSession(t, browser, js);
      await createFirstAdmin(t, session);
      await checkHtmx(t, session);
      await createGroup(t, session, 'Printer team');
      await buildPolicy(t, session, { name: 'Printer team promise', firstReplyMinutes: 90, groups: ['Printer team'] });
      await buildTrigger(t, session);
      const subject = `Printer on fire (${mode(js)})`;
      const id = await customerSubmits(t, browser, session, subject, 'Smoke everywhere.');

      // The trigger and then the SLA clocks are the worker's: reload until the policy is shown, which
      // it is only once the trigger has put the ticket in the policy's group.
      const { page, desk } = session;
      const details = `${desk.baseUrl}/agent/tickets/${id}`;
      t.ok(await reloadUntil(page, details, async (p) => await p.locator('#ticket-sla').count() > 0), 'the ticket page shows an SLA block');
      await sees(t, page, 'Policy: Printer team promise', 'the group\'s policy, matched because the trigger set the group');
      t.match(await page.locator('[data-sla-target="first_reply"]').innerText(), /On time · due/, 'the first reply is on time, with its due time');
      t.equal((await page.locator('select[name="groupId"] option:checked').innerText()).trim(), 'Printer team', 'the group the trigger set');
      t.equal((await page.locator('select[name="priority"] option:checked').innerText()).trim(), 'Urgent', 'and the priority');
      t.equal(await page.locator('a[href="/agent/tickets?tag=printers"]').count() > 0, true, 'and the tag');

      // The list, with the Group and Next SLA due columns chosen in its settings.
      await page.goto(`${desk.baseUrl}/agent/tickets?view=all`);
      await page.getByText('List settings', { exact: true }).click();
      const settings = page.locator('form.list-settings-form');
      await settings.getByLabel('Group', { exact: true }).check();
      await settings.getByLabel('Next SLA due', { exact: true }).check();
      await settings.getByRole('button', { name: 'Save list settings' }).click();
      await sees(t, page, 'List settings saved.');
      const row = (await rows(page, 'table.tickets')).find((r) => r.Subject?.includes(subject));
      t.ok(row, 'the ticket is on the list', { rows: await rows(page, 'table.tickets') });
      t.equal(row?.Group, 'Printer team', 'in the trigger\'s group');
      t.match(row?.['Next SLA due'], /^On time /, 'with its SLA state and due time');

      await page.goto(`${details}?tab=history`);
      await sees(t, page, 'Printers to the printer team', 'the History tab names the trigger');
      await sees(t, page, /Set priority: Urgent.*Set group: Printer team/);
      await finish(t, session);
    });
  }
}
