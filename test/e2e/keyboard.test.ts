// Keyboard shortcuts for agents: j/k/Enter on the list; r, n, e, a on a ticket; / for search and ?
// for the help. They never fire while typing or with a modifier key; without JS nothing changes.
import t from 'tap';
import type { Page } from 'playwright-core';
import { launchBrowser } from './browser.js';
import { finish, landsOn, openSession, sees } from './steps.js';
import { loadDemo, logInAs, selected, viewLink } from './workspace-steps.js';

const browser = await launchBrowser(t);

/** What has the focus: its tag, id, name and text, for assertions and failure messages. */
const focused = (page: Page) => page.evaluate(() => {
  const el = document.activeElement;
  return { tag: el?.localName ?? '', id: el?.id ?? '', href: el?.getAttribute('href') ?? '', text: (el?.textContent ?? '').trim().slice(0, 60) };
});

/** The subject links of the list, in order. */
const rowLinks = (page: Page) => page.locator('#ticket-table tbody tr td[data-label="Subject"] a').evaluateAll((as) => as.map((a) => a.getAttribute('href')!));

/** Take the focus off any field, as a click on the page's heading would. */
const blur = (page: Page) => page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());

if (browser) {
  t.test('agent shortcuts: j/k/Enter, r, n, e, a, /, ? (JS on)', async (t) => {
    const session = await openSession(t, browser, true);
    const { page, desk, problems } = session;
    const password = await loadDemo(t, desk);
    await logInAs(t, session, 'agent@demo.test', password, 'Robin Agent');
    await page.goto(`${desk.baseUrl}/agent/tickets`); // staff land on the dashboard

    // The list: j selects the first row, j the second, k back; the selection is visible and focused.
    await viewLink(page, 'Unassigned').click();
    await page.waitForURL((url) => url.searchParams.get('view') === 'unassigned');
    await page.locator('#ticket-table tbody tr').first().waitFor();
    const links = await rowLinks(page);
    t.ok(links.length >= 2, 'the Unassigned view lists at least two tickets', { links });
    await page.keyboard.press('j');
    t.equal((await focused(page)).href, links[0], 'j focuses the first ticket');
    t.equal(await page.locator('#ticket-table tr.selected').count(), 1, 'one row is marked as selected');
    await page.keyboard.press('j');
    t.equal((await focused(page)).href, links[1], 'j again moves to the second ticket');
    t.match(await page.locator('#ticket-table tr.selected').innerText(), (await page.locator(`#ticket-table a[href="${links[1]}"]`).innerText()).trim(),
      'the selected row is the second one');
    await page.keyboard.press('k');
    t.equal((await focused(page)).href, links[0], 'k moves back to the first');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    t.not(outline, 'none', 'the focused row link shows a focus outline');
    await page.keyboard.press('Enter');
    await landsOn(t, page, links[0]!);
    const ticketPath = links[0]!;

    // r: the compose box as a reply; n: as an internal note.
    await page.locator('.compose textarea[name="body"]').waitFor();
    await page.keyboard.press('r');
    t.equal((await focused(page)).id, 'f-body', 'r focuses the message box');
    t.equal(await page.locator('.compose input[name="kind"][value="reply"]').isChecked(), true, 'as a reply');
    await page.keyboard.type('jean');
    t.equal(await page.locator('#f-body').inputValue(), 'jean', 'typing j, e, a, n in the box is just text: no shortcut fires');
    t.equal(new URL(page.url()).pathname, ticketPath, 'still on the ticket');
    t.equal(await page.locator('dialog[open]').count(), 0, 'no dialog opened while typing');
    await page.locator('#f-body').fill('');
    await blur(page);
    await page.keyboard.press('n');
    t.equal((await focused(page)).id, 'f-body', 'n focuses the message box');
    t.equal(await page.locator('.compose input[name="kind"][value="note"]').isChecked(), true, 'as an internal note');
    await blur(page);

    // Modifier keys: Ctrl+E / Alt+A do nothing of ours.
    const posts: string[] = [];
    page.on('request', (r) => { if (r.method() === 'POST') posts.push(new URL(r.url()).pathname); });
    await page.keyboard.press('Control+e');
    await page.keyboard.press('Alt+a');
    await page.waitForTimeout(300);
    t.equal(await page.locator('dialog[open]').count(), 0, 'Ctrl+E opens no dialog');
    t.same(posts, [], 'Alt+A sends no assignment');

    // e: the edit dialog; Escape closes it and the focus is back on "Edit".
    await page.keyboard.press('e');
    await page.locator('dialog#edit-dialog[open]').waitFor();
    await sees(t, page, 'Updating Ticket', 'e opens "Updating Ticket"');
    t.ok(await page.evaluate(() => !!document.activeElement?.closest('dialog#edit-dialog')), 'the focus is inside the dialog');
    await page.keyboard.press('j');
    t.equal(await page.locator('#ticket-table').count(), 0, 'shortcuts stay quiet while the dialog is open');
    await page.keyboard.press('Escape');
    await page.locator('dialog#edit-dialog').waitFor({ state: 'detached' });
    t.same(await focused(page), { tag: 'a', id: '', href: `${ticketPath}/edit`, text: 'Edit' }, 'after Escape the focus is back on "Edit"');
    // Saving swaps the whole ticket in: the focus goes to the new "Edit".
    await page.keyboard.press('e');
    await page.locator('dialog#edit-dialog[open]').waitFor();
    await page.locator('#edit-form').getByRole('button', { name: 'Save', exact: true }).click();
    await page.locator('dialog#edit-dialog').waitFor({ state: 'detached' });
    await page.waitForFunction(() => document.activeElement?.getAttribute('href')?.endsWith('/edit'));
    t.equal((await focused(page)).href, `${ticketPath}/edit`, 'after saving the focus is on "Edit" again');

    // a: a real POST through the assignment route (with the CSRF token); the ticket is then mine.
    const assignment = page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === `${ticketPath}/assignment`);
    await blur(page);
    await page.keyboard.press('a');
    const request = await assignment;
    t.ok(request.headers()['x-csrf-token'] || /_csrf=/.test(request.postData() ?? ''), 'the POST carries the CSRF token');
    await sees(t, page, 'Assignment saved.');
    t.equal(await selected(page.locator('.ticket-panel').getByLabel('Assignee', { exact: true })), 'Robin Agent', 'the ticket is assigned to me');
    t.equal(await page.getByRole('button', { name: 'Assign to me' }).count(), 0, '"Assign to me" is gone');

    // ?: the help lists the shortcuts; Escape closes it.
    await blur(page);
    await page.keyboard.press('?');
    const help = page.locator('dialog#keys-help[open]');
    await help.waitFor();
    const listed = await help.locator('dl.keys dt').evaluateAll((dts) => Object.fromEntries(dts.map((dt) => [dt.textContent!.trim(), dt.nextElementSibling!.textContent!.trim()])));
    t.same(listed, {
      j: 'Select the next ticket', k: 'Select the previous ticket', Enter: 'Open the selected ticket', r: 'Write a reply',
      n: 'Write an internal note', e: 'Edit the ticket', a: 'Assign the ticket to me', '/': 'Search', '?': 'Show these shortcuts',
    }, 'the help lists every shortcut with what it does');
    await page.keyboard.press('Escape');
    t.equal(await page.locator('dialog#keys-help[open]').count(), 0, 'Escape closes the help');
    await page.getByRole('button', { name: 'Keyboard shortcuts (press ?)' }).click();
    await help.waitFor();
    t.pass('the "Keyboard shortcuts" button under the page opens the same help');
    await page.keyboard.press('Escape');

    // /: the search box (when the layout has one) or the search page.
    problems.expectStatus(404);
    await page.keyboard.press('/');
    const where = await page.waitForFunction(() => document.activeElement?.matches('[data-search], input[type="search"]')
      || location.pathname === '/agent/search').then(() => true, () => false);
    t.ok(where, '/ focuses the search box or opens /agent/search', { url: page.url(), focused: await focused(page) });
    problems.clearExpected();

    await finish(t, session);
  });

  t.test('focus after swaps: a tab keeps it on the tab, a bulk change in the table (JS on)', async (t) => {
    const session = await openSession(t, browser, true);
    const { page, desk } = session;
    const password = await loadDemo(t, desk);
    await logInAs(t, session, 'supervisor@demo.test', password, 'Sam Supervisor');
    await page.goto(`${desk.baseUrl}/agent/tickets?view=all`);
    const first = (await rowLinks(page))[0]!;
    await page.locator(`#ticket-table a[href="${first}"]`).click();
    await landsOn(t, page, first);
    await page.locator('nav.tabs').getByRole('link', { name: 'History', exact: true }).focus();
    await page.keyboard.press('Enter');
    await page.locator('nav.tabs [aria-current="page"]', { hasText: 'History' }).waitFor();
    await page.waitForFunction(() => document.activeElement !== document.body);
    t.same(await focused(page), { tag: 'a', id: '', href: `${first}?tab=history`, text: 'History' },
      'after the tab swap the focus is on the History tab, now current');
    await page.goto(`${desk.baseUrl}/agent/tickets?view=all`);
    await page.locator('#ticket-table tbody input[name="ids"]').first().check();
    await page.locator('#bulk-priority').selectOption('urgent');
    await page.locator('#ticket-table').getByRole('button', { name: 'Apply' }).click();
    await page.locator('#ticket-table .flash, #ticket-table [role="status"]').first().waitFor();
    const inTable = await page.waitForFunction(() => !!document.activeElement?.closest('#ticket-table')).then(() => true, () => false);
    t.ok(inTable, 'after the swap the focus is in the ticket table, not lost on <body>', { focused: await focused(page) });
    await finish(t, session);
  });

  t.test('without JavaScript the shortcuts are absent and nothing breaks (JS off)', async (t) => {
    const session = await openSession(t, browser, false);
    const { page, desk } = session;
    const password = await loadDemo(t, desk);
    await logInAs(t, session, 'agent@demo.test', password, 'Robin Agent');
    await page.goto(`${desk.baseUrl}/agent/tickets?view=all`);
    t.equal(await page.locator('#keys-help').isVisible(), false, 'the help dialog is not shown');
    t.equal(await page.getByRole('button', { name: 'Keyboard shortcuts (press ?)' }).isVisible(), false,
      'nor the button that would open it (it needs JavaScript)');
    await page.keyboard.press('j');
    await page.keyboard.press('?');
    t.equal(new URL(page.url()).pathname, '/agent/tickets', 'keys do nothing: still on the list');
    await page.locator('#ticket-table tbody tr td[data-label="Subject"] a').first().click();
    await landsOn(t, page, /^\/agent\/tickets\/\d+$/);
    await finish(t, session);
  });
}
