// Browser test of fleet management (issue 7): a supervisor offers a ticket from the Fleet
// Management tab, the offer mail reaches a real SMTP server, and the agent accepts it from the
// Offers inbox, with JavaScript on (htmx swaps in place). The same flow with plain forms is the
// first test of offers.test.ts.
import t from 'tap';
import { launchBrowser, screenshot } from '../e2e/browser.js';
import { checkHtmx, createTicket, finish, logOut, openSession, sees } from '../e2e/steps.js';
import { ASSIGNEE, SUPERVISOR, loadDemo, logInAs, markPage, openTab, samePage, startSmtp, subjectOf, waitForMail } from '../e2e/workspace-steps.js';

const browser = await launchBrowser(t);

if (browser) {
  t.test('JS on: offer from the Fleet tab, accept from the Offers inbox', async (t) => {
    const smtp = await startSmtp(t);
    const session = await openSession(t, browser, true, { env: { SMTP_URL: `smtp://127.0.0.1:${smtp.port}` } });
    const { page, desk } = session;
    const password = await loadDemo(t, desk);
    await logInAs(t, session, SUPERVISOR, password, 'Sam Supervisor');
    await checkHtmx(t, session);
    const subject = `Leaking valve ${Date.now()}`;
    const path = await createTicket(t, session, { requesterEmail: 'valve@example.test', subject, message: 'Water everywhere.' });
    const id = Number(path.split('/').pop());

    await openTab(t, session, 'Fleet Management');
    await sees(t, page, 'Available employees');
    await markPage(page, 'body');
    await page.getByRole('button', { name: `Offer: ${ASSIGNEE.name}` }).click();
    await sees(t, page, 'Offer sent.');
    const requested = page.locator('#fleet-requested');
    await requested.getByText(ASSIGNEE.name).waitFor();
    t.match(await requested.innerText(), /UNSEEN/, 'Quinn has not seen the ticket yet');
    t.ok((await samePage(page)).sameWindow, 'the offer was an htmx swap, not a page load');
    await screenshot(page, 'fleet-tab-offered');
    const mail = await waitForMail(smtp, (m) => m.to.includes(ASSIGNEE.email) && subjectOf(m).includes('Ticket offer'));
    t.ok(mail, 'the offer mail arrived at the SMTP server');
    t.equal(mail && subjectOf(mail), `[#${id}] Ticket offer: ${subject}`);

    await logOut(t, page);
    await logInAs(t, session, ASSIGNEE.email, ASSIGNEE.password, ASSIGNEE.name);
    await page.goto(`${session.desk.baseUrl}/agent/tickets`); // staff land on the dashboard
    await page.locator('nav.side-menu').getByRole('link', { name: /Offers\s*1/ }).click();
    await sees(t, page, `#${id} ${subject}`);
    await markPage(page, '#offers');
    await page.getByRole('button', { name: `Accept: #${id}` }).click();
    await sees(t, page, 'Offer accepted: you are assigned to the ticket.');
    await sees(t, page, 'No open offers for you.');
    t.ok((await samePage(page)).sameWindow, 'accepting swapped the inbox in place');
    await screenshot(page, 'fleet-offers-accepted');

    await page.goto(`${desk.baseUrl}/agent/tickets/${id}?tab=fleet`);
    const assigned = page.locator('#fleet-assigned');
    await assigned.getByText(ASSIGNEE.name).waitFor();
    t.match(await assigned.innerText(), /Assignee/, 'Quinn is the primary assignee');
    t.match(await assigned.innerText(), /\bSEEN\b/, 'and has now seen the ticket');
    t.match(await page.locator('#fleet-requested').innerText(), 'No open offers.');
    await finish(t, session);
  });
}
