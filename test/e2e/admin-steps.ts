// Steps for the admin browser test (admin-type.test.ts): a customer added by CLI in its own browser
// context, and small readers for the admin tables, the facts lists and the audit log.
import type { Browser, Locator, Page } from 'playwright-core';
import type { Test } from 'tap';
import { PageProblems, runCli } from './browser.js';
import { CUSTOMER, landsOn, logIn, sees, type Session } from './steps.js';

/** A customer added by `deskbell user add`, logged in in a second browser context (same JS mode) with its own problem checker. */
export async function openCustomer(t: Test, browser: Browser, session: Session) {
  const added = await runCli(session.desk, ['user', 'add', '--email', CUSTOMER.email, '--name', CUSTOMER.name, '--role', 'customer', '--password', CUSTOMER.password]);
  t.equal(added.code, 0, 'deskbell user add (customer) succeeds while the server runs', { output: added.out });
  const context = await browser.newContext({ javaScriptEnabled: session.js, viewport: { width: 1100, height: 720 } });
  context.setDefaultTimeout(10_000);
  t.teardown(() => context.close().catch(() => undefined));
  const page = await context.newPage();
  const problems = new PageProblems(page);
  await logIn(page, session.desk, CUSTOMER.email, CUSTOMER.password);
  await landsOn(t, page, '/portal');
  await sees(t, page, `Signed in as ${CUSTOMER.name}`, 'the customer is logged in');
  return { context, page, problems };
}

export type Customer = Awaited<ReturnType<typeof openCustomer>>;

/** A <dl class="facts"> as { term: description } (whitespace collapsed). */
export async function facts(list: Locator): Promise<Record<string, string>> {
  await list.waitFor();
  return list.evaluate((dl) => {
    const out: Record<string, string> = {};
    for (const dt of Array.from(dl.querySelectorAll('dt'))) {
      const dd = dt.nextElementSibling;
      if (dd?.tagName === 'DD') out[dt.textContent!.trim()] = dd.textContent!.replace(/\s+/g, ' ').trim();
    }
    return out;
  });
}

/** A table's body rows as { column header: cell text }. */
export async function rows(page: Page, selector: string): Promise<Record<string, string>[]> {
  await page.locator(selector).waitFor();
  return page.locator(selector).evaluate((table) => {
    const heads = Array.from(table.querySelectorAll('thead th'), (th) => th.textContent!.trim());
    return Array.from(table.querySelectorAll('tbody tr'), (tr) =>
      Object.fromEntries(Array.from(tr.querySelectorAll('td'), (td, i) => [heads[i]!, td.textContent!.replace(/\s+/g, ' ').trim()])));
  });
}

/** The error text shown under a form control (its aria-describedby "...-error" paragraph), '' if none. */
export async function errorOf(control: Locator): Promise<string> {
  const ids = (await control.getAttribute('aria-describedby')) ?? '';
  const id = ids.split(/\s+/).find((i) => i.endsWith('-error'));
  if (!id) return '';
  return (await control.page().locator(`#${id}`).innerText()).trim();
}
