// Browser test of macros (issue 20, point 1), JavaScript on and off: the agent makes a macro that
// adds a tag, sets a status and carries a file (uploaded with the macro form), applies it in a
// ticket's compose box (with htmx: found by typing, previewed, applied without a page load; without:
// the select and Apply), edits the text, sends, and sees the message with the file (which
// downloads), the tag and the status on the ticket page.
import t from 'tap';
import type { Test } from 'tap';
import { launchBrowser } from './browser.js';
import { checkHtmx, createTicket, finish, landsOn, mode, openSession, sees, type Session } from './steps.js';
import { AGENT, flow, loadDemo, logInAs, markPage, PIXEL_PNG, samePage, waitForStatus } from './workspace-steps.js';

const browser = await launchBrowser(t);
const CUSTOMER = 'customer@acme.test';
const FILE = 'part-photo.png';

async function makeMacro(t: Test, session: Session, name: string, tag: string) {
  const { page, desk } = session;
  await page.goto(`${desk.baseUrl}/agent/macros/new`);
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Writes', { exact: true }).selectOption({ label: 'Reply to requester' });
  await page.getByLabel('Text').fill('Hello {{requester.first_name}}, we are waiting for the part for #{{ticket.id}}.');
  await page.getByLabel('Set status', { exact: true }).selectOption({ label: 'Pending' });
  await page.getByLabel('Add tags', { exact: true }).fill(tag);
  await page.getByLabel('Add files', { exact: true }).setInputFiles({ name: FILE, mimeType: 'image/png', buffer: PIXEL_PNG });
  await page.getByRole('button', { name: 'Save macro' }).click();
  await landsOn(t, page, '/agent/macros');
  await sees(t, page, 'Macro saved.');
  await sees(t, page, name, 'the macros page lists it');
  // The file came with the form: the macro's edit page lists it.
  await page.getByRole('link', { name: `Edit ${name}`, exact: true }).click();
  await page.locator('#macro-form').waitFor();
  t.equal(await page.locator('.macro-files ul.attachments a', { hasText: FILE }).count(), 1, 'the macro\'s edit form lists its file');
}

async function applyAndSend(t: Test, session: Session, ticket: { path: string; id: number }, name: string, tag: string) {
  const { page, desk, js } = session;
  await page.goto(`${desk.baseUrl}${ticket.path}`);
  const compose = page.locator('section.compose');
  await compose.locator('summary', { hasText: 'Macro' }).click();
  if (js) {
    await markPage(page, 'nav.tabs');
    const searched = page.waitForResponse((r) => new URL(r.url()).pathname === `/agent/tickets/${ticket.id}/macros` && new URL(r.url()).searchParams.get('macroQ') === 'waiting');
    await compose.getByLabel('Find a macro').pressSequentially('waiting', { delay: 20 });
    t.equal((await searched).request().headers()['hx-request'], 'true', 'the list narrows as one types (htmx)');
    await compose.locator('#macro-choices option', { hasText: name }).waitFor({ state: 'attached' });
    await compose.getByLabel('Macro', { exact: true }).selectOption({ label: name });
    await compose.locator('#macro-preview', { hasText: 'we are waiting for the part' }).waitFor();
    t.ok(await compose.locator('#macro-preview li', { hasText: 'Set status: Pending' }).isVisible(), 'the preview lists what it changes');
  } else {
    await compose.getByLabel('Macro', { exact: true }).selectOption({ label: name });
  }
  await compose.getByRole('button', { name: 'Apply', exact: true }).click();
  const body = page.locator('section.compose').getByLabel('Message');
  await page.locator('section.compose .macro-pending', { hasText: `Macro “${name}” applied.` }).waitFor();
  t.match(await body.inputValue(), `we are waiting for the part for #${ticket.id}.`, 'the text is filled in for the ticket');
  t.match(await body.inputValue(), /^Hello \w+,/, 'with the requester\'s first name');
  t.ok(await page.locator('section.compose .macro-pending li', { hasText: `Add tags: ${tag}` }).isVisible(), 'the pending actions are listed');
  if (js) t.equal((await samePage(page)).sameWindow, true, 'applied without a page load');
  t.ok(await page.locator('section.compose').getByLabel('Reply to requester').isChecked(), 'the macro\'s kind is chosen');
  t.equal(await page.locator('.ticket-tags li.tag', { hasText: tag }).count(), 0, 'nothing changed yet');
  const chosen = page.locator('section.compose .macro-pending .macro-files label', { hasText: FILE }).getByRole('checkbox');
  t.ok(await chosen.isChecked(), 'the macro\'s file is listed to be attached, ticked');

  await body.fill(`${await body.inputValue()}\nEdited by hand (${mode(js)}).`);
  await page.locator('section.compose').getByRole('button', { name: 'Send', exact: true }).click();
  const sent = page.locator('#tab-panel article.message-reply', { hasText: `Edited by hand (${mode(js)}).` });
  await sent.waitFor();
  await sees(t, page, 'we are waiting for the part', 'the message is in the thread');
  const link = sent.getByRole('link', { name: `Download ${FILE}` });
  t.equal(await link.count(), 1, 'the sent reply lists the macro\'s file');
  const download = await page.request.get(new URL((await link.getAttribute('href'))!, page.url()).href);
  t.equal(download.status(), 200, 'the file downloads');
  t.ok((await download.body()).equals(PIXEL_PNG), 'with the bytes uploaded with the macro');
  t.equal(await waitForStatus(page, 'Pending'), 'Pending', 'the status bar shows the macro\'s status');
  await page.locator('.ticket-tags li.tag', { hasText: tag }).waitFor();
  t.pass('the tag shows on the page');
}

if (browser) {
  for (const js of [true, false]) {
    t.test(`macros: make one, apply it, edit the text, send (${mode(js)})`, async (t) => {
      const session = await openSession(t, browser, js);
      const password = await loadDemo(t, session.desk);
      await logInAs(t, session, AGENT, password, 'Robin Agent');
      await checkHtmx(t, session);
      const name = `Waiting for parts (${mode(js)})`;
      const tag = js ? 'parts-js' : 'parts-nojs';
      const path = await createTicket(t, session, { requesterEmail: CUSTOMER, subject: `Broken scanner (${mode(js)})`, message: 'The scanner is dead.', type: 'General' });
      const ticket = { path, id: Number(path.split('/').pop()) };
      await flow(t, session, '1. a macro that sets a status, adds a tag and carries a file', (t) => makeMacro(t, session, name, tag));
      await flow(t, session, '2. applied, edited, sent', (t) => applyAndSend(t, session, ticket, name, tag));
      await finish(t, session);
    });
  }
}
