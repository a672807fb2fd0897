// The messenger and presence in Chromium, with JavaScript on (live, no reload) and off (forms and reloads).
import t from 'tap';
import type { Test } from 'tap';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, PageProblems, runCli } from '../e2e/browser.js';
import { createTicket, finish, landsOn, logIn, mode, openSession, sees, type Session } from '../e2e/steps.js';
import { markPage, samePage } from '../e2e/workspace-steps.js';

const ROBIN = { email: 'robin@example.test', name: 'Robin Agent', password: 'robin-secret-42' };
const DANA = { email: 'dana@example.test', name: 'Dana Agent', password: 'dana-secret-42' };
const CORA = { email: 'cora@example.test', name: 'Cora Customer', password: 'cora-secret-42' };

const browser = await launchBrowser(t);

interface Person { page: Page; problems: PageProblems }

/** Another person in their own browser context, logged in. */
async function person(t: Test, browser: Browser, session: Session, who: typeof ROBIN, home: string): Promise<Person> {
  const context = await browser.newContext({ javaScriptEnabled: session.js, viewport: { width: 1100, height: 720 } });
  context.setDefaultTimeout(10_000);
  t.teardown(() => context.close().catch(() => undefined));
  const page = await context.newPage();
  const problems = new PageProblems(page);
  await logIn(page, session.desk, who.email, who.password);
  await landsOn(t, page, home);
  return { page, problems };
}

const chatLine = (page: Page, text: string) => page.locator('#chat-log .chat-line').filter({ hasText: text });

async function appears(t: Test, page: Page, text: string, message: string) {
  const ok = await chatLine(page, text).first().waitFor({ state: 'visible', timeout: 5000 }).then(() => true, () => false);
  t.ok(ok, message, ok ? {} : { body: (await page.locator('body').innerText()).slice(0, 1500) });
}

async function sendChat(page: Page, text: string) {
  await page.locator('#chat-body').fill(text);
  await page.locator('.chat-form').getByRole('button', { name: 'Send', exact: true }).click();
}

for (const js of [true, false]) {
  if (!browser) break;
  t.test(`messenger and presence, ${mode(js)}`, async (t) => {
    const session = await openSession(t, browser, js);
    for (const [who, role] of [[ROBIN, 'agent'], [DANA, 'agent'], [CORA, 'customer']] as const) {
      const added = await runCli(session.desk, ['user', 'add', '--email', who.email, '--name', who.name, '--role', role, '--password', who.password]);
      t.equal(added.code, 0, `deskbell user add ${who.name}`, { output: added.out });
    }
    await logIn(session.page, session.desk, ROBIN.email, ROBIN.password);
    await landsOn(t, session.page, '/agent'); // staff land on the dashboard
    const path = await createTicket(t, session, { requesterEmail: CORA.email, subject: 'Scanner jams', message: 'It jams on every page.' });
    const id = path.split('/').pop()!;
    const robin = session.page;
    const cora = await person(t, browser, session, CORA, '/portal');
    await cora.page.goto(`${session.desk.baseUrl}/portal/tickets/${id}`);
    await sees(t, cora.page, 'Chat with the team', 'the customer\'s messenger is called a live chat');

    if (js) {
      await robin.reload();
      await markPage(robin, '#chat-log');
      await markPage(cora.page, '#chat-log');
      await sendChat(cora.page, 'Hello from the portal');
      await appears(t, robin, 'Hello from the portal', 'the customer\'s line appears on the agent\'s open page');
      t.ok((await samePage(robin)).sameWindow, 'without a reload');
      await sendChat(robin, 'Hi Cora, Robin here');
      await appears(t, cora.page, 'Hi Cora, Robin here', 'the agent\'s line appears in the portal');
      t.ok((await samePage(cora.page)).sameWindow, 'without a reload');
      t.equal(await chatLine(robin, 'Hi Cora, Robin here').count(), 1, 'the sender sees their line once');
      // The sender's own POST brings the panel back with an empty box; on a busy machine the line can
      // reach the portal over the stream before that answer is swapped in here.
      const emptied = await robin.waitForFunction(() => (document.querySelector('#chat-body') as HTMLTextAreaElement | null)?.value === '',
        undefined, { timeout: 10_000 }).then(() => true, () => false);
      t.ok(emptied, 'and an empty box for the next one', { value: await robin.locator('#chat-body').inputValue() });

      const dana = await person(t, browser, session, DANA, '/agent');
      await dana.page.goto(`${session.desk.baseUrl}${path}`);
      await sees(t, robin, 'Dana Agent is viewing', 'Robin sees that Dana opened the ticket');
      await dana.page.locator('.compose textarea[name="body"]').pressSequentially('Working on it', { delay: 20 });
      await sees(t, robin, 'Dana Agent is replying', 'and that she is typing a reply');
      await sees(t, dana.page, 'Robin Agent is viewing', 'Dana sees Robin');
      await sendChat(cora.page, 'Any news?');
      await sees(t, dana.page, 'Cora Customer wrote since you opened this form.', 'Dana\'s reply form warns live');
      t.equal(await cora.page.getByText(/is viewing|is replying/).count(), 0, 'the customer never sees staff presence');
      t.same(dana.problems.problems, [], 'no console errors on Dana\'s page');
    } else {
      await sendChat(cora.page, 'Hello from the portal');
      await landsOn(t, cora.page, `/portal/tickets/${id}`);
      await appears(t, cora.page, 'Hello from the portal', 'the customer sees their line after the form');
      await robin.reload();
      await appears(t, robin, 'Hello from the portal', 'the agent sees it on reload');
      await sees(t, robin, '1 new', 'marked as new');
      await sendChat(robin, 'Hi Cora, Robin here');
      await landsOn(t, robin, path);
      await appears(t, robin, 'Hi Cora, Robin here', 'the agent sees their line after the form');
      await cora.page.reload();
      await appears(t, cora.page, 'Hi Cora, Robin here', 'the customer sees it on reload');
    }

    // The stale-reply warning works by forms in both modes.
    await robin.goto(`${session.desk.baseUrl}${path}`);
    await sendChat(cora.page, 'It works now, thanks!');
    await appears(t, cora.page, 'It works now, thanks!', 'the customer\'s last line is sent');
    const compose = robin.locator('.compose');
    await compose.locator('textarea[name="body"]').fill('Did you try turning it off and on?');
    session.problems.expectStatus(409);
    await compose.getByRole('button', { name: 'Send', exact: true }).click();
    await sees(t, robin, 'New messages arrived since you opened this form (from Cora Customer).', 'the reply is held back with a warning');
    t.equal(await compose.locator('textarea[name="body"]').inputValue(), 'Did you try turning it off and on?', 'the text is kept');
    await compose.getByRole('button', { name: 'Send anyway' }).click();
    const sent = await robin.waitForFunction(() => !document.querySelector('.compose [role="alert"]'), undefined, { timeout: 5000 }).then(() => true, () => false);
    t.ok(sent, 'sent: no warning any more');
    await sees(t, robin, 'Did you try turning it off and on?', 'the reply is on the ticket');

    t.same(cora.problems.problems, [], 'no console errors or CSP violations in the portal');
    await finish(t, session);
  });
}
