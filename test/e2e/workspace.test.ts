// Browser tests of the agent workspace (issue 3): list → filter → open → status bar → reply and note
// with an attachment → "Updating Ticket" with a type field → assignment with its mail arriving at a
// real SMTP server on loopback. The same flows with JavaScript on and off; a fresh server per mode.
import t from 'tap';
import type { Test } from 'tap';
import type { TestSmtpServer } from '../helpers/smtp.js';
import { launchBrowser, screenshot } from './browser.js';
import { checkHtmx, createTicket, finish, landsOn, logOut, mode, openSession, sees, type Session } from './steps.js';
import {
  AGENT, ASSIGNEE, PIXEL_PNG, SUPERVISOR, currentStatus, fact, historyRows, loadDemo, flow, logInAs, markPage,
  openTab, samePage, selected, startSmtp, subjectOf, tableRows, viewCount, viewLink, waitForMail, waitForStatus,
} from './workspace-steps.js';

const browser = await launchBrowser(t);

interface Ticket { subject: string; path: string; id: number }

/** 1. Side menu views, then the filter form: an htmx swap of #ticket-table only (JS on) or a GET form (JS off). */
async function listAndFilter(t: Test, session: Session, ticket: Ticket, suffix: string) {
  const { page, desk, js } = session;
  await page.goto(`${desk.baseUrl}/agent/tickets`);
  await screenshot(page, `workspace-list-${suffix}`);

  await viewLink(page, 'All').click();
  await page.waitForURL((url) => url.searchParams.get('view') === 'all');
  t.equal(await viewLink(page, 'All').getAttribute('aria-current'), 'page', '"All" is the current view');
  t.equal((await tableRows(page)).length, await viewCount(page, 'All'), '"All" lists as many tickets as its count says');

  await viewLink(page, 'Unassigned').click();
  await page.waitForURL((url) => url.searchParams.get('view') === 'unassigned');
  await viewLink(page, 'Unassigned').and(page.locator('[aria-current="page"]')).waitFor();
  const unassigned = await tableRows(page);
  t.equal(unassigned.length, await viewCount(page, 'Unassigned'), '"Unassigned" lists as many tickets as its count says');
  t.ok(unassigned.length > 1 && unassigned.every((row) => row.Assignee === ''), 'every ticket in "Unassigned" has no assignee');
  t.ok(unassigned.some((row) => row.Subject.includes(ticket.subject)), 'the new ticket is unassigned');

  const filters = page.locator('form.filters');
  const select = (label: string) => filters.getByLabel(label, { exact: true });
  const typeId = await select('Type').locator('option', { hasText: /^General$/ }).getAttribute('value');
  const choices: [string, string, string, string][] = [
    ['Status', 'All new', 'status', 'category:new'], ['Type', 'General', 'type', typeId!], ['Sort by', 'ID', 'sort', 'id'],
  ];
  // "Sort by" is one of the filters behind "More filters".
  await filters.locator('details.more-filters > summary').click();
  if (js) {
    await markPage(page, 'nav.side-menu');
    for (const [label, option, param, value] of choices) {
      const response = page.waitForResponse((r) => new URL(r.url()).pathname === '/agent/tickets' && r.request().method() === 'GET');
      await select(label).selectOption({ label: option });
      const answer = await response;
      t.equal(answer.request().headers()['hx-request'], 'true', `changing "${label}" sends an htmx request`);
      t.match(await answer.text(), /^\s*<div id="ticket-table">/, `the answer to "${label}" is only the table`);
      const pushed = await page.waitForURL((url) => url.searchParams.get(param) === value).then(() => true, () => false);
      t.ok(pushed, `the address bar gets ${param}=${value}`, { url: page.url() });
    }
    t.same(await samePage(page, 'nav.side-menu'), { sameWindow: true, sameNode: true }, 'no page load: the side menu is the same DOM node');
  } else {
    for (const [label, option] of choices) await select(label).selectOption({ label: option });
    await filters.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL((url) => url.searchParams.get('type') === typeId);
    for (const [label, option, param, value] of choices) {
      t.equal(new URL(page.url()).searchParams.get(param), value, `the GET form put ${param}=${value} in the address`);
      t.equal(await selected(select(label)), option, `"${label}" still shows ${option}`);
    }
  }
  t.equal(new URL(page.url()).searchParams.get('view'), 'unassigned', 'the view stays in the address');
  const rows = await tableRows(page);
  t.ok(rows.length > 0 && rows.length < unassigned.length, 'the filter narrows the list', { rows: rows.length, before: unassigned.length });
  t.ok(rows.every((row) => row.Type === 'General' && row.Status === 'New' && row.Assignee === ''), 'every row matches the filter', { rows });
  const ids = rows.map((row) => Number(row.ID.slice(1)));
  t.ok(ids.every((id, i) => i === 0 || id < ids[i - 1]!) || ids.every((id, i) => i === 0 || id > ids[i - 1]!), 'sorted by ID', { ids });
  t.ok(ids.includes(ticket.id), 'the new ticket is in the filtered list');
  await screenshot(page, `workspace-list-filtered-${suffix}`);
}

