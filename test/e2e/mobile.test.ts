// Small screens, the dark colour scheme and print: at 375 px the portal and the agent pages never
// scroll sideways, ticket lists are cards and the messenger sits below the thread; in dark mode the
// colours change and keep their contrast; a printed ticket is its content without the controls.
import t from 'tap';
import type { Locator, Page } from 'playwright-core';
import type { Test } from 'tap';
import { launchBrowser } from './browser.js';
import { accessible, submitPortalTicket } from './a11y-steps.js';
import { finish, landsOn, logIn, openSession, sees } from './steps.js';
import { loadDemo, logInAs, openTab } from './workspace-steps.js';

const browser = await launchBrowser(t);
const WIDTH = 375;

/** The page is no wider than the screen: nothing to scroll sideways. */
async function fits(t: Test, page: Page, what: string): Promise<void> {
  await page.waitForLoadState('load');
  const { scrollWidth, wide } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    // What sticks out, for the failure message.
    wide: Array.from(document.querySelectorAll('body *')).filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
      .slice(0, 5).map((e) => `${e.localName}${e.id ? '#' + e.id : ''}${e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : ''}`),
  }));
  t.ok(scrollWidth <= WIDTH, `${what}: no horizontal scrolling at ${WIDTH} px (scrollWidth ${scrollWidth})`, scrollWidth <= WIDTH ? {} : { wide });
}

async function go(t: Test, page: Page, base: string, path: string): Promise<void> {
  await page.goto(base + path);
  await landsOn(t, page, path);
}

const colours = (page: Page) => page.evaluate(() => {
  const body = getComputedStyle(document.body);
  const root = getComputedStyle(document.documentElement);
  return { background: root.backgroundColor, text: body.color, panel: getComputedStyle(document.querySelector('.topbar')!).backgroundColor };
});

/** A card's lines as "label: text", the label being what CSS shows before each cell (its data-label). */
const cardLines = (card: Locator) => card.locator('td[data-label]').evaluateAll((cells) => cells
  .filter((td) => getComputedStyle(td).display !== 'none')
  .map((td) => `${getComputedStyle(td, '::before').content.replace(/^"|"$/g, '')}: ${(td as HTMLElement).innerText.trim()}`));

