// Browser test of the help center (issue 23), JavaScript on and off: an admin opens it to visitors,
// writes a category, a section and an article and publishes it; a visitor reads it (axe on every
// help page), votes and searches; a customer typing a ticket's subject is offered the article, opens
// it and says it answered the question. axe runs with JavaScript on.
import t from 'tap';
import type { Test } from 'tap';
import { accessible } from './a11y-steps.js';
import { launchBrowser, runCli } from './browser.js';
import { createFirstAdmin, finish, landsOn, logIn, logOut, mode, openSession, sees, type Session } from './steps.js';

t.setTimeout(300_000);
const browser = await launchBrowser(t);
/** axe runs in the page: with JavaScript on only (as test/e2e/a11y.test.ts); the pages are the same without it. */
async function axe(t: Test, session: Session, what: string): Promise<void> {
  if (session.js) await accessible(t, session.page, what);
}

/** A real 1×1 PNG, so the browser decodes it. */
const PNG_1X1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
const CORA = { email: 'cora@example.test', name: 'Cora Customer', password: 'cora-secret-42' };

async function writeHelpCenter(t: Test, session: Session): Promise<void> {
  const { page, desk } = session;
  await page.goto(`${desk.baseUrl}/admin/settings`);
  await page.getByLabel('Anyone may read the help center without an account').check();
  await page.getByRole('button', { name: 'Save settings' }).click();
  await sees(t, page, 'Settings saved');

  await page.locator('header.topbar nav').getByRole('link', { name: 'Knowledge base' }).click();
  await landsOn(t, page, '/agent/help');
  await axe(t, session, `the knowledge base list (${mode(session.js)})`);
  await page.getByRole('link', { name: 'Categories and sections' }).first().click();
  await landsOn(t, page, '/agent/help/categories');
  await page.locator('#c-name_en').fill('Your account');
  await page.locator('#c-description_en').fill('Signing in and passwords');
  await page.locator('#c-name_de').fill('Ihr Konto');
  await page.getByRole('button', { name: 'Create category' }).click();
  await sees(t, page, 'The category was saved.');
  await page.locator('#s-name_en').fill('Passwords');
  await page.getByRole('button', { name: 'Create section' }).click();
  await sees(t, page, 'The section was saved.');
  await axe(t, session, `categories and sections (${mode(session.js)})`);

  await page.getByRole('link', { name: 'New article in Passwords' }).click();
  await landsOn(t, page, '/agent/help/articles/new');
  await page.getByLabel('Section').selectOption({ label: 'Your account › Passwords' });
  await page.getByLabel('Title').fill('Reset your password');
  await page.getByLabel('Text').fill('Choose **Forgot password** on the sign-in page, then follow the link we mail you.');
  await page.getByRole('button', { name: 'Save' }).click();
  await sees(t, page, 'The article was created as a draft.');
  await axe(t, session, `the article editor (${mode(session.js)})`);
  // An image, through the editor's own form (a boosted multipart form with JavaScript, a plain one without).
  await page.getByLabel('Add an image').setInputFiles({ name: 'sign-in-page.png', mimeType: 'image/png', buffer: Buffer.from(PNG_1X1, 'base64') });
  await page.getByRole('button', { name: 'Save' }).click();
  await sees(t, page, 'The article was saved.');
  t.match(await page.getByLabel('Text').inputValue(), /!\[sign-in-page\]\(\/help\/images\/\d+\)$/, 'the image is referenced at the end of the text');
  await page.getByRole('button', { name: 'Publish' }).click();
  await sees(t, page, 'The article is published.');
}

async function visitorReads(t: Test, session: Session): Promise<void> {
  const { page, desk, js } = session;
  await page.goto(`${desk.baseUrl}/help`);
  await landsOn(t, page, '/help');
  await sees(t, page, 'Your account');
  await axe(t, session, `the help center home (${mode(js)})`);
  await page.getByRole('link', { name: 'Your account' }).click();
  await landsOn(t, page, /^\/help\/categories\/\d+-your-account$/);
  await axe(t, session, `a category (${mode(js)})`);
  await page.getByRole('link', { name: 'Passwords' }).click();
  await landsOn(t, page, /^\/help\/sections\/\d+-passwords$/);
  await axe(t, session, `a section (${mode(js)})`);
  await page.getByRole('link', { name: 'Reset your password' }).click();
  await landsOn(t, page, /^\/help\/articles\/\d+-reset-your-password$/);
  await sees(t, page, 'follow the link we mail you');
  t.equal(await page.locator('nav.breadcrumbs li').count(), 4, 'the breadcrumbs lead back to the help center');
  const picture = page.locator('.help-body img[alt="sign-in-page"]');
  await picture.waitFor();
  await picture.scrollIntoViewIfNeeded();
  // decode() settles once the picture has loaded and decoded (it rejects for a broken one).
  const width = await picture.evaluate((img: HTMLImageElement) => img.decode().then(() => img.naturalWidth, () => 0));
  t.equal(width, 1, `the article's image loads for the visitor (${mode(js)})`);
  await axe(t, session, `an article (${mode(js)})`);
  await page.getByRole('button', { name: 'Yes' }).click();
  await sees(t, page, 'Thank you for your feedback.');
  await sees(t, page, '1 of 1 found this helpful');

  await page.goto(`${desk.baseUrl}/help`);
  await page.getByLabel('Search the help center').fill('passw');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await landsOn(t, page, '/help/search');
  await page.locator('#help-results mark', { hasText: 'password' }).first().waitFor();
  await axe(t, session, `search results (${mode(js)})`);
}

async function customerIsHelped(t: Test, session: Session): Promise<void> {
  const { page, desk, js } = session;
  await logIn(page, desk, CORA.email, CORA.password);
  await landsOn(t, page, /^\/portal/);
  await page.goto(`${desk.baseUrl}/portal/tickets/new`);
  const form = page.locator('#submit-form');
  if (js) {
    await form.getByLabel('Subject').pressSequentially('I forgot my password', { delay: 20 });
  } else {
    await form.getByLabel('Subject').fill('I forgot my password');
    await form.getByLabel('Message').fill('Cannot sign in.');
    await page.getByRole('button', { name: 'Check for answers' }).click();
    await landsOn(t, page, '/portal/tickets');
    t.equal(await form.getByLabel('Message').inputValue(), 'Cannot sign in.', 'what was typed is kept');
  }
  const suggestion = page.locator('#help-suggestions a', { hasText: 'Reset your password' });
  await suggestion.waitFor();
  t.pass(`the article is suggested for the subject (${mode(js)})`);
  await axe(t, session, `the submit form with suggestions (${mode(js)})`);
  // It opens in a new tab; the test follows the link in this one.
  await page.goto(new URL((await suggestion.getAttribute('href'))!, desk.baseUrl).href);
  await page.getByRole('button', { name: 'This answered my question' }).click();
  await landsOn(t, page, '/portal');
  await sees(t, page, 'Glad the article helped. No ticket was sent.');
}

if (browser) {
  for (const js of [true, false]) {
    t.test(`a help center: written, read by a visitor, suggested to a customer (${mode(js)})`, async (t) => {
      const session = await openSession(t, browser, js);
      await createFirstAdmin(t, session);
      const added = await runCli(session.desk, ['user', 'add', '--email', CORA.email, '--name', CORA.name, '--role', 'customer', '--password', CORA.password]);
      t.equal(added.code, 0, 'a customer is added', { output: added.out });
      await writeHelpCenter(t, session);
      await logOut(t, session.page);
      await visitorReads(t, session);
      await customerIsHelped(t, session);
      await finish(t, session);
    });
  }
}