/** 2. Open the ticket from the list, move it in the status bar, read the History tab. */
async function statusBar(t: Test, session: Session, ticket: Ticket, suffix: string) {
  const { page, js } = session;
  await page.locator('#ticket-table').getByRole('link', { name: ticket.subject }).click();
  await landsOn(t, page, ticket.path);
  t.equal(await currentStatus(page), 'New', 'the status bar shows New as the current step');
  await screenshot(page, `workspace-details-${suffix}`);

  if (js) await markPage(page, '#ticket-main');
  await page.locator('.status-bar').getByRole('button', { name: 'Pending', exact: true }).click();
  t.equal(await waitForStatus(page, 'Pending'), 'Pending', 'the status bar shows Pending as the current step');
  t.equal(await page.locator('.status-bar [aria-current="step"]').count(), 1, 'exactly one current step');
  if (js) t.equal((await samePage(page)).sameWindow, true, 'the status changed without a page load');

  await openTab(t, session, 'History');
  t.ok((await historyRows(page)).includes('Robin Agent | Status | New | Pending'), 'History lists the status change', { rows: await historyRows(page) });
  await screenshot(page, `workspace-history-${suffix}`);
}

/** 4. A reply with a PNG on General; an internal note in the same stream, labelled Internal, and on "Internal Updates". */
async function compose(t: Test, session: Session, text: { reply: string; note: string }) {
  const { page, js } = session;
  await openTab(t, session, 'General');
  if (js) await markPage(page, '#ticket-main');
  const form = page.locator('section.compose');
  await form.getByLabel('Reply to requester').check();
  await form.getByLabel('Message').fill(text.reply);
  await form.getByLabel('Attach files').setInputFiles({ name: 'pixel.png', mimeType: 'image/png', buffer: PIXEL_PNG });
  await form.getByRole('button', { name: 'Send', exact: true }).click();
  const reply = page.locator('#tab-panel article.message-reply', { hasText: text.reply });
  t.ok(await reply.waitFor().then(() => true, () => false), 'General shows the reply');
  const link = reply.getByRole('link', { name: 'Download pixel.png' });
  t.equal(await link.count(), 1, 'the reply lists its attachment');
  const download = await page.request.get(new URL((await link.getAttribute('href'))!, page.url()).href);
  t.equal(download.status(), 200, 'the attachment downloads');
  t.ok((await download.body()).equals(PIXEL_PNG), 'the downloaded bytes are the uploaded PNG');

  await form.getByLabel('Internal note').check();
  await form.getByLabel('Message').fill(text.note);
  await form.getByRole('button', { name: 'Send', exact: true }).click();
  const note = page.locator('#tab-panel article.message-note', { hasText: text.note });
  t.ok(await note.waitFor().then(() => true, () => false), 'after the note, General shows it in the same stream');
  t.equal(await page.locator('nav.tabs a[aria-current="page"]').innerText(), 'General', 'the page stays on General');
  t.equal((await note.locator('.badge-internal').innerText()).trim(), 'Internal', 'the note is labelled Internal');
  const stream = await page.locator('#tab-panel article.message').allInnerTexts();
  t.ok(stream.findIndex((m) => m.includes(text.reply)) < stream.findIndex((m) => m.includes(text.note)), 'the reply, then the note, in time order');
  await openTab(t, session, 'Internal Updates');
  await sees(t, page, text.note, '"Internal Updates" shows the note');
  t.equal(await page.locator('#tab-panel').getByText(text.reply).count(), 0, '"Internal Updates" shows notes only');
  await openTab(t, session, 'General');
  if (js) t.equal((await samePage(page)).sameWindow, true, 'reply, note and tabs worked without a page load');
}

