// Browser test of the list's bulk form (issue 8.3) with JavaScript on: tick two rows, choose a
// status that needs no fields (Closed may, per ticket type), Apply; htmx swaps only the table, which shows the message and the two tickets' new status.
import t from 'tap';
import { launchBrowser } from './browser.js';
import { checkHtmx, finish, openSession } from './steps.js';
import { AGENT, loadDemo, logInAs, markPage, samePage, tableRows } from './workspace-steps.js';

const browser = await launchBrowser(t);

if (browser) {
  t.test('bulk: select two rows and change their status (JS on)', async (t) => {
    const session = await openSession(t, browser, true);
    const password = await loadDemo(t, session.desk);
    await logInAs(t, session, AGENT, password, 'Robin Agent');
    await checkHtmx(t, session);
    const { page } = session;
    await page.goto(`${session.desk.baseUrl}/agent/tickets?sort=id`);
    const before = await tableRows(page);
    const chosen = before.filter((row) => row.Status !== 'Pending').slice(0, 2).map((row) => row.ID.replace('#', ''));
    t.equal(chosen.length, 2, 'two tickets to change');
    await markPage(page, 'nav.side-menu');
    for (const id of chosen) await page.getByLabel(`Select ticket #${id}`, { exact: true }).check();
    await page.locator('#bulk-status').selectOption({ label: 'Pending' });
    const posted = page.waitForResponse((r) => new URL(r.url()).pathname === '/agent/tickets/bulk');
    await page.getByRole('button', { name: 'Apply' }).click();
    const answer = await posted;
    t.equal(answer.request().headers()['hx-request'], 'true', 'the form is sent by htmx');
    await page.getByText('2 tickets updated.').waitFor();
    const after = await tableRows(page);
    for (const id of chosen) t.equal(after.find((row) => row.ID === `#${id}`)?.Status, 'Pending', `#${id} is now Pending`);
    t.equal(after.length, before.length, 'the same list (sort=id)');
    t.same(await samePage(page, 'nav.side-menu'), { sameWindow: true, sameNode: true }, 'no page load: only the table was swapped');
    await page.locator('[data-select-all]').check();
    const boxes = await page.locator('input[name="ids"]').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).checked));
    t.ok(boxes.length > 0 && boxes.every(Boolean), '"select all on this page" ticks every row');
    await finish(t, session);
  });
}
