// What a person does in Deskbell, as browser steps shared by the e2e tests (JavaScript on and off).
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Test } from 'tap';
import { PageProblems, startDesk, type DeskOptions, type RunningDesk } from './browser.js';

export const ADMIN = { name: 'Ada Admin', email: 'ada@example.test', password: 'correct horse battery' };
export const CUSTOMER = { name: 'Cora Customer', email: 'c@example.test', password: 'cora-secret-42' };

export const mode = (js: boolean) => (js ? 'JS on' : 'JS off');

export interface Session {
  desk: RunningDesk;
  context: BrowserContext;
  page: Page;
  problems: PageProblems;
  js: boolean;
}

/**
 * A fresh server and data dir, and a browser context with JavaScript on or off. Teardown closes
 * the context; call `finish` at the end of the test for the final checks and the graceful stop.
 */
export async function openSession(t: Test, browser: Browser, js: boolean, options: DeskOptions = {}): Promise<Session> {
  const desk = await startDesk(t, options);
  const context = await browser.newContext({ javaScriptEnabled: js, viewport: { width: 1100, height: 720 } });
  context.setDefaultTimeout(10_000);
  t.teardown(() => context.close().catch(() => undefined));
  const page = await context.newPage();
  return { desk, context, page, problems: new PageProblems(page), js };
}

/** No console errors or CSP violations on any page; then stop the server and check its exit code. */
export async function finish(t: Test, session: Session): Promise<void> {
  const { problems, favicon } = session.problems;
  t.same(problems, [], 'no console errors, CSP violations or uncaught exceptions',
    problems.length ? { server: session.desk.output().slice(-4000) } : {});
  t.same(favicon, [], 'the browser\'s automatic GET /favicon.ico does not fail (a console error on every first page)');
  await session.context.close();
  await session.desk.stop(t);
}

/** Visible text on the page (waits for it: with JS on, htmx swaps the new body in after the request). */
export async function sees(t: Test, page: Page, text: string | RegExp, message?: string): Promise<void> {
  const found = await page.getByText(text).first().waitFor({ state: 'visible' }).then(() => true, () => false);
  t.ok(found, message ?? `the page shows ${String(text)}`, found ? {} : { url: page.url(), body: (await page.locator('body').innerText()).slice(0, 2000) });
}

/** Wait until the address bar ends with `path` (boosted htmx navigation pushes the URL too). */
export async function landsOn(t: Test, page: Page, path: string | RegExp): Promise<void> {
  const matcher = typeof path === 'string' ? (url: URL) => url.pathname === path : (url: URL) => path.test(url.pathname);
  const ok = await page.waitForURL(matcher).then(() => true, () => false);
  // On a miss, say what the page said (a flash or an alert often names the reason).
  const said = ok ? [] : await page.locator('.flash, [role=alert]').allTextContents().catch(() => []);
  t.ok(ok, `lands on ${String(path)}`, ok ? {} : { url: page.url(), said });
}

/** With JS on, htmx 4 is loaded and boosting the body; with JS off, nothing ran. */
export async function checkHtmx(t: Test, session: Session): Promise<void> {
  if (!session.js) return;
  t.equal(await session.page.evaluate(() => typeof (window as unknown as { htmx?: unknown }).htmx), 'object', 'htmx is loaded');
}

/** Follow the printed setup link and create the first admin; ends in the agent area. */
export async function createFirstAdmin(t: Test, session: Session, admin = ADMIN): Promise<void> {
  const { page, desk } = session;
  const response = await page.goto(desk.setupLink);
  t.equal(response?.status(), 200, 'the setup link opens the setup page');
  await page.getByLabel('Your name').fill(admin.name);
  await page.getByLabel('Email').fill(admin.email);
  await page.getByLabel('Password').fill(admin.password);
  await page.getByRole('button', { name: 'Create admin and log in' }).click();
  await landsOn(t, page, '/agent');
  await sees(t, page, `Signed in as ${admin.name}`);
}

export async function logOut(t: Test, page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Log out' }).click();
  await landsOn(t, page, '/login');
  await page.getByRole('button', { name: 'Log in' }).waitFor();
  t.equal(await page.getByRole('button', { name: 'Log out' }).count(), 0, 'the "Log out" button is gone');
}

/** Fill the login form at /login (goes there first if needed) and submit it. */
export async function logIn(page: Page, desk: RunningDesk, email: string, password: string): Promise<void> {
  if (new URL(page.url(), desk.baseUrl).pathname !== '/login') await page.goto(`${desk.baseUrl}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

export interface NewTicket {
  requesterEmail: string;
  subject: string;
  message: string;
  /** The ticket type to choose in the form (by its name); without it the form's preselection stays. */
  type?: string;
}

/** Open a ticket as the agent through /agent/tickets/new; resolves to the ticket's details path. */
export async function createTicket(t: Test, session: Session, ticket: NewTicket): Promise<string> {
  const { page, desk } = session;
  await page.goto(`${desk.baseUrl}/agent/tickets/new`);
  await page.getByLabel('Requester email').fill(ticket.requesterEmail);
  await page.getByLabel('Subject').fill(ticket.subject);
  await page.getByLabel('Message').fill(ticket.message);
  if (ticket.type) await page.getByLabel('Type', { exact: true }).selectOption({ label: ticket.type });
  await page.getByRole('button', { name: 'Create ticket' }).click();
  await landsOn(t, page, /^\/agent\/tickets\/\d+$/);
  await sees(t, page, ticket.subject, 'the details page shows the subject');
  await sees(t, page, ticket.message.split('\n')[0]!, 'the details page shows the first message');
  return new URL(page.url()).pathname;
}