/** Open "Updating Ticket": a <dialog> with JS, the edit page without. Resolves to the form. */
async function openEdit(t: Test, session: Session, ticket: Ticket) {
  const { page, js } = session;
  if (js) await markPage(page, '#ticket-main');
  await page.locator('.ticket-actions').getByRole('link', { name: 'Edit', exact: true }).click();
  if (js) {
    const dialog = page.getByRole('dialog', { name: /Updating Ticket/ });
    t.ok(await dialog.waitFor().then(() => true, () => false), 'a dialog "Updating Ticket" opens');
    t.ok(await dialog.evaluate((d) => d instanceof HTMLDialogElement && d.open && d.matches(':modal')), 'it is an open modal <dialog>');
    t.equal(new URL(page.url()).pathname, ticket.path, 'the address stays on the ticket');
  } else {
    await landsOn(t, page, `${ticket.path}/edit`);
    await sees(t, page, 'Updating Ticket', 'the edit page has the heading "Updating Ticket"');
  }
  return page.locator('#edit-form');
}

/** Save the edit form; with JS the dialog goes and the ticket is swapped in without a page load. */
async function saveEdit(t: Test, session: Session, ticket: Ticket) {
  const { page, js } = session;
  await page.locator('#edit-form').getByRole('button', { name: 'Save', exact: true }).click();
  if (js) {
    t.ok(await page.locator('dialog#edit-dialog').waitFor({ state: 'detached' }).then(() => true, () => false), 'the dialog closes');
    t.equal((await samePage(page)).sameWindow, true, 'the dialog-based edit worked without a page load');
  } else {
    await landsOn(t, page, ticket.path);
  }
}

/** 3. Change the type to Domain approval, fill Domain, try Solved without "Domain Approved", then Cleared. */
async function editWithTypeField(t: Test, session: Session, ticket: Ticket, suffix: string) {
  const { page, js, problems } = session;
  const form = await openEdit(t, session, ticket);
  await form.getByLabel('Type', { exact: true }).selectOption({ label: 'Domain approval' });
  if (!js) await form.getByRole('button', { name: 'Change type' }).click();
  const domain = form.getByRole('textbox', { name: 'Domain', exact: true });
  t.ok(await domain.waitFor().then(() => true, () => false), 'the fields of Domain approval appear');
  t.equal(await form.getByLabel('Domain Approved').count(), 1, '"Domain Approved" is one of them');
  await domain.fill('partner.example');
  await form.getByLabel('Ticket Status').selectOption({ label: 'Solved' });
  if (js) await screenshot(page, `workspace-edit-modal-${suffix}`);

  problems.expectStatus(422);
  await form.getByRole('button', { name: 'Save', exact: true }).click();
  await sees(t, page, 'Fill in Domain Approved before moving the ticket to Solved.', 'the save is refused with a clear message');
  if (js) t.equal(await page.getByRole('dialog', { name: /Updating Ticket/ }).count(), 1, 'the form stays in the dialog');
  else t.equal(new URL(page.url()).pathname, `${ticket.path}/edit`, 'the form stays on the edit address');
  t.equal(await domain.inputValue(), 'partner.example', 'Domain keeps its value');
  t.equal(await selected(form.getByLabel('Type', { exact: true })), 'Domain approval', 'Type keeps its value');
  t.equal(await selected(form.getByLabel('Ticket Status')), 'Solved', 'Ticket Status keeps its value');
  t.equal(await form.getByLabel('Domain Approved').getAttribute('aria-invalid'), 'true', '"Domain Approved" is marked invalid');
  await screenshot(page, `workspace-edit-refused-${suffix}`);
  if (js) t.equal(await page.evaluate(() => document.activeElement?.getAttribute('role')), 'alert', 'the message takes the focus');
  problems.clearExpected();

  await form.getByLabel('Domain Approved').selectOption({ label: 'Cleared' });
  await saveEdit(t, session, ticket);
  t.equal(await waitForStatus(page, 'Solved'), 'Solved', 'the status bar shows Solved');
  t.equal(await fact(page, 'Type'), 'Domain approval', 'the side panel shows the new type');
  t.equal(await fact(page, 'Domain'), 'partner.example', 'the side panel shows Domain');
  t.equal(await fact(page, 'Domain Approved'), 'Cleared', 'the side panel shows "Domain Approved" "Cleared"');
  await openTab(t, session, 'History');
  const history = await historyRows(page);
  t.ok(history.includes('Robin Agent | Type | General | Domain approval'), 'History lists the type change', { history });
  t.ok(history.includes('Robin Agent | Status | Pending | Solved'), 'History lists the status change', { history });
  await openTab(t, session, 'General');
}

