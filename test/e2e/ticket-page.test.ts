// Browser tests of the ticket page (issue 19) on a 1366 × 860 laptop screen, JavaScript on and off:
// a property changed in the side panel saves and shows in History; General shows a note and a reply
// in one stream; on a phone the conversation comes before the panel; of two tabs clicked in quick
// succession the later one shows; the customer's solved ticket offers "Reply to reopen", with the CC
// form's button as tall as its input.
import t from 'tap';
import type { Request } from 'playwright-core';
import type { Test } from 'tap';
import { launchBrowser, screenshot } from './browser.js';
import { checkHtmx, createTicket, finish, landsOn, logIn, logOut, mode, openSession, sees, type Session } from './steps.js';
import { AGENT, flow, historyRows, loadDemo, logInAs, markPage, openTab, samePage, selected } from './workspace-steps.js';

const browser = await launchBrowser(t);
const CUSTOMER = 'customer@acme.test';
const LAPTOP = { width: 1366, height: 860 };

interface Ticket { subject: string; path: string; id: number }

/** Nothing on the page is wider than the window (no sideways scrolling). */
async function fits(t: Test, session: Session, what: string) {
  const overflow = await session.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  t.equal(overflow, 0, `${what}: no sideways scrolling`);
}

/** 1. Priority changed in the side panel: htmx saves it on change (JS on) or its Save button does (JS off); History lists it. */
async function sidePanel(t: Test, session: Session, ticket: Ticket) {
  const { page, js } = session;
  const panel = page.locator('.ticket-panel');
  const conversation = await page.locator('#ticket-main > .ticket').boundingBox();
  const box = await panel.boundingBox();
  t.ok(conversation && box && box.x >= conversation.x + conversation.width && box.y < conversation.y + 200,
    'at 1366 px the side panel stands beside the conversation, at its top', { conversation, box });
  await fits(t, session, 'the ticket page at 1366 px');
  await screenshot(page, `ticket-page-${js ? 'js' : 'nojs'}`);

  const priority = panel.getByLabel('Priority', { exact: true });
  t.equal(await selected(priority), 'Normal', 'the panel shows the priority');
  if (js) {
    await markPage(page, '#ticket-main');
    t.equal(await panel.getByRole('button', { name: 'Save Priority' }).isVisible(), false, 'with JavaScript no Save button: a change saves itself');
    await priority.selectOption({ label: 'Urgent' });
  } else {
    await priority.selectOption({ label: 'Urgent' });
    await panel.getByRole('button', { name: 'Save Priority' }).click();
    await landsOn(t, page, ticket.path);
  }
  await sees(t, page, 'Saved.', 'the page confirms the change');
  const saved = await page.locator('.ticket-panel #p-priority option[selected]', { hasText: 'Urgent' }).waitFor({ state: 'attached' }).then(() => true, () => false);
  t.ok(saved, 'the panel, drawn again, shows Urgent');
  if (js) t.equal((await samePage(page)).sameWindow, true, 'saved without a page load');

  await openTab(t, session, 'History');
  const history = await historyRows(page);
  t.ok(history.includes('Robin Agent | Priority | Normal | Urgent'), 'History lists the change', { history });
  t.equal(await selected(page.locator('.ticket-panel').getByLabel('Priority', { exact: true })), 'Urgent', 'the panel stays beside every tab');
  await openTab(t, session, 'General');
}

/** 2. A note and a reply from the compose box: General shows both in one stream, the note labelled Internal. */
async function oneStream(t: Test, session: Session, text: { note: string; reply: string }) {
  const { page } = session;
  const compose = page.locator('section.compose');
  await compose.getByLabel('Internal note').check();
  await compose.getByLabel('Message').fill(text.note);
  await compose.getByRole('button', { name: 'Send', exact: true }).click();
  await page.locator('#tab-panel article.message-note', { hasText: text.note }).waitFor();
  await compose.getByLabel('Reply to requester').check();
  await compose.getByLabel('Message').fill(text.reply);
  await compose.getByRole('button', { name: 'Send', exact: true }).click();
  await page.locator('#tab-panel article.message-reply', { hasText: text.reply }).waitFor();

  t.equal(await page.locator('nav.tabs a[aria-current="page"]').innerText(), 'General', 'both were written and shown on General');
  const stream = await page.locator('#tab-panel article.message').allInnerTexts();
  const note = stream.findIndex((m) => m.includes(text.note));
  const reply = stream.findIndex((m) => m.includes(text.reply));
  t.ok(note >= 0 && reply > note, 'General shows the note and then the reply, in one stream', { stream });
  t.equal((await page.locator('#tab-panel article.message-note .badge-internal').innerText()).trim(), 'Internal', 'the note is labelled Internal');
  const tint = await page.locator('#tab-panel article.message-note').evaluate((el) => getComputedStyle(el).backgroundColor);
  const plain = await page.locator('#tab-panel article.message-reply').last().evaluate((el) => getComputedStyle(el).backgroundColor);
  t.not(tint, plain, 'and tinted unlike the reply');
}

/** 3. On a phone the conversation comes first, then the side panel, then the messenger; nothing scrolls sideways. */
async function phone(t: Test, session: Session) {
  const { page } = session;
  await page.setViewportSize({ width: 375, height: 812 });
  await page.reload();
  const conversation = await page.locator('#tab-panel .conversation').boundingBox();
  const panel = await page.locator('.ticket-panel').boundingBox();
  t.ok(conversation && panel && panel.y >= conversation.y + conversation.height - 1, 'at 375 px the side panel comes after the conversation', { conversation, panel });
  await fits(t, session, 'the ticket page at 375 px');
  await page.setViewportSize(LAPTOP);
}

