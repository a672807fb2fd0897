// Browser test of the dense ticket list (issue 19) on a 1366 × 860 laptop screen, JavaScript on and
// off: the list fits without sideways scrolling, shows at least 20 tickets on the first screen, its
// heading names the view; agents land on "My open tickets"; a column header sorts; the chosen
// columns are kept; the bulk bar appears only once a row is ticked and says how many (JS on), or
// sits compact under the table (JS off). At 375 px the tickets come first, the views in a menu.
import t from 'tap';
import type { Page } from 'playwright-core';
import type { Test } from 'tap';
import { launchBrowser } from './browser.js';
import { checkHtmx, finish, landsOn, mode, openSession } from './steps.js';
import { AGENT, loadDemo, logInAs, noNewProblems, viewLink } from './workspace-steps.js';

const browser = await launchBrowser(t);
const LAPTOP = { width: 1366, height: 860 };

/** What the first screen shows: sideways overflow of the page and of the table's box, and the rows fully in view. */
const measure = (page: Page) => page.evaluate(() => {
  const box = document.querySelector('#ticket-table .table-fit')!;
  const rows = Array.from(document.querySelectorAll('#ticket-table tbody tr'));
  return {
    page: { scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth },
    table: { scrollWidth: box.scrollWidth, clientWidth: box.clientWidth },
    rows: rows.length,
    visible: rows.filter((row) => { const r = row.getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight; }).length,
  };
});

const heading = (page: Page) => page.locator('main h1').innerText();

/** The first screen at 1366 × 860: no sideways scrolling anywhere, 20+ rows in view. */
async function fitsTheLaptop(t: Test, page: Page, what: string) {
  const m = await measure(page);
  t.ok(m.page.scrollWidth <= m.page.clientWidth, `${what}: the page does not scroll sideways`, m.page);
  t.ok(m.table.scrollWidth <= m.table.clientWidth, `${what}: the table fits its box`, m.table);
  t.ok(m.visible >= 20, `${what}: at least 20 tickets on the first screen (${m.visible} of ${m.rows})`, m);
}