/** 5. A supervisor assigns the ticket to another agent in the edit form; the agent's mail arrives. */
async function assign(t: Test, session: Session, ticket: Ticket, smtp: TestSmtpServer, password: string, note: string) {
  const { page, desk } = session;
  await logOut(t, page);
  await logInAs(t, session, SUPERVISOR, password, 'Sam Supervisor');
  await page.goto(desk.baseUrl + ticket.path);
  const form = await openEdit(t, session, ticket);
  await form.getByLabel('Assignee', { exact: true }).selectOption({ label: ASSIGNEE.name });
  await saveEdit(t, session, ticket);
  const shown = await page.locator('.ticket-panel #p-assigneeId option[selected]', { hasText: ASSIGNEE.name }).waitFor({ state: 'attached' }).then(() => true, () => false);
  t.ok(shown, 'the side panel shows the new assignee');
  t.equal(await fact(page, 'Assignee'), ASSIGNEE.name, 'the Assignee fact is the new agent');

  const expected = `[#${ticket.id}] Assigned to you: ${ticket.subject}`;
  const mail = await waitForMail(smtp, (m) => subjectOf(m) === expected);
  t.ok(mail, `the mail "${expected}" arrives at the SMTP server within 10 s`, { received: smtp.received.map(subjectOf) });
  if (mail) {
    t.same(mail.to, [ASSIGNEE.email], 'it is addressed to the assigned agent');
    t.match(mail.raw, `/agent/tickets/${ticket.id}`, 'it links to the ticket');
  }
  t.notOk(smtp.received.some((m) => m.raw.includes(note)), 'no mail carries the internal note');
}

if (browser) {
  for (const js of [true, false]) {
    const suffix = js ? 'js' : 'nojs';
    t.test(`agent workspace: list, filter, status bar, edit, reply, note, assign (${mode(js)})`, async (t) => {
      const smtp = await startSmtp(t);
      const session = await openSession(t, browser, js, { env: { SMTP_URL: `smtp://127.0.0.1:${smtp.port}` } });
      const password = await loadDemo(t, session.desk);
      await logInAs(t, session, AGENT, password, 'Robin Agent');
      await checkHtmx(t, session);

      // The new-ticket form starts on the desk's default type, not the first by name ("Account created", recorded as Closed).
      await session.page.goto(`${session.desk.baseUrl}/agent/tickets/new`);
      t.equal(await selected(session.page.getByLabel('Type', { exact: true })), 'General', 'the new-ticket form preselects the default type');
      const subject = `Toner smells of burnt toast (${mode(js)})`;
      const path = await createTicket(t, session, { requesterEmail: 'customer@acme.test', subject, message: 'The printer toner smells odd.', type: 'General' });
      const ticket: Ticket = { subject, path, id: Number(path.split('/').pop()) };
      const text = { reply: `We are sending new toner (${suffix}).`, note: `Supplier is slow this month (${suffix}).` };

      await flow(t, session, '1. list → side menu → filter', (t) => listAndFilter(t, session, ticket, suffix));
      await flow(t, session, '2. open → status bar → History', (t) => statusBar(t, session, ticket, suffix));
      await flow(t, session, '4. reply with an attachment, internal note', (t) => compose(t, session, text));
      await flow(t, session, '3. "Updating Ticket" with a type field', (t) => editWithTypeField(t, session, ticket, suffix));
      await flow(t, session, '5. assign → mail at the SMTP server', (t) => assign(t, session, ticket, smtp, password, text.note));
      await checkHtmx(t, session);
      await finish(t, session);
    });
  }
}