/** Whether the first element matching each selector is rendered (has a box). */
const shown = (page: Page, selectors: string[]) => page.evaluate((sels) => Object.fromEntries(sels.map((sel) => {
  const el = document.querySelector(sel) as HTMLElement | null;
  return [sel, !!el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden'];
})), selectors);

if (browser) {
  t.test(`portal and agent pages at ${WIDTH} px (JS on)`, async (t) => {
    const session = await openSession(t, browser, true);
    const { page, desk } = session;
    await page.setViewportSize({ width: WIDTH, height: 800 });
    const password = await loadDemo(t, desk);

    await go(t, page, desk.baseUrl, '/login');
    await fits(t, page, 'login');
    await logIn(page, desk, 'customer@acme.test', password);
    await landsOn(t, page, /^\/portal/);
    await fits(t, page, 'portal home');
    const path = await submitPortalTicket(t, page, 'Phone app crashes on start', 'Since the update the app closes at once.');
    await sees(t, page, 'Phone app crashes on start', 'the new ticket opens on the small screen');
    await fits(t, page, 'a portal ticket');
    await go(t, page, desk.baseUrl, '/portal/tickets/new');
    await fits(t, page, 'portal submit form');
    await go(t, page, desk.baseUrl, '/portal/tickets');
    await fits(t, page, 'My tickets');
    t.equal(await page.locator('table.portal-tickets thead').isVisible(), false, 'My tickets has no table header row on a phone');
    const card = page.locator(`table.portal-tickets tbody tr:has(a[href="${path}"])`);
    const portalCard = await cardLines(card);
    t.equal(portalCard[0], 'Subject: Phone app crashes on start', 'each ticket is a card: its first line is the labelled subject');
    t.ok(portalCard.some((line) => /^Status: \S/.test(line)), 'and a labelled status line', { portalCard });

    await page.getByRole('button', { name: 'Log out' }).click();
    await landsOn(t, page, '/login');
    await logInAs(t, session, 'agent@demo.test', password, 'Robin Agent');
    await fits(t, page, 'agent dashboard');
    await page.goto(`${desk.baseUrl}/agent/tickets?view=all`);
    await landsOn(t, page, '/agent/tickets');
    await fits(t, page, 'agent ticket list');
    t.equal(await page.locator('#ticket-table thead').isVisible(), false, 'the agent list has no header row on a phone');
    const agentCard = await cardLines(page.locator('#ticket-table tbody tr').first());
    t.ok(['ID', 'Subject', 'Requester', 'Status', 'Priority'].every((label) => agentCard.some((line) => line.startsWith(label + ': '))),
      'its rows are cards with labelled lines', { agentCard });
    for (const p of ['/agent/tickets/new', '/agent/offers', '/agent/views', '/account']) {
      await go(t, page, desk.baseUrl, p);
      await fits(t, page, p);
    }
    await page.goto(`${desk.baseUrl}/agent/tickets?view=all`);
    await landsOn(t, page, '/agent/tickets');
    await page.locator('#ticket-table tbody td[data-label="Subject"] a').first().click();
    await landsOn(t, page, /^\/agent\/tickets\/\d+$/);
    await fits(t, page, 'ticket details');
    const thread = await page.locator('#ticket-main').boundingBox();
    const side = await page.locator('.ticket-side').boundingBox();
    t.ok(thread && side && side.y >= thread.y + thread.height - 1, 'the side column (presence, messenger) is below the thread', { thread, side });
    for (const tab of ['History', 'Fleet Management', 'Video Sessions']) {
      await openTab(t, session, tab);
      await fits(t, page, `ticket details, ${tab}`);
    }
    await page.locator('.ticket-actions').getByRole('link', { name: 'Edit', exact: true }).click();
    await page.locator('dialog#edit-dialog[open]').waitFor();
    await fits(t, page, 'the edit dialog');
    await page.keyboard.press('Escape');

    await page.getByRole('button', { name: 'Log out' }).click();
    await landsOn(t, page, '/login');
    await logInAs(t, session, 'admin@demo.test', password, 'Alex Admin');
    for (const p of ['/admin', '/admin/statuses', '/admin/users', '/admin/settings', '/agent/team']) {
      await go(t, page, desk.baseUrl, p);
      await fits(t, page, p);
    }
    await finish(t, session);
  });

  t.test('dark mode: other colours than light, and enough contrast (JS on)', async (t) => {
    const session = await openSession(t, browser, true);
    const { page, desk } = session;
    const password = await loadDemo(t, desk);
    await go(t, page, desk.baseUrl, '/login');
    await page.emulateMedia({ colorScheme: 'light' });
    const light = await colours(page);
    await page.emulateMedia({ colorScheme: 'dark' });
    const dark = await colours(page);
    t.not(dark.background, light.background, `the page background changes (${light.background} → ${dark.background})`);
    t.not(dark.text, light.text, `the text colour changes (${light.text} → ${dark.text})`);
    t.not(dark.panel, light.panel, 'the panels change too');
    await accessible(t, page, 'login, dark', ['color-contrast']);

    await logInAs(t, session, 'agent@demo.test', password, 'Robin Agent');
    await accessible(t, page, 'agent dashboard, dark', ['color-contrast']);
    await page.goto(`${desk.baseUrl}/agent/tickets?view=all`);
    await accessible(t, page, 'agent list, dark', ['color-contrast']);
    await page.locator('#ticket-table tbody td[data-label="Subject"] a').first().click();
    await landsOn(t, page, /^\/agent\/tickets\/\d+$/);
    await accessible(t, page, 'ticket details, dark', ['color-contrast']);
    await page.getByRole('button', { name: 'Log out' }).click();
    await landsOn(t, page, '/login');
    await logIn(page, desk, 'customer@acme.test', password);
    await landsOn(t, page, /^\/portal/);
    await submitPortalTicket(t, page, 'Dark screen flickers', 'The monitor flickers in the evening.');
    await accessible(t, page, 'a portal ticket, dark', ['color-contrast']);
    await finish(t, session);
  });

  t.test('print: a ticket prints its content, not the navigation, menus or forms (JS on)', async (t) => {
    const session = await openSession(t, browser, true);
    const { page, desk } = session;
    const password = await loadDemo(t, desk);
    await logIn(page, desk, 'customer@acme.test', password);
    await landsOn(t, page, /^\/portal/);
    await submitPortalTicket(t, page, 'Scanner saves blank pages', 'Every scan from tray 2 comes out blank.');
    await page.emulateMedia({ media: 'print' });
    t.same(await shown(page, ['.topbar', '#ticket-main h1', '.message', '.compose', '.compose form', '.solve']),
      { '.topbar': false, '#ticket-main h1': true, '.message': true, '.compose': false, '.compose form': false, '.solve': false },
      'the portal print: the ticket and its conversation; no navigation, no reply form, no buttons');
    await page.emulateMedia({ media: 'screen' });
    const ticketPath = new URL(page.url()).pathname.replace('/portal/', '/agent/');

    await page.getByRole('button', { name: 'Log out' }).click();
    await landsOn(t, page, '/login');
    await logInAs(t, session, 'agent@demo.test', password, 'Robin Agent');
    await page.goto(desk.baseUrl + ticketPath);
    await page.emulateMedia({ media: 'print' });
    t.same(await shown(page, ['.topbar', '#ticket-main h1', '.message', '.status-step.current', '.status-step:not(.current)',
      '.ticket-actions', 'nav.tabs', '.compose', '.chat-form']), {
      '.topbar': false, '#ticket-main h1': true, '.message': true, '.status-step.current': true, '.status-step:not(.current)': false,
      '.ticket-actions': false, 'nav.tabs': false, '.compose': false, '.chat-form': false,
    }, 'the agent print: subject, current status and thread; no navigation, actions, tabs, reply box or messenger input');
    t.match(await page.locator('.status-step.current').innerText(), /New/, 'the printed status is the current one');
    await finish(t, session);
  });
}
