// Accessibility: axe-core on every main page, agent and portal, with JavaScript on, in the light and
// the dark colour scheme. Zero serious or critical violations; on failure the rule ids and targets.
import t from 'tap';
import type { Page } from 'playwright-core';
import type { Test } from 'tap';
import { launchBrowser } from './browser.js';
import { accessible, submitPortalTicket } from './a11y-steps.js';
import { finish, landsOn, logIn, openSession, sees, type Session } from './steps.js';
import { loadDemo, logInAs, openTab } from './workspace-steps.js';

// Every main page in two colour schemes, with JS on: more than tap's default two minutes on a busy machine.
t.setTimeout(360_000);
const browser = await launchBrowser(t);

const AGENT_PAGES = ['/agent', '/agent/search?q=printer', '/agent/tickets', '/agent/tickets?view=all', '/agent/tickets/new', '/agent/offers', '/agent/views', '/agent/team', '/account',
  '/admin', '/admin/statuses', '/admin/types', '/admin/fields', '/admin/users', '/admin/organizations', '/admin/groups',
  '/admin/settings', '/admin/texts', '/admin/audit',
  '/admin/sla', '/admin/sla/policies/new', '/admin/sla/calendars/new'];
const TABS = ['General', 'Updates', 'Internal Updates', 'History', 'Video Sessions', 'Fleet Management'];

async function visit(t: Test, page: Page, url: string, path: string): Promise<void> {
  await page.goto(url + path);
  await landsOn(t, page, path.split('?')[0]!);
}

/** The first ticket of the agent list, opened; resolves to its path. */
async function firstTicket(t: Test, session: Session): Promise<string> {
  const { page, desk } = session;
  await visit(t, page, desk.baseUrl, '/agent/tickets?view=all');
  await page.locator('#ticket-table tbody tr td[data-label="Subject"] a').first().click();
  await landsOn(t, page, /^\/agent\/tickets\/\d+$/);
  return new URL(page.url()).pathname;
}

async function everyPage(t: Test, session: Session, password: string, scheme: string): Promise<void> {
  const { page, desk } = session;
  await visit(t, page, desk.baseUrl, '/login');
  await accessible(t, page, `login (${scheme})`);
  await logInAs(t, session, 'admin@demo.test', password, 'Alex Admin');

  for (const path of AGENT_PAGES) {
    await visit(t, page, desk.baseUrl, path);
    await accessible(t, page, `${path} (${scheme})`);
  }

  // The agent's new-ticket form sent empty: errors tied to their fields, announced, and axe-clean.
  await visit(t, page, desk.baseUrl, '/agent/tickets/new');
  session.problems.expectStatus(422);
  await page.locator('form:has(#f-subject)').evaluate((form: HTMLFormElement) => { form.noValidate = true; });
  await page.getByRole('button', { name: 'Create ticket' }).click();
  await page.locator('#f-subject[aria-invalid="true"]').waitFor();
  t.match(await page.locator('#f-subject').getAttribute('aria-describedby') ?? '', /f-subject-error/, 'the agent form\'s Subject is described by its error');
  await accessible(t, page, `the agent's new-ticket form with errors (${scheme})`);
  session.problems.clearExpected();

  const ticket = await firstTicket(t, session);
  for (const tab of TABS) {
    await openTab(t, session, tab);
    await accessible(t, page, `ticket details, ${tab} tab (${scheme})`);
  }
  await visit(t, page, desk.baseUrl, ticket);
  await page.locator('.ticket-actions').getByRole('link', { name: 'Edit', exact: true }).click();
  await page.locator('dialog#edit-dialog[open]').waitFor();
  await accessible(t, page, `the "Updating Ticket" dialog (${scheme})`);
  await page.keyboard.press('Escape');
  await page.locator('dialog#edit-dialog').waitFor({ state: 'detached' });
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press('?');
  await page.locator('dialog#keys-help[open]').waitFor();
  await accessible(t, page, `the keyboard shortcuts help (${scheme})`);
  await page.keyboard.press('Escape');

  await page.getByRole('button', { name: 'Log out' }).click();
  await landsOn(t, page, '/login');
  await logIn(page, desk, 'customer@acme.test', password);
  await landsOn(t, page, /^\/portal/);
  for (const path of ['/portal', '/portal/tickets/new', '/portal/tickets']) {
    await visit(t, page, desk.baseUrl, path);
    await accessible(t, page, `${path} (${scheme})`);
  }
  // A submit with nothing filled in: each error is tied to its field and announced.
  await visit(t, page, desk.baseUrl, '/portal/tickets/new');
  session.problems.expectStatus(422);
  await page.locator('#submit-form').evaluate((form: HTMLFormElement) => { form.noValidate = true; });
  await page.locator('#submit-form').getByRole('button', { name: 'Submit ticket' }).click();
  await page.locator('#f-subject[aria-invalid="true"]').waitFor();
  const subject = page.locator('#f-subject');
  const describedBy = (await subject.getAttribute('aria-describedby')) ?? '';
  const errorText = await page.locator(describedBy.split(' ').map((id) => `#${id}.error`).join(', ')).innerText().catch(() => '');
  t.ok(errorText.length > 0, 'the Subject field is described by its error message', { describedBy, errorText });
  t.ok(await page.locator('[role="alert"]').count() > 0, 'the errors are announced (role="alert")');
  t.equal(await page.evaluate(() => document.activeElement?.matches('[aria-invalid="true"], [role="alert"]')), true,
    'focus moves to the first invalid field or the alert');
  await accessible(t, page, `the portal form with errors (${scheme})`);
  session.problems.clearExpected();

  await submitPortalTicket(t, page, 'Printer on floor 2 jams', 'Every second page jams since Monday.');
  await sees(t, page, 'Printer on floor 2 jams');
  await accessible(t, page, `a portal ticket page (${scheme})`);
}

if (browser) {
  for (const scheme of ['light', 'dark'] as const) {
    t.test(`axe on every main page, agent and portal (JS on, ${scheme})`, async (t) => {
      const session = await openSession(t, browser, true);
      await session.page.emulateMedia({ colorScheme: scheme });
      const password = await loadDemo(t, session.desk);
      await everyPage(t, session, password, scheme);
      await finish(t, session);
    });
  }
}