if (browser) {
  for (const js of [true, false]) {
    t.test(`the ticket list at 1366 × 860 (${mode(js)})`, async (t) => {
      const session = await openSession(t, browser, js);
      const { page, desk } = session;
      await page.setViewportSize(LAPTOP);
      const password = await loadDemo(t, desk, 40);
      await logInAs(t, session, AGENT, password, 'Robin Agent');
      await checkHtmx(t, session);
      const since = session.problems.problems.length;

      // Agents land on their own open tickets, named as such.
      await page.locator('header.topbar nav').getByRole('link', { name: 'Tickets', exact: true }).click();
      await landsOn(t, page, '/agent/tickets');
      t.equal(await heading(page), 'My open tickets', 'the list opens on "My open tickets"');
      t.equal(await viewLink(page, 'My open tickets').getAttribute('aria-current'), 'page', 'the menu marks it');
      t.equal(await page.title(), 'My open tickets · Deskbell');

      await viewLink(page, 'All').click();
      await page.waitForURL((url) => url.searchParams.get('view') === 'all');
      await page.locator('main h1', { hasText: 'All tickets' }).waitFor();
      t.equal(await heading(page), 'All tickets', 'the heading names the view');
      await fitsTheLaptop(t, page, '"All"');
      // The menu's counts arrive after the page (htmx swaps them in): wait for the swap to settle.
      const besides = await page.locator('nav.side-menu a[href="/agent/tickets?view=unassigned"]').first()
        .waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false);
      t.ok(besides, 'the views stay beside the list');

      // One line per ticket; a long subject is cut, its full text in the title.
      const heights = await page.locator('#ticket-table tbody tr').evaluateAll((rows) => rows.map((r) => Math.round(r.getBoundingClientRect().height)));
      t.ok(Math.max(...heights) <= 34, 'every row is one line high (requester and organisation stacked small)', { heights: [...new Set(heights)] });
      const subject = page.locator('#ticket-table tbody td[data-label="Subject"] a').first();
      t.equal(await subject.getAttribute('title'), (await subject.textContent())!.trim(), 'the subject link carries its full text');
      const subjectWidth = await page.locator('#ticket-table thead th', { hasText: 'Subject' }).evaluate((th) => th.getBoundingClientRect().width);
      t.ok(subjectWidth >= 300, `the subject keeps room to be read (${Math.round(subjectWidth)} px of the table)`);

      // Sorting by a click on a column header: a plain link, or htmx's boosted one.
      await page.locator('#ticket-table thead').getByRole('link', { name: 'ID', exact: true }).click();
      await page.waitForURL((url) => url.searchParams.get('sort') === 'id');
      await page.locator('#ticket-table th[aria-sort="descending"]', { hasText: 'ID' }).waitFor();
      const ids = await page.locator('#ticket-table tbody td[data-label="ID"]').allInnerTexts();
      const numbers = ids.map((id) => Number(id.replace('#', '')));
      t.ok(numbers.every((n, i) => i === 0 || n < numbers[i - 1]!), 'sorted by ID, highest first', { numbers });
      t.equal(await heading(page), 'All tickets', 'still the same view');
      await fitsTheLaptop(t, page, 'sorted by ID');

      if (js) {
        // The bulk bar waits for a ticked row, then says how many and highlights them.
        const bar = page.locator('#bulk-form .bulk-actions');
        t.equal(await bar.isVisible(), false, 'no bulk bar while nothing is ticked');
        const boxes = page.locator('#ticket-table tbody input[name="ids"]');
        const before = await boxes.nth(0).evaluate((box) => getComputedStyle(box.closest('td')!.nextElementSibling!).backgroundColor);
        await boxes.nth(0).check();
        await bar.waitFor();
        t.equal((await page.locator('.bulk-count').innerText()).trim(), '1 selected', '"1 selected"');
        await boxes.nth(1).check();
        t.equal((await page.locator('.bulk-count').innerText()).trim(), '2 selected', '"2 selected"');
        const after = await boxes.nth(0).evaluate((box) => getComputedStyle(box.closest('td')!.nextElementSibling!).backgroundColor);
        t.not(after, before, 'a ticked row is highlighted');
        const barBox = (await bar.boundingBox())!;
        t.ok(barBox.y + barBox.height <= LAPTOP.height + 1, 'the bar is in view while rows are ticked', barBox);
        await page.locator('[data-select-all]').check();
        t.equal((await page.locator('.bulk-count').innerText()).trim(), `${await boxes.count()} selected`, '"select all" counts the page');
        await page.locator('[data-select-all]').uncheck();
        await bar.waitFor({ state: 'hidden' });
        t.equal(await bar.isVisible(), false, 'hidden again once nothing is ticked');
      } else {
        const bar = page.locator('#bulk-form .bulk-actions');
        t.equal(await bar.isVisible(), true, 'without JavaScript the bulk actions are there');
        const table = (await page.locator('#ticket-table table').boundingBox())!;
        const barBox = (await bar.boundingBox())!;
        t.ok(barBox.y >= table.y + table.height, 'under the table', { table, barBox });
        // Six actions since tags (assignee, status, priority, group, add tag, remove tag): two short rows at most.
        t.ok(barBox.height <= 100, 'compact: two rows at most', barBox);
      }

      // The columns are the agent's choice, kept in their profile.
      await page.locator('details.list-settings > summary').click();
      const settings = page.locator('form.list-settings-form');
      await settings.getByLabel('Created', { exact: true }).check();
      await settings.getByLabel('Type', { exact: true }).uncheck();
      await settings.getByRole('button', { name: 'Save list settings' }).click();
      await page.getByText('List settings saved.').waitFor();
      t.equal(new URL(page.url()).searchParams.get('sort'), 'id', 'back on the same list');
      const heads = await page.locator('#ticket-table thead th').allInnerTexts();
      t.same(heads.map((h) => h.trim()).slice(1), ['ID', 'Subject', 'Requester', 'Status', 'Priority', 'Assignee', 'Group', 'Created', 'Last activity'],
        'Created shown, Type gone');
      await fitsTheLaptop(t, page, 'with the chosen columns');
      await page.goto(`${desk.baseUrl}/agent/tickets?view=unassigned`);
      t.ok((await page.locator('#ticket-table thead th').allInnerTexts()).some((h) => h.trim() === 'Created'), 'the choice holds on another view');

      noNewProblems(t, session, since, 'the list');
      await finish(t, session);
    });

    t.test(`the ticket list on a phone, 375 px: the tickets first, the views in a menu (${mode(js)})`, async (t) => {
      const session = await openSession(t, browser, js);
      const { page, desk } = session;
      const password = await loadDemo(t, desk);
      await logInAs(t, session, AGENT, password, 'Robin Agent');
      await page.setViewportSize({ width: 375, height: 740 });
      await page.goto(`${desk.baseUrl}/agent/tickets?view=all`);
      const menu = page.locator('nav.side-menu details.side-menu-fold');
      t.equal(await menu.evaluate((d: HTMLDetailsElement) => d.open), false, 'the views are folded away');
      t.equal(await viewLink(page, 'Unassigned').isVisible(), false, 'their links hidden');
      const first = (await page.locator('#ticket-table tbody tr').first().boundingBox())!;
      t.ok(first.y < 740, 'the first ticket is on the first screen', first);
      const width = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
      t.ok(width[0]! <= width[1]!, 'nothing scrolls sideways', { width });

      await menu.locator('summary').click();
      await viewLink(page, 'Unassigned').waitFor();
      await viewLink(page, 'Unassigned').click();
      await page.waitForURL((url) => url.searchParams.get('view') === 'unassigned');
      await page.locator('main h1', { hasText: 'Unassigned tickets' }).waitFor();
      t.equal(await heading(page), 'Unassigned tickets', 'the view chosen from the menu is shown');
      await finish(t, session);
    });
  }
}
