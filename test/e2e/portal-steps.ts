// Steps for the customer-portal browser tests (portal.test.ts): a help topic with a required field
// put straight into the database, the staff side in its own browser context, mails parsed with
// mailparser, and small readers for the portal pages.
import { simpleParser, type ParsedMail } from 'mailparser';
import type { Browser, Page } from 'playwright-core';
import type { Test } from 'tap';
import { loadConfig } from '../../src/config.js';
import { connectDatabase } from '../../src/db/connect.js';
import type { TestSmtpServer } from '../helpers/smtp.js';
import { PageProblems, runCli, type RunningDesk } from './browser.js';
import { landsOn, logIn, sees, type Session } from './steps.js';

export const STAFF = { email: 'robin@example.test', name: 'Robin Agent', password: 'robin-secret-42' };
export const INVITEE = { email: 'cora@example.test', name: 'Cora Customer', password: 'cora-secret-42' };

/** A Windows executable's first bytes ("MZ", then the DOS stub): what a renamed setup.exe looks like. */
export const FAKE_EXE = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00', 'latin1'),
  Buffer.from('This program cannot be run in DOS mode.\r\r\n$'), Buffer.alloc(64)]);

/** Seed 002's "CRM Support" help topic with its mandatory dropdown "Issue", written into the desk's database while the server runs. */
export async function addCrmTopic(desk: RunningDesk): Promise<void> {
  const { db } = await connectDatabase(loadConfig({ LOG_LEVEL: 'silent', ...desk.env, DATA_DIR: desk.dataDir }).database);
  try {
    await db.transaction().execute(async (trx) => {
      const now = new Date().toISOString();
      const type = await trx.insertInto('ticket_types').values({ name: 'CRM Support', description: 'Problems with the CRM.', position: 2, created_at: now })
        .returning('id').executeTakeFirstOrThrow();
      const field = await trx.insertInto('fields').values({
        key: 'issue', label: 'Issue', kind: 'dropdown', required_for_customer: 1, options: JSON.stringify(['Login', 'Sync', 'Reports']), created_at: now,
      }).returning('id').executeTakeFirstOrThrow();
      await trx.insertInto('ticket_type_fields').values({ type_id: type.id, field_id: field.id, position: 1 }).execute();
    });
  } finally {
    await db.destroy();
  }
}

/** An agent added by CLI, logged in in a second browser context (same JS mode) with its own problem checker. */
export async function openStaff(t: Test, browser: Browser, session: Session) {
  const added = await runCli(session.desk, ['user', 'add', '--email', STAFF.email, '--name', STAFF.name, '--role', 'agent', '--password', STAFF.password]);
  t.equal(added.code, 0, 'deskbell user add (agent) succeeds while the server runs', { output: added.out });
  const context = await browser.newContext({ javaScriptEnabled: session.js, viewport: { width: 1100, height: 720 } });
  context.setDefaultTimeout(10_000);
  t.teardown(() => context.close().catch(() => undefined));
  const page = await context.newPage();
  const problems = new PageProblems(page);
  await logIn(page, session.desk, STAFF.email, STAFF.password);
  await landsOn(t, page, '/agent');
  await sees(t, page, `Signed in as ${STAFF.name}`);
  return { context, page, problems };
}

export type Staff = Awaited<ReturnType<typeof openStaff>>;

/** The first mail to `to` whose subject matches, parsed (quoted-printable and all); undefined after 10 s (the outbox polls every second). */
export async function mailTo(smtp: TestSmtpServer, to: string, subject: RegExp): Promise<ParsedMail | undefined> {
  const seen = new Map<string, ParsedMail>();
  const parse = async () => {
    for (const mail of smtp.received) {
      if (!mail.to.includes(to)) continue;
      if (!seen.has(mail.raw)) seen.set(mail.raw, await simpleParser(mail.raw));
      if (subject.test(seen.get(mail.raw)!.subject ?? '')) return seen.get(mail.raw);
    }
    return undefined;
  };
  let found: ParsedMail | undefined;
  const deadline = Date.now() + 10_000;
  while (!(found = await parse()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return found;
}

/** Every subject received so far, for failure messages. */
export async function subjects(smtp: TestSmtpServer): Promise<string[]> {
  return Promise.all(smtp.received.map(async (m) => `${m.to.join(',')}: ${(await simpleParser(m.raw)).subject ?? ''}`));
}

/** The status label at the head of the customer's ticket page. */
export async function portalStatus(page: Page): Promise<string> {
  const label = page.locator('#ticket-main .ticket-head .status');
  await label.waitFor();
  return (await label.innerText()).trim();
}

/** Wait (polling) until the agent's status bar shows `status` as current; resolves to what it shows. */
export async function agentStatus(page: Page, status: string): Promise<string> {
  const deadline = Date.now() + 5000;
  let shown = '';
  while (Date.now() < deadline) {
    shown = await page.locator('.status-bar [aria-current="step"] button').evaluate((b) => {
      const copy = b.cloneNode(true) as Element;
      copy.querySelectorAll('.visually-hidden').forEach((e) => e.remove());
      return copy.textContent!.trim();
    }).catch(() => '');
    if (shown === status) return shown;
    await page.waitForTimeout(50);
  }
  return shown;
}

/** The staff member moves the ticket in the status bar and waits for it to show. */
export async function staffSetsStatus(t: Test, staff: Staff, path: string, desk: RunningDesk, status: string): Promise<void> {
  await staff.page.goto(desk.baseUrl + path);
  await staff.page.locator('.status-bar').getByRole('button', { name: status, exact: true }).click();
  t.equal(await agentStatus(staff.page, status), status, `the agent's status bar shows ${status}`);
}

/** My tickets rows as { column header: cell text }. */
export async function portalRows(page: Page): Promise<Record<string, string>[]> {
  await page.locator('table.portal-tickets').waitFor();
  return page.locator('table.portal-tickets').evaluate((table) => {
    const heads = Array.from(table.querySelectorAll('thead th'), (th) => th.textContent!.trim());
    return Array.from(table.querySelectorAll('tbody tr'), (tr) =>
      Object.fromEntries(Array.from(tr.querySelectorAll('td'), (td, i) => [heads[i]!, td.textContent!.replace(/\s+/g, ' ').trim()])));
  });
}

/** The status lines folded into the customer's conversation (the timeline), as text. */
export async function timeline(page: Page): Promise<string[]> {
  return page.locator('#ticket-main .conversation .status-line').evaluateAll((items) => items.map((li) => li.textContent!.replace(/\s+/g, ' ').trim()));
}

/** A field's label exactly, with or without the required mark ("Subject *"): for getByLabel. */
export const label = (text: string) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\s*\\*)?$`);
