// Steps for the agent-workspace browser tests (workspace.test.ts): demo data by CLI, a real SMTP
// server on loopback, and small readers for the list, the status bar, the facts and the mails.
import type { Locator, Page } from 'playwright-core';
import type { Test } from 'tap';
import { header, TestSmtpServer, type ReceivedMail } from '../helpers/smtp.js';
import { runCli, type RunningDesk } from './browser.js';
import { landsOn, logIn, sees, type Session } from './steps.js';

/** A 1×1 PNG (real bytes: the server decides the type from them). */
export const PIXEL_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

export const AGENT = 'agent@demo.test';
export const SUPERVISOR = 'supervisor@demo.test';
/** Added with `deskbell user add`: the person the supervisor assigns the ticket to. */
export const ASSIGNEE = { email: 'quinn@example.test', name: 'Quinn Assignee', password: 'quinn-secret-42' };

/** A real SMTP server on loopback for the whole test; stopped at teardown. */
export async function startSmtp(t: Test): Promise<TestSmtpServer> {
  const smtp = new TestSmtpServer();
  await smtp.start(0);
  t.teardown(() => smtp.stop());
  return smtp;
}

/** `deskbell demo --tickets 20` (or as many as asked) and `deskbell user add` for ASSIGNEE; resolves to the demo password. */
export async function loadDemo(t: Test, desk: RunningDesk, tickets = 20): Promise<string> {
  const demo = await runCli(desk, ['demo', '--tickets', String(tickets)]);
  t.equal(demo.code, 0, 'deskbell demo succeeds while the server runs', { output: demo.out });
  const password = /with password (\S+)/.exec(demo.out)?.[1];
  if (!password) throw new Error(`no password in the demo output:\n${demo.out}`);
  const added = await runCli(desk, ['user', 'add', '--email', ASSIGNEE.email, '--name', ASSIGNEE.name, '--role', 'agent', '--password', ASSIGNEE.password]);
  t.equal(added.code, 0, 'deskbell user add (agent) succeeds', { output: added.out });
  return password;
}

export async function logInAs(t: Test, session: Session, email: string, password: string, name: string): Promise<void> {
  await logIn(session.page, session.desk, email, password);
  await landsOn(t, session.page, '/agent');
  await sees(t, session.page, `Signed in as ${name}`);
}

/** Tag the window and an element: both survive htmx swaps, neither survives a page load. */
export async function markPage(page: Page, selector: string): Promise<void> {
  await page.evaluate((sel) => {
    const w = window as unknown as { e2eMarked?: Element | null };
    w.e2eMarked = document.querySelector(sel);
  }, selector);
}

/** Same window (no full load) and, if `selector` is given, the very same DOM node as when marked. */
export async function samePage(page: Page, selector?: string): Promise<{ sameWindow: boolean; sameNode: boolean }> {
  return page.evaluate((sel) => {
    const w = window as unknown as { e2eMarked?: Element | null };
    return { sameWindow: 'e2eMarked' in w, sameNode: sel ? !!w.e2eMarked && w.e2eMarked === document.querySelector(sel) : false };
  }, selector);
}

/** The list's rows as { column header: cell text }. */
export type Row = Record<'ID' | 'Subject' | 'Type' | 'Status' | 'Assignee', string> & Record<string, string>;

export async function tableRows(page: Page): Promise<Row[]> {
  return page.locator('#ticket-table').evaluate((table): Row[] => {
    const heads = Array.from(table.querySelectorAll('thead th'), (th) => th.textContent!.trim());
    return Array.from(table.querySelectorAll('tbody tr'), (tr) =>
      Object.fromEntries(Array.from(tr.querySelectorAll('td'), (td, i) => [heads[i]!, td.textContent!.replace(/\s+/g, ' ').trim()])) as Row);
  });
}

/** The text of a <select>'s chosen option. */
export const selected = (select: Locator): Promise<string> =>
  select.evaluate((s: HTMLSelectElement) => s.selectedOptions[0]?.textContent?.trim() ?? '');

/** A side-menu view link, e.g. "Unassigned" (its name also holds the count). */
export function viewLink(page: Page, label: string): Locator {
  return page.locator('nav.side-menu a').filter({ has: page.locator('span:first-child', { hasText: new RegExp(`^${label}$`) }) });
}

/**
 * A view's count as the side menu shows it. With JavaScript the menu loads its counts after the page
 * (hx-trigger="load"); without, the page has none, so this reads what that request would have swapped
 * in (GET /agent/tickets/menu, with the page's cookies).
 */
