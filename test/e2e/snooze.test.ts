// Browser test of snooze (issue 20, point 3), JavaScript on and off: the agent takes a ticket,
// snoozes it with "Tomorrow 9:00" from the side panel; it leaves My open tickets for Snoozed; a time
// in the past is refused with the value kept; "Unsnooze" brings it back.
import t, { type Test } from 'tap';
import { launchBrowser } from './browser.js';
import { checkHtmx, createTicket, finish, landsOn, mode, openSession, sees, type Session } from './steps.js';
import { AGENT, flow, historyRows, loadDemo, logInAs, markPage, openTab, samePage, tableRows } from './workspace-steps.js';

const browser = await launchBrowser(t);
const CUSTOMER = 'customer@acme.test';

async function listed(session: Session, view: string, subject: string): Promise<boolean> {
  await session.page.goto(`${session.desk.baseUrl}/agent/tickets?view=${view}`);
  await session.page.locator('nav.side-menu').waitFor();
  if (await session.page.locator('#ticket-table').count() === 0) return false;
  return (await tableRows(session.page)).some((row) => row.Subject.includes(subject));
}

async function snoozeFlow(t: Test, session: Session, path: string, subject: string) {
  const { page, js, desk } = session;
  const panel = page.locator('.ticket-panel');
  await panel.getByLabel('Assignee', { exact: true }).selectOption({ label: 'Robin Agent' });
  if (!js) await panel.getByRole('button', { name: 'Save Assignee' }).click();
  await sees(t, page, 'Saved.', 'the agent takes the ticket');
  t.ok(await listed(session, 'my_open', subject), 'in My open tickets');
  await page.goto(`${desk.baseUrl}${path}`);

  const snooze = page.locator('section.ticket-snooze');
  if (js) await markPage(page, 'body');
  await snooze.getByRole('button', { name: 'Tomorrow 9:00' }).click();
  await sees(t, page, 'The ticket is snoozed', 'the page confirms it');
  if (js) t.equal((await samePage(page)).sameWindow, true, 'snoozed without a page load (htmx)');
  else await landsOn(t, page, path);
  await page.locator('section.ticket-snooze .badge.snoozed').waitFor();
  t.match(await page.locator('section.ticket-snooze .snooze-state').innerText(), /Snoozed\s+until/, 'the panel says until when');

  t.notOk(await listed(session, 'my_open', subject), 'gone from My open tickets');
  t.ok(await listed(session, 'snoozed', subject), 'in Snoozed');

  await page.goto(`${desk.baseUrl}${path}`);
  session.problems.expectStatus(422);
  await page.locator('#snooze-until').fill('2020-01-01T10:00');
  await page.locator('section.ticket-snooze').getByRole('button', { name: 'Remind me then' }).click();
  await sees(t, page, 'Choose a time ahead of now, within a year.', 'a past time is refused');
  t.equal(await page.locator('#snooze-until').inputValue(), '2020-01-01T10:00', 'the value is kept');
  session.problems.clearExpected();

  await page.locator('section.ticket-snooze').getByRole('button', { name: 'Unsnooze' }).click();
  await sees(t, page, 'The ticket is back in your lists.');
  t.equal(await page.locator('section.ticket-snooze .badge').count(), 0, 'no longer marked');
  await openTab(t, session, 'History');
  const history = await historyRows(page);
  t.ok(history.some((row) => row.startsWith('Robin Agent | Snoozed until')), 'History: snoozed', { history });
  t.ok(history.some((row) => row.startsWith('Robin Agent | Unsnoozed')), 'History: unsnoozed', { history });
  t.ok(await listed(session, 'my_open', subject), 'back in My open tickets');
}

if (browser) {
  for (const js of [true, false]) {
    t.test(`snooze: Remind me, Snoozed view, refusal, Unsnooze (${mode(js)})`, async (t) => {
      const session = await openSession(t, browser, js);
      const password = await loadDemo(t, session.desk);
      await logInAs(t, session, AGENT, password, 'Robin Agent');
      await checkHtmx(t, session);
      const subject = `Scanner jams on page two (${mode(js)})`;
      const path = await createTicket(t, session, { requesterEmail: CUSTOMER, subject, message: 'Every second page jams.', type: 'General' });
      await flow(t, session, 'snooze and back', (t) => snoozeFlow(t, session, path, subject));
      await finish(t, session);
    });
  }
}
