// Steps for issue 21's browser tests (sla.test.ts, triggers.test.ts): an admin builds a group, an
// SLA policy and a trigger in the admin pages; a customer submits a ticket; the agent reloads a page
// until the worker has done its part.
import type { Browser, Page } from 'playwright-core';
import type { Test } from 'tap';
import { errorOf, openCustomer } from './admin-steps.js';
import { label } from './portal-steps.js';
import { landsOn, sees, type Session } from './steps.js';

/** A group made in Admin → Groups. */
export async function createGroup(t: Test, session: Session, name: string): Promise<void> {
  const { page, desk } = session;
  await page.goto(`${desk.baseUrl}/admin/groups`);
  await page.getByRole('link', { name: 'New group', exact: true }).click();
  await landsOn(t, page, '/admin/groups/new');
  await page.locator('main form').getByLabel(label('Name')).fill(name);
  await page.getByRole('button', { name: 'Create group', exact: true }).click();
  await sees(t, page, 'The group is created.', `the group ${name} is created`);
}

export interface PolicyPlan {
  name: string;
  /** First reply target in minutes, round the clock (so the state does not depend on when the test runs). */
  firstReplyMinutes: number;
  /** The groups the policy is for (ticked in its "Group" boxes); every ticket without. */
  groups?: string[];
}

/** An SLA policy made in Admin → SLA, after a refused try without a target (its values kept). */
export async function buildPolicy(t: Test, session: Session, plan: PolicyPlan): Promise<void> {
  const { page, desk, problems } = session;
  await page.goto(`${desk.baseUrl}/admin/sla`);
  await sees(t, page, 'No SLA policy yet');
  await page.getByRole('link', { name: 'New SLA policy', exact: true }).click();
  await landsOn(t, page, '/admin/sla/policies/new');
  const form = page.locator('main form');
  await form.getByLabel(label('Name')).fill(plan.name);
  for (const group of plan.groups ?? []) await form.getByRole('group', { name: 'Group', exact: true }).getByLabel(group, { exact: true }).check();
  problems.expectStatus(422);
  await form.getByRole('button', { name: 'Save', exact: true }).click();
  await sees(t, page, 'Set at least one target.', 'a policy without a target is refused');
  t.equal(await errorOf(form.getByLabel('First reply (minutes)', { exact: true })), 'Set at least one target.', 'the error is shown at the first reply');
  t.equal(await form.getByLabel(label('Name')).inputValue(), plan.name, 'the name is kept');
  for (const group of plan.groups ?? []) {
    t.ok(await form.getByRole('group', { name: 'Group', exact: true }).getByLabel(group, { exact: true }).isChecked(), `the group ${group} stays ticked`);
  }
  problems.clearExpected();
  await form.getByLabel('First reply (minutes)', { exact: true }).fill(String(plan.firstReplyMinutes));
  await form.getByLabel('Count in business hours (else round the clock)').first().uncheck();
  await form.getByRole('button', { name: 'Save', exact: true }).click();
  await landsOn(t, page, '/admin/sla');
  await sees(t, page, `${plan.firstReplyMinutes} min (round the clock)`, 'the list shows the policy\'s first reply target');
}

/** The customer (added by the CLI) submits a ticket in the portal, in their own browser context; its number. */
export async function customerSubmits(t: Test, browser: Browser, session: Session, subject: string, message: string): Promise<number> {
  const customer = await openCustomer(t, browser, session);
  await customer.page.goto(`${session.desk.baseUrl}/portal/tickets/new`);
  const form = customer.page.locator('#submit-form');
  await form.getByLabel(label('Subject')).fill(subject);
  await form.getByLabel(label('Message')).fill(message);
  await form.getByRole('button', { name: 'Submit ticket' }).click();
  await landsOn(t, customer.page, /^\/portal\/tickets\/\d+\/submitted$/);
  const id = Number(new URL(customer.page.url()).pathname.split('/')[3]);
  await customer.context.close();
  return id;
}

/**
 * Open `path` until `ready` says the worker's part is there (triggers and SLA clocks run moments after
 * the request); whether it came. A wait for the worker, not a measure of its speed.
 */
export async function reloadUntil(page: Page, url: string, ready: (page: Page) => Promise<boolean>, rounds = 40): Promise<boolean> {
  for (let i = 0; i < rounds; i++) {
    await page.goto(url);
    if (await ready(page)) return true;
    await page.waitForTimeout(250);
  }
  return false;
}
