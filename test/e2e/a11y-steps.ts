// axe-core in the browser tests: injected through the DevTools protocol (page.evaluate), which the
// page's Content-Security-Policy does not govern, so the pages are checked exactly as users get them.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import type { Test } from 'tap';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface Finding { id: string; impact: string; help: string; targets: string[] }

/** Run axe on the page (WCAG 2.0/2.1 A and AA rules); resolves to its serious and critical findings. */
export async function axeFindings(page: Page, only?: string[]): Promise<Finding[]> {
  await page.waitForLoadState('load');
  const loaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe === 'object');
  if (!loaded) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async (rules) => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }> }> } }).axe;
    const options = rules ? { runOnly: { type: 'rule', values: rules } } : { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } };
    const result = await axe.run(document, options);
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact ?? '', help: v.help, targets: v.nodes.map((n) => n.target.map(String).join(' ')) }));
  }, only ?? null);
}

/** No serious or critical axe violation on the page as it is now; the rule ids and targets otherwise. */
export async function accessible(t: Test, page: Page, what: string, only?: string[]): Promise<void> {
  const findings = await axeFindings(page, only);
  t.same(findings.map((f) => `${f.id} (${f.impact}): ${f.targets.slice(0, 5).join(' | ')}`), [],
    `axe finds no serious or critical violations: ${what}`, findings.length ? { url: page.url(), findings } : {});
}

/** The customer submits a ticket through the portal form; resolves to the ticket's portal path. */
export async function submitPortalTicket(t: Test, page: Page, subject: string, message: string): Promise<string> {
  await page.locator('header.topbar nav').getByRole('link', { name: 'Submit a ticket' }).click();
  await page.waitForURL((url) => url.pathname === '/portal/tickets/new');
  const form = page.locator('#submit-form');
  await form.getByLabel('Subject').fill(subject);
  await form.getByLabel('Message').fill(message);
  await form.getByRole('button', { name: 'Submit ticket' }).click();
  const submitted = await page.waitForURL((url) => /^\/portal\/tickets\/\d+\/submitted$/.test(url.pathname)).then(() => true, () => false);
  t.ok(submitted, 'the portal confirms the new ticket', submitted ? {} : { url: page.url() });
  await page.getByRole('link', { name: 'Track your ticket' }).click();
  await page.waitForURL((url) => /^\/portal\/tickets\/\d+$/.test(url.pathname));
  return new URL(page.url()).pathname;
}