export async function viewCount(page: Page, label: string): Promise<number> {
  const link = viewLink(page, label).locator('.count');
  if (await page.locator('#menu-views[hx-get]').count() > 0 && !(await page.evaluate(() => 'htmx' in window))) {
    const html = await (await page.request.get(new URL('/agent/tickets/menu', page.url()).toString())).text();
    const match = new RegExp(`<span>${label}</span>\\s*<span class="count">([^<]+)</span>`).exec(html);
    return Number(match?.[1]);
  }
  return Number(await link.innerText());
}

/** The status bar's current step, e.g. "Pending" (without the hidden "(current status)"). */
export async function currentStatus(page: Page): Promise<string> {
  const current = page.locator('.status-bar [aria-current="step"]');
  await current.waitFor();
  return current.evaluate((li) => {
    const button = li.querySelector('button')!.cloneNode(true) as Element;
    button.querySelectorAll('.visually-hidden').forEach((e) => e.remove());
    return button.textContent!.trim();
  });
}

/** Wait (polling) until the status bar's current step is `status`; resolves to what it shows. */
export async function waitForStatus(page: Page, status: string, timeoutMs = 5000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let shown = '';
  while (Date.now() < deadline) {
    shown = await currentStatus(page).catch(() => '');
    if (shown === status) return shown;
    await page.waitForTimeout(50);
  }
  return shown;
}

/**
 * The value of a fact in the ticket's side panel ("Assignee", "Domain Approved", ...): what its form
 * control shows (a select's chosen option, a field's value), else the text of its read-only entry.
 */
export async function fact(page: Page, label: string): Promise<string> {
  const panel = page.locator('.ticket-panel');
  await panel.waitFor();
  const control = panel.getByLabel(new RegExp(`^${label}(\\s*\\*)?$`));
  if (await control.count() > 0) {
    return control.first().evaluate((el) => (el instanceof HTMLSelectElement ? el.selectedOptions[0]?.textContent ?? ''
      : el instanceof HTMLInputElement && el.type === 'checkbox' ? (el.checked ? 'Yes' : 'No') : (el as HTMLInputElement).value).trim());
  }
  const dt = panel.locator('dl.facts dt').filter({ hasText: new RegExp(`^${label}$`) });
  await dt.first().waitFor();
  return (await dt.first().locator('xpath=following-sibling::dd[1]').innerText()).trim();
}

/** History rows as "who | change | from | to". */
export async function historyRows(page: Page): Promise<string[]> {
  await page.locator('table.history').waitFor();
  return page.locator('table.history tbody tr').evaluateAll((rows) =>
    rows.map((tr) => Array.from(tr.querySelectorAll('td')).slice(1).map((td) => td.textContent!.trim()).join(' | ')));
}

/**
 * Open a tab of the details view by its link (a plain link without JS, an htmx swap with it) and wait
 * until the page shows it: with JS, the #ticket-main seen before the click swapped out; then that very
 * tab marked current. "The tab is current" alone holds at once when it already was (General on
 * arrival), and a click made while this tab's request is still out is lost: htmx drops the later
 * response, whose target (the old #ticket-main) the earlier swap removed.
 */
export async function openTab(t: Test, session: Session, name: string): Promise<void> {
  const { page, js } = session;
  const before = js ? await page.locator('#ticket-main').elementHandle() : null;
  await page.locator('nav.tabs').getByRole('link', { name, exact: true }).click();
  const swapped = before ? await page.waitForFunction((main) => !main.isConnected, before).then(() => true, () => false) : true;
  await before?.dispose();
  const current = page.locator('nav.tabs').getByRole('link', { name, exact: true }).and(page.locator('[aria-current="page"]'));
  const shown = swapped && await current.waitFor().then(() => true, () => false);
  t.ok(shown, `the "${name}" tab is the current one`, shown ? {} : { swapped, url: page.url() });
}

/** Wait up to `timeoutMs` for a mail matching `match` (the outbox worker polls every second). */
export async function waitForMail(smtp: TestSmtpServer, match: (mail: ReceivedMail) => boolean, timeoutMs = 10_000): Promise<ReceivedMail | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mail = smtp.received.find(match);
    if (mail || Date.now() > deadline) return mail;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const subjectOf = (mail: ReceivedMail) => header(mail.raw, 'subject') ?? '';

/** No console error, CSP violation or uncaught exception since `since` (an index into problems). */
export function noNewProblems(t: Test, session: Session, since: number, flow: string): void {
  const fresh = session.problems.problems.slice(since);
  t.same(fresh, [], `no console errors or CSP violations during: ${flow}`);
}

/** Run one flow as a subtest; afterwards, no console errors or CSP violations happened during it. */
export function flow(t: Test, session: Session, name: string, body: (t: Test) => Promise<void>) {
  return t.test(name, async (t) => {
    const since = session.problems.problems.length;
    await body(t);
    noNewProblems(t, session, since, name);
  });
}