/**
 * 4. A tab clicked while the one clicked before is still on its way: the page ends on the later one
 * (JS on). The earlier answer is held until the later tab is asked for, and that one until the earlier
 * has been swapped in or called off: the order in which htmx used to drop the later answer.
 */
async function tabAfterTab(t: Test, session: Session, note: string) {
  const { page } = session;
  const history = (url: URL) => url.searchParams.get('tab') === 'history';
  const internal = (url: URL) => url.searchParams.get('tab') === 'internal';
  let internalAsked = () => {};
  const asked = new Promise<void>((resolve) => (internalAsked = resolve));
  let historyFailed = () => {};
  const failed = new Promise<void>((resolve) => (historyFailed = resolve));
  const onFailed = (request: Request) => { if (history(new URL(request.url()))) historyFailed(); };
  page.on('requestfailed', onFailed);
  const main = await page.locator('#ticket-main').elementHandle();
  const historyOver = Promise.race([failed, page.waitForFunction((el) => !el.isConnected, main).catch(() => undefined)]);
  await page.route(history, async (route) => { await asked; await route.continue().catch(() => undefined); });
  await page.route(internal, async (route) => { internalAsked(); await historyOver; await route.continue(); });

  await page.locator('nav.tabs').getByRole('link', { name: 'History', exact: true }).click();
  await openTab(t, session, 'Internal Updates');
  t.equal(new URL(page.url()).search, '?tab=internal', 'the address bar names the tab clicked last');
  await sees(t, page, note, '"Internal Updates" shows the note');
  t.equal(await page.locator('table.history').count(), 0, 'and not the History of the tab clicked before');

  await page.unroute(history);
  await page.unroute(internal);
  page.off('requestfailed', onFailed);
  await main?.dispose();
  await openTab(t, session, 'General');
}

/** 5. The agent solves the ticket in the panel; the customer's page offers "Reply to reopen", the CC button as tall as its input. */
async function customerSolved(t: Test, session: Session, ticket: Ticket, password: string) {
  const { page, desk, js } = session;
  const status = page.locator('.ticket-panel').getByLabel('Status', { exact: true });
  await status.selectOption({ label: 'Solved' });
  if (!js) await page.locator('.ticket-panel').getByRole('button', { name: 'Save Status' }).click();
  const solved = await page.locator('.status-bar [aria-current="step"]', { hasText: 'Solved' }).waitFor().then(() => true, () => false);
  t.ok(solved, 'the status bar follows the panel: Solved');

  await logOut(t, page);
  await logIn(page, desk, CUSTOMER, password);
  await landsOn(t, page, /^\/portal/);
  await page.goto(`${desk.baseUrl}/portal/tickets/${ticket.id}`);
  const reply = page.locator('section.compose', { has: page.getByRole('heading', { name: 'Reply to reopen' }) });
  t.ok(await reply.waitFor().then(() => true, () => false), 'the solved ticket offers "Reply to reopen"');
  t.equal(await reply.getByRole('button', { name: 'Send and reopen' }).count(), 1, 'with its form');
  const conversation = await page.locator('#ticket-main .conversation').boundingBox();
  const box = await reply.boundingBox();
  t.ok(conversation && box && box.y >= conversation.y + conversation.height - 1, 'the reply box is under the conversation');
  await sees(t, page, 'Chat with the team', 'the messenger is called a live chat');

  const input = await page.locator('.ccs #f-email').boundingBox();
  const add = await page.locator('.ccs').getByRole('button', { name: 'Add', exact: true }).boundingBox();
  t.ok(input && add && Math.abs(input.height - add.height) < 1 && Math.abs(input.y - add.y) < 1, 'the CC form\'s button is the height of its input, beside it', { input, add });
  await fits(t, session, 'the customer\'s ticket page');
  await screenshot(page, `ticket-page-portal-${js ? 'js' : 'nojs'}`);
}

if (browser) {
  for (const js of [true, false]) {
    t.test(`ticket page: side panel, one stream, phone, customer's solved ticket (${mode(js)})`, async (t) => {
      const session = await openSession(t, browser, js);
      await session.page.setViewportSize(LAPTOP);
      const password = await loadDemo(t, session.desk);
      await logInAs(t, session, AGENT, password, 'Robin Agent');
      await checkHtmx(t, session);
      const subject = `Badge printer prints blank cards (${mode(js)})`;
      const path = await createTicket(t, session, { requesterEmail: CUSTOMER, subject, message: 'Every badge comes out blank.', type: 'General' });
      const ticket: Ticket = { subject, path, id: Number(path.split('/').pop()) };
      const text = { note: `Printer head is worn (${mode(js)}).`, reply: `A new printer head is on its way (${mode(js)}).` };

      await flow(t, session, '1. side panel → History', (t) => sidePanel(t, session, ticket));
      await flow(t, session, '2. a note and a reply in one stream', (t) => oneStream(t, session, text));
      await flow(t, session, '3. a phone: conversation, then panel', (t) => phone(t, session));
      if (js) await flow(t, session, '4. a tab clicked while the one before loads', (t) => tabAfterTab(t, session, text.note));
      await flow(t, session, '5. solved: the customer can write', (t) => customerSolved(t, session, ticket, password));
      await finish(t, session);
    });
  }
}
