// The pictures in the README, taken from the real app with demo data: the portal's submit form and
// My tickets, the agent list, a ticket with its status bar, "Updating Ticket", the fleet tab, and a
// phone-sized and a dark variant. `npm run screenshots` (SCREENSHOTS=1) writes them to
// docs/screenshots/; ordinary test runs write to the git-ignored screenshots/ folder instead.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { Page } from 'playwright-core';
import { launchBrowser, ROOT, SCREENSHOTS } from './browser.js';
import { finish, landsOn, logIn, openSession, sees } from './steps.js';
import { currentStatus, loadDemo, logInAs } from './workspace-steps.js';

const browser = await launchBrowser(t);
const DIR = process.env.SCREENSHOTS === '1' ? join(ROOT, 'docs', 'screenshots') : SCREENSHOTS;

async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(DIR, { recursive: true });
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  // caret: 'initial' keeps Playwright from leaving style="" behind (see browser.ts screenshot()).
  await page.screenshot({ path: join(DIR, `${name}.png`), caret: 'initial', animations: 'disabled' });
}

if (browser) {
  t.test(`screenshots of the main pages into ${DIR}`, async (t) => {
    const session = await openSession(t, browser, true);
    const { page, desk } = session;
    await page.setViewportSize({ width: 1280, height: 800 });
    const password = await loadDemo(t, desk);

    // The customer: the submit form, then My tickets.
    await logIn(page, desk, 'customer@acme.test', password);
    await landsOn(t, page, /^\/portal/);
    await page.goto(`${desk.baseUrl}/portal/tickets/new`);
    const form = page.locator('#submit-form');
    await form.getByLabel('Subject').fill('Invoices do not sync since Monday');
    await form.getByLabel('Message').fill('The CRM shows last week\'s invoices.\nThe phone app has the same problem.');
    await shoot(page, 'portal-submit');
    await form.getByRole('button', { name: 'Submit ticket' }).click();
    await landsOn(t, page, /^\/portal\/tickets\/\d+\/submitted$/);
    await page.locator('header.topbar nav').getByRole('link', { name: 'My tickets' }).click();
    await landsOn(t, page, '/portal/tickets');
    await sees(t, page, 'Invoices do not sync since Monday', 'My tickets lists the new ticket');
    await shoot(page, 'portal-my-tickets');
    await page.setViewportSize({ width: 375, height: 740 });
    await page.getByRole('link', { name: 'Invoices do not sync since Monday' }).click();
    await landsOn(t, page, /^\/portal\/tickets\/\d+$/);
    await sees(t, page, 'The CRM shows last week\'s invoices.');
    await shoot(page, 'portal-ticket-mobile');
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByRole('button', { name: 'Log out' }).click();
    await landsOn(t, page, '/login');

    // The supervisor: the list, a ticket with its status bar, the edit dialog, the fleet tab.
    await logInAs(t, session, 'supervisor@demo.test', password, 'Sam Supervisor');
    await shoot(page, 'dashboard');
    await page.goto(`${session.desk.baseUrl}/agent/tickets?view=all`);
    await shoot(page, 'agent-list');
    await page.setViewportSize({ width: 375, height: 740 });
    await shoot(page, 'agent-list-mobile');
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByRole('link', { name: 'Invoices do not sync since Monday' }).click();
    await landsOn(t, page, /^\/agent\/tickets\/\d+$/);
    t.equal(await currentStatus(page), 'New', 'the status bar shows the new ticket as New');
    await shoot(page, 'ticket-details');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shoot(page, 'ticket-details-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.locator('.ticket-actions').getByRole('link', { name: 'Edit', exact: true }).click();
    await page.locator('dialog#edit-dialog[open]').waitFor();
    await sees(t, page, 'Updating Ticket');
    await shoot(page, 'edit-modal');
    await page.keyboard.press('Escape');
    await page.locator('nav.tabs').getByRole('link', { name: 'Fleet Management', exact: true }).click();
    await page.locator('#fleet-available tbody tr').first().waitFor();
    // Assign first: an assignment withdraws the offers still open.
    await page.locator('#fleet-available').getByRole('button', { name: /^Assign: / }).first().click();
    await sees(t, page, 'Employee assigned.');
    await page.locator('#fleet-available').getByRole('button', { name: /^Offer: / }).first().click();
    await sees(t, page, 'Offer sent.');
    t.equal(await page.locator('#fleet-requested tbody tr').count(), 1, 'one employee has an offer');
    t.equal(await page.locator('#fleet-assigned tbody tr').count(), 1, 'one employee is assigned');
    await page.locator('#fleet-title').scrollIntoViewIfNeeded();
    await shoot(page, 'fleet-tab');
    await finish(t, session);
  });
}
