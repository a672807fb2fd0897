// Browser test of merging two tickets (issue 20, point 4), JavaScript on and off: the agent opens
// "Merge" on one ticket, finds the other by searching its subject (with htmx the list follows the
// typing; without JavaScript the Find button loads it), picks it and merges; the survivor shows the
// other's first message and where it was merged from, the merged ticket says where it went.
import t from 'tap';
import { launchBrowser } from './browser.js';
import { checkHtmx, createTicket, finish, landsOn, mode, openSession, sees } from './steps.js';
import { AGENT, loadDemo, logInAs } from './workspace-steps.js';

const browser = await launchBrowser(t);
const CUSTOMER = 'customer@acme.test';

if (browser) {
  for (const js of [true, false]) {
    t.test(`merge two tickets (${mode(js)})`, async (t) => {
      const session = await openSession(t, browser, js);
      const { page, desk } = session;
      const password = await loadDemo(t, desk, 2);
      await logInAs(t, session, AGENT, password, 'Robin Agent');
      await checkHtmx(t, session);
      const word = js ? 'Quokka' : 'Wombat';
      const otherPath = await createTicket(t, session, { requesterEmail: CUSTOMER, subject: `${word} toner is empty`, message: `The ${word} toner ran out.`, type: 'General' });
      const survivorPath = await createTicket(t, session, { requesterEmail: CUSTOMER, subject: `${word} printer broken`, message: `The ${word} printer will not print.`, type: 'General' });
      const otherId = Number(otherPath.split('/').pop());

      await page.getByRole('link', { name: 'Merge', exact: true }).click();
      await landsOn(t, page, `${survivorPath}/merge`);
      const search = page.getByLabel('Find a ticket (its number or words of its subject)');
      await search.fill(`${word} toner`);
      if (js) {
        await page.locator('#merge-candidates a', { hasText: `#${otherId} ${word} toner is empty` }).waitFor();
        t.equal(new URL(page.url()).pathname, `${survivorPath}/merge`, 'htmx drew the candidates in place');
      } else {
        await page.getByRole('button', { name: 'Find', exact: true }).click();
      }
      await page.locator('#merge-candidates a', { hasText: `#${otherId} ${word} toner is empty` }).click();
      // With htmx the page is swapped in place: wait for the form drawn with the choice, not the one before it.
      const filled = await page.locator(`#merge-other[value="${otherId}"]`).waitFor().then(() => true, () => false);
      t.ok(filled, 'the chosen ticket fills the form');
      t.equal(await page.getByLabel('Ticket to merge into this one').inputValue(), String(otherId), 'the field labelled for it');
      await page.getByRole('button', { name: 'Merge', exact: true }).click();
      await landsOn(t, page, survivorPath);
      await sees(t, page, 'Ticket merged into this one.');
      await sees(t, page, `The ${word} toner ran out.`, 'the other ticket\'s message is in the survivor\'s conversation');
      await sees(t, page, `#${otherId} ${word} toner is empty`, 'the survivor lists where it was merged from');
      t.match(await page.locator('.ticket-links').innerText(), 'Merged from', 'as "Merged from"');

      await page.goto(`${desk.baseUrl}${otherPath}`);
      await sees(t, page, 'This ticket was merged into', 'the merged ticket says where it went');
      await sees(t, page, `This request was merged into ticket #${survivorPath.split('/').pop()}`, 'with the note its requester reads');
      await finish(t, session);
    });
  }
}
