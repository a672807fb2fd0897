// Browser test (issue 19, times that read): someone signed in without a time zone of their own gets
// their browser's, sent once by zone.js and kept in their profile; without JavaScript the pages keep
// the desk's zone and nothing is sent.
import t from 'tap';
import { launchBrowser, PageProblems, startDesk } from './browser.js';
import { createFirstAdmin, finish, type Session } from './steps.js';

const browser = await launchBrowser(t);

if (browser) {
  for (const js of [true, false]) {
    t.test(`the browser's time zone is learnt once (${js ? 'JS on' : 'JS off: the desk\'s zone'})`, async (t) => {
      const desk = await startDesk(t);
      const context = await browser.newContext({ javaScriptEnabled: js, timezoneId: 'America/Sao_Paulo', viewport: { width: 1366, height: 860 } });
      context.setDefaultTimeout(10_000);
      t.teardown(() => context.close().catch(() => undefined));
      const page = await context.newPage();
      const session: Session = { desk, context, page, problems: new PageProblems(page), js };

      const reported = js ? page.waitForResponse((r) => new URL(r.url()).pathname === '/account/zone') : null;
      await createFirstAdmin(t, session);
      if (reported) t.equal((await reported).status(), 204, 'zone.js reports the browser\'s zone');

      await page.goto(`${desk.baseUrl}/account`);
      const chosen = await page.getByLabel('Time zone').inputValue();
      t.equal(chosen, js ? 'America/Sao_Paulo' : '', js ? 'kept in the profile' : 'nothing stored without JavaScript');
      const html = await page.locator('header.topbar').getAttribute('data-ask-zone');
      t.equal(html, js ? null : '', js ? 'and not asked again' : 'the page still asks (for when JavaScript is on)');
      await finish(t, session);
    });
  }
}
