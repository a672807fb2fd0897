// The help center (issue 23): staff write articles in categories and sections (Markdown, drafts,
// internal ones, English and German with a fallback, revisions they can restore); readers find them at
// /help (visitors only when the desk allows it), vote once on "Was this helpful?", and search them.
import t, { type Test } from 'tap';
import { flushArticleViews } from '../../src/help/view-counts.js';
import { putSetting } from '../../src/settings/settings.js';
import { postMultipart } from '../attachments/helpers.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeTicket, makeUser, PASSWORD } from '../helpers/factories.js';

async function setup(t: Test) {
  const desk = await buildTestDesk(t);
  const { db, app } = desk;
  const agent = await makeUser(db, 'agent', { name: 'Robin Writer' });
  const customer = await makeUser(db, 'customer', { name: 'Cora Customer' });
  const login = async (email: string) => {
    const client = new Client(app);
    await client.login(email, PASSWORD);
    return client;
  };
  const staff = await login(agent.email);
  const cora = await login(customer.email);
  // Agents write drafts; a supervisor publishes them.
  const editor = await login((await makeUser(db, 'supervisor', { name: 'Sam Supervisor' })).email);
  await staff.page('/agent/help/categories');
  t.equal((await staff.post('/agent/help/categories', { name_en: 'Your account', description_en: 'Sign-in and passwords', name_de: 'Ihr Konto', position: '1' })).statusCode, 303, 'the agent creates a category');
  const category = await db.selectFrom('help_categories').select('id').executeTakeFirstOrThrow();
  t.equal((await staff.post('/agent/help/sections', { categoryId: String(category.id), name_en: 'Passwords', name_de: 'Passwörter' })).statusCode, 303, 'and a section in it');
  const section = await db.selectFrom('help_sections').select('id').executeTakeFirstOrThrow();

  /** The agent writes an article (a draft); resolves to its id. */
  const write = async (fields: Record<string, string>) => {
    await staff.page('/agent/help/articles/new');
    const response = await staff.post('/agent/help/articles', { sectionId: String(section.id), visibility: 'public', locale: 'en', ...fields });
    t.equal(response.statusCode, 303, `the agent saves "${fields.title}"`);
    return Number(/\/agent\/help\/articles\/(\d+)/.exec(String(response.headers.location))![1]);
  };
  const publish = async (id: number) => {
    await editor.page(`/agent/help/articles/${id}`);
    t.equal((await editor.post(`/agent/help/articles/${id}/publication`, { state: 'published' })).statusCode, 303, `the supervisor publishes article ${id}`);
  };
  const visitor = async (headers: Record<string, string> = {}) => {
    const client = new Client(app);
    await client.get('/help', headers);
    return client;
  };
  return { ...desk, staff, editor, cora, login, write, publish, visitor, section: section.id, category: category.id, agent, customer };
}

t.test('a draft reaches nobody; once published, a customer finds it at a readable address, with breadcrumbs, on the home page and by search', async (t) => {
  const { staff, editor, cora, write, publish, db } = await setup(t);
  const id = await write({ title: 'Reset your password', body: 'Open **Account** and choose *Forgot password*.\n\n1. Enter your email\n2. Follow the link' });
  t.equal((await db.selectFrom('help_articles').select('state').where('id', '=', id).executeTakeFirstOrThrow()).state, 'draft', 'a new article is a draft');

  t.equal((await cora.get(`/help/articles/${id}-reset-your-password`)).statusCode, 404, 'the customer does not find the draft');
  const draftHome = await cora.page('/help');
  t.notMatch(draftHome, 'Reset your password', 'nor on the home page');
  const draftSearch = await cora.page('/help/search?q=password');
  t.notMatch(draftSearch, 'Reset your password', 'nor by search');
  t.match(await staff.page(`/agent/help/articles/${id}`), '<strong>Account</strong>', 'the agent previews the draft rendered');

  await publish(id);
  const article = await cora.page(`/help/articles/${id}-reset-your-password`);
  t.match(article, '<h1>Reset your password', 'the customer reads the published article');
  t.match(article, '<strong>Account</strong>', 'its Markdown rendered');
  t.match(article, /<nav class="breadcrumbs"[\s\S]*Help center[\s\S]*Your account[\s\S]*Passwords[\s\S]*aria-current="page">Reset your password/, 'under breadcrumbs');
  t.match(article, 'Was this article helpful?', 'with the helpful question');
  t.match(article, 'href="/portal/tickets/new"', 'and a way to submit a ticket');
  t.equal((await cora.get(`/help/articles/${id}`)).statusCode, 200, 'the number alone leads there too');
  const home = await cora.page('/help');
  t.match(home, `href="/help/articles/${id}-reset-your-password"`, 'the home page lists it among the popular articles');
  t.match(home, 'Your account', 'with the categories');
  t.match(await cora.page('/help/sections/1-passwords'), 'Reset your password', 'the section lists it');
  const search = await cora.page('/help/search?q=passw');
  t.match(search, '<mark>password</mark>', 'a search for the start of a word finds it, the word marked');
  t.match(search, '1 article found');
  t.match(await cora.page('/help/search?q=%22forgot+password%22'), `href="/help/articles/${id}-reset-your-password"`, 'a phrase finds it');
  const wrongOrder = await cora.page('/help/search?q=%22password+forgot%22');
  t.match(wrongOrder, 'No articles found', 'the same words in another order are not the phrase');
  await flushArticleViews(db);
  const row = await db.selectFrom('help_articles').select('view_count').where('id', '=', id).executeTakeFirstOrThrow();
  t.equal(row.view_count, 1, 'the customer\'s two readings today count once');

  await editor.page(`/agent/help/articles/${id}`);
  t.equal((await editor.post(`/agent/help/articles/${id}/publication`, { state: 'draft' })).statusCode, 303, 'the supervisor takes it back to draft');
  t.equal((await cora.get(`/help/articles/${id}`)).statusCode, 404, 'and it is gone for the customer');
});

t.test('an internal article is for staff only: never for a customer or a visitor, nor in their search or the sitemap', async (t) => {
  const { staff, cora, write, publish, visitor, db } = await setup(t);
  await putSetting(db, 'help.public', '1');
  const open = await write({ title: 'Printer setup', body: 'Plug the printer in.' });
  const internal = await write({ title: 'Printer escalation steps', body: 'Call the printer vendor hotline.', visibility: 'internal' });
  await publish(open);
  await publish(internal);
  const guest = await visitor();
  for (const [who, client] of [['customer', cora], ['visitor', guest]] as const) {
    t.equal((await client.get(`/help/articles/${internal}`)).statusCode, 404, `${who}: the internal article is not found`);
    const search = await client.page('/help/search?q=printer');
    t.match(search, `/help/articles/${open}-printer-setup"`, `${who}: the search finds the public article`);
    t.notMatch(search, 'escalation', `${who}: not the internal one`);
    const section = await client.page('/help/sections/1');
    t.notMatch(section, 'escalation', `${who}: nor does the section list it`);
    const related = await client.page(`/help/articles/${open}`);
    t.notMatch(related, 'escalation', `${who}: nor the related articles`);
  }
  const sitemap = await guest.get('/help/sitemap.xml');
  t.equal(sitemap.statusCode, 200);
  t.match(sitemap.headers['content-type'], 'application/xml');
  t.match(sitemap.body, `/help/articles/${open}-printer-setup</loc>`, 'the sitemap lists the public article');
  t.notMatch(sitemap.body, `/help/articles/${internal}`, 'not the internal one');
  t.match(await staff.page(`/help/articles/${internal}`), 'Printer escalation steps', 'staff read the internal article in the help center');
  t.match(await staff.page('/help/search?q=printer'), `/help/articles/${internal}-printer-escalation-steps"`, 'and find it');
  t.match(await staff.page(`/help/articles/${open}`), 'Printer escalation steps', 'among the related articles');
});

t.test('visitors read the help center only when the desk allows it', async (t) => {
  const { write, publish, visitor, db } = await setup(t);
  const id = await write({ title: 'Opening hours', body: 'We answer on weekdays.' });
  await publish(id);
  const guest = await visitor();
  const closed = await guest.get('/help');
  t.equal(closed.statusCode, 303, 'the help center is closed to visitors by default');
  t.match(closed.headers.location, /^\/login\?next=%2Fhelp/);
  t.equal((await guest.get(`/help/articles/${id}`)).statusCode, 303, 'and its articles');
  t.equal((await guest.post(`/help/articles/${id}/vote`, { helpful: 'yes' })).statusCode, 403, 'a visitor cannot vote');

  await putSetting(db, 'help.public', '1');
  const page = await guest.page(`/help/articles/${id}-opening-hours`);
  t.match(page, 'We answer on weekdays.', 'once allowed, a visitor reads the article');
  t.match(page, 'href="/login"', 'with a way to log in');
});

t.test('"Was this helpful?" is counted once per reader; answering again changes the answer', async (t) => {
  const { write, publish, cora, visitor, db, login } = await setup(t);
  await putSetting(db, 'help.public', '1');
  const id = await write({ title: 'Change your email', body: 'Go to your profile.' });
  await publish(id);
  const counts = async () => db.selectFrom('help_articles').select(['helpful_yes', 'helpful_no']).where('id', '=', id).executeTakeFirstOrThrow();

  await cora.page(`/help/articles/${id}`);
  const first = await cora.post(`/help/articles/${id}/vote`, { helpful: 'yes' });
  t.equal(first.statusCode, 303, 'the customer answers Yes');
  t.equal(first.headers.location, `/help/articles/${id}-change-your-email#helpful`);
  const thanked = await cora.page(String(first.headers.location).split('#')[0]!);
  t.match(thanked, 'Thank you for your feedback.', 'and is thanked');
  t.match(thanked, 'You found this article helpful.');
  t.match(thanked, '1 of 1 found this helpful');
  await cora.post(`/help/articles/${id}/vote`, { helpful: 'yes' });
  t.same(await counts(), { helpful_yes: 1, helpful_no: 0 }, 'answering Yes again counts once');
  await cora.post(`/help/articles/${id}/vote`, { helpful: 'no' });
  t.same(await counts(), { helpful_yes: 0, helpful_no: 1 }, 'changing to No moves the answer');

  const guest = await visitor();
  await guest.page(`/help/articles/${id}`);
  t.equal((await guest.post(`/help/articles/${id}/vote`, { helpful: 'yes' })).statusCode, 303, 'a visitor answers');
  t.equal((await guest.post(`/help/articles/${id}/vote`, { helpful: 'yes' })).statusCode, 303, 'twice');
  const other = await visitor();
  await other.page(`/help/articles/${id}`);
  await other.post(`/help/articles/${id}/vote`, { helpful: 'yes' });
  t.same(await counts(), { helpful_yes: 2, helpful_no: 1 }, 'each browser counts once');
  t.equal((await db.selectFrom('help_votes').select('voter').execute()).length, 3, 'three answers stored');

  const refused = await guest.post(`/help/articles/${id}/vote`, { helpful: 'no', _csrf: '' });
  t.equal(refused.statusCode, 403, 'an answer without the form\'s token is refused');
  const empty = await guest.post(`/help/articles/${id}/vote`, {});
  t.equal(empty.statusCode, 422, 'an answer that is neither Yes nor No is refused');
  t.same(await counts(), { helpful_yes: 2, helpful_no: 1 }, 'and neither changes the counts');
  const again = await login((await makeUser(db, 'customer')).email);
  t.equal((await again.post(`/help/articles/999999/vote`, { helpful: 'yes' })).statusCode, 404, 'an article that does not exist takes no answer');
});

t.test('English and German versions: the reader gets their language, else English, and the page says so', async (t) => {
  const { staff, write, publish, visitor, db } = await setup(t);
  await putSetting(db, 'help.public', '1');
  const both = await write({ title: 'Pay an invoice', body: 'Pay by bank transfer.' });
  await staff.page(`/agent/help/articles/${both}?locale=de`);
  t.equal((await staff.post(`/agent/help/articles/${both}`, { sectionId: '1', visibility: 'public', locale: 'de', title: 'Rechnung bezahlen', body: 'Zahlen Sie per Überweisung.' })).statusCode, 303, 'the agent adds the German version');
  const englishOnly = await write({ title: 'Export your data', body: 'Use the export button.' });
  await publish(both);
  await publish(englishOnly);

  const german = await visitor({ 'accept-language': 'de-DE,de;q=0.9' });
  const de = { 'accept-language': 'de-DE,de;q=0.9' };
  const page = await german.page(`/help/articles/${both}`, de);
  t.match(page, '<h1>Rechnung bezahlen', 'a German reader gets the German version');
  t.match(page, 'Ihr Konto', 'and the German category name');
  t.match(page, 'War dieser Artikel hilfreich?');
  const fallback = await german.page(`/help/articles/${englishOnly}`, de);
  t.match(fallback, 'lang="en"', 'an article without German falls back to English, marked as English');
  t.match(fallback, 'Dieser Artikel ist noch nicht in Ihrer Sprache verfügbar.', 'and the page says so');
  t.match(await german.page('/help/search?q=%C3%BCberweisung', de), 'Rechnung bezahlen', 'the German text is searched (accents folded)');
  const english = await visitor();
  t.match(await english.page(`/help/articles/${both}`), '<h1>Pay an invoice', 'an English reader gets the English version');
  const home = await german.page('/help', de);
  t.match(home, `/help/articles/${both}-rechnung-bezahlen`, 'the readable address follows the title the reader sees');
});

t.test('every save is a revision with who and when; an older one can be restored', async (t) => {
  const { staff, write, db, agent, cora } = await setup(t);
  const id = await write({ title: 'Two-factor sign-in', body: 'First version.' });
  const save = (title: string, body: string) => staff.post(`/agent/help/articles/${id}`, { sectionId: '1', visibility: 'public', locale: 'en', title, body });
  await staff.page(`/agent/help/articles/${id}`);
  t.equal((await save('Two-factor sign-in', 'Second version.')).statusCode, 303);
  t.equal((await save('Two-factor sign-in', 'Second version.')).statusCode, 303, 'saving without a change');
  const revisions = await db.selectFrom('help_revisions').select(['id', 'body']).where('article_id', '=', id).orderBy('id').execute();
  t.same(revisions.map((r) => r.body), ['First version.', 'Second version.'], 'two revisions (an unchanged save adds none)');
  const editor = await staff.page(`/agent/help/articles/${id}`);
  t.match(editor, agent.name, 'the revisions name who saved them');
  t.match(editor, `Restore revision ${revisions[0]!.id}`);

  t.equal((await staff.post(`/agent/help/revisions/${revisions[0]!.id}/restore`)).statusCode, 303, 'the agent restores the first');
  const text = await db.selectFrom('help_article_texts').select(['body', 'body_html']).where('article_id', '=', id).executeTakeFirstOrThrow();
  t.same(text, { body: 'First version.', body_html: '<p>First version.</p>\n' }, 'the first text is back');
  const restored = await db.selectFrom('help_revisions').select(['restored_from', 'author_id']).where('article_id', '=', id).orderBy('id', 'desc').executeTakeFirstOrThrow();
  t.same(restored, { restored_from: revisions[0]!.id, author_id: agent.id }, 'as a new revision that says which it restored');
  t.match(await staff.page(`/agent/help/articles/${id}`), `restored revision ${revisions[0]!.id}`);

  t.equal((await cora.post(`/agent/help/revisions/${revisions[1]!.id}/restore`)).statusCode, 403, 'a customer cannot restore');
  t.equal((await cora.get(`/agent/help/articles/${id}`)).statusCode, 403, 'nor open the editor');
});

t.test('the editor refuses a bad article with the values kept; Markdown is made safe', async (t) => {
  const { staff, write, publish, cora, db, section } = await setup(t);
  await staff.page('/agent/help/articles/new');
  const refused = await staff.post('/agent/help/articles', { sectionId: String(section), visibility: 'public', locale: 'en', title: '', body: 'Kept text' });
  t.equal(refused.statusCode, 422, 'an article without a title is refused');
  t.match(refused.body, 'Kept text', 'with what was typed kept');
  t.match(refused.body, 'aria-invalid="true"');
  const noSection = await staff.post('/agent/help/articles', { sectionId: '999', visibility: 'public', locale: 'en', title: 'X', body: 'Y' });
  t.equal(noSection.statusCode, 422, 'a section that does not exist is refused');
  t.equal((await db.selectFrom('help_articles').select('id').execute()).length, 0, 'nothing was written');

  const id = await write({ title: 'Hostile', body: '<script>alert(1)</script>\n\n[click](javascript:alert(1)) ![x](https://tracker.test/p.png) ![logo](/public/favicon.svg)' });
  await publish(id);
  const page = await cora.page(`/help/articles/${id}`);
  t.notMatch(page, '<script>alert', 'raw HTML is shown as text, never run');
  t.match(page, '&lt;script&gt;alert(1)&lt;/script&gt;');
  t.notMatch(page, 'href="javascript:', 'no javascript: link');
  t.notMatch(page, 'src="https://tracker.test', 'a remote image is not loaded');
  t.match(page, '<a href="https://tracker.test/p.png" rel="noopener noreferrer nofollow">x</a>', 'it is a link instead');
  t.match(page, '<img src="/public/favicon.svg" alt="logo" loading="lazy">', 'an image of the desk itself is shown');
});

t.test('categories and sections: named per language, refused without a name, deleted only when empty', async (t) => {
  const { staff, write, category, section } = await setup(t);
  await staff.page('/agent/help/categories');
  const refused = await staff.post('/agent/help/categories', { name_en: '', description_en: 'Only a description', position: 'x' });
  t.equal(refused.statusCode, 422, 'a category without a name is refused');
  t.match(refused.body, 'Only a description', 'the values kept');
  t.match(refused.body, 'Enter a whole number.');
  await write({ title: 'Something', body: 'Text' });
  await staff.page(`/agent/help/sections/${section}`);
  t.equal((await staff.post(`/agent/help/sections/${section}/delete`)).statusCode, 409, 'a section with articles stays');
  t.equal((await staff.post(`/agent/help/categories/${category}/delete`)).statusCode, 409, 'a category with sections stays');
  t.equal((await staff.post(`/agent/help/categories/${category}`, { name_en: 'Account', name_de: 'Konto', position: '2' })).statusCode, 303, 'a category is renamed');
  t.match(await staff.page('/agent/help/categories'), 'Account', 'the list shows the new name');
});

t.test('the staff list filters articles by state and visibility', async (t) => {
  const { staff, write, publish } = await setup(t);
  const a = await write({ title: 'Published public one', body: 'Text' });
  await write({ title: 'Draft internal one', body: 'Text', visibility: 'internal' });
  await publish(a);
  const all = await staff.page('/agent/help');
  t.match(all, 'Published public one');
  t.match(all, 'Draft internal one');
  const drafts = await staff.page('/agent/help?state=draft');
  t.match(drafts, 'Draft internal one', 'drafts only');
  t.notMatch(drafts, 'Published public one');
  const internal = await staff.page('/agent/help?visibility=internal', { 'HX-Request': 'true', 'HX-Request-Type': 'partial' });
  t.match(internal, '<div id="help-staff-table">', 'htmx gets the table');
  t.notMatch(internal, '<html', 'alone');
  t.notMatch(internal, 'Published public one', 'internal only');
});

t.test('suggestions look past more unreadable matches than one look-up takes, in the same order', async (t) => {
  const { write, publish, cora } = await setup(t);
  // 30 internal articles rank above the public ones (the word in the title counts ten times).
  for (let n = 0; n < 30; n++) await publish(await write({ title: `Toner recall ${n}`, body: 'Staff only.', visibility: 'internal' }));
  const shown: number[] = [];
  for (let n = 0; n < 6; n++) {
    const id = await write({ title: `Cartridge ${n}`, body: `Toner streaks, case ${n}.` });
    await publish(id);
    shown.push(id);
  }
  const page = await cora.page('/help/suggestions?subject=toner');
  const suggested = [...page.matchAll(/\/help\/articles\/(\d+)-/g)].map((m) => Number(m[1]));
  t.same(suggested, shown.slice(1).reverse(), 'five public articles, the newest first among equals, none of the internal ones');
});

t.test('while a customer types a subject, up to five articles are suggested; "This answered my question" counts instead of a ticket', async (t) => {
  const { write, publish, cora, db, app, staff } = await setup(t);
  for (const n of [1, 2, 3, 4, 5, 6]) await publish(await write({ title: `Printer trouble ${n}`, body: `Printer jams, case ${n}.` }));
  await publish(await write({ title: 'Printer vendor escalation', body: 'Staff only: call the vendor.', visibility: 'internal' }));
  const target = await write({ title: 'Scanner jams', body: 'Lift the lid.' });
  await publish(target);

  const live = await cora.get('/help/suggestions?subject=My%20scanner%20jams', { 'HX-Request': 'true', 'HX-Request-Type': 'partial' });
  t.equal(live.statusCode, 200, 'the suggestions as the customer types (htmx)');
  t.notMatch(live.body, '<html', 'as a fragment');
  t.match(live.body, `href="/help/articles/${target}-scanner-jams?from=ticket"`, 'the best match is suggested');
  const many = await cora.page('/help/suggestions?subject=printer');
  t.equal([...many.matchAll(/\?from=ticket"/g)].length, 5, 'five at most');
  t.notMatch(many, 'escalation', 'never an internal article');

  await cora.page('/portal/tickets/new');
  const checked = await postMultipart(app, cora, '/portal/tickets', [{ name: '_csrf', value: cora.csrf }, { name: 'subject', value: 'Scanner jams again' },
    { name: 'message', value: 'Every page.' }, { name: 'refresh', value: 'answers' }]);
  t.equal(checked.statusCode, 200, 'without JavaScript, "Check for answers" shows them on the same page');
  t.match(checked.body, 'Articles that may answer your question');
  t.match(checked.body, `/help/articles/${target}-scanner-jams?from=ticket`);
  t.match(checked.body, 'value="Scanner jams again"', 'the subject kept');
  t.match(checked.body, 'Every page.', 'and the message');
  t.equal((await db.selectFrom('tickets').select('id').execute()).length, 0, 'no ticket was sent');
  const nothing = await postMultipart(app, cora, '/portal/tickets', [{ name: '_csrf', value: cora.csrf }, { name: 'subject', value: 'Quantum entanglement' },
    { name: 'message', value: '' }, { name: 'refresh', value: 'answers' }]);
  t.match(nothing.body, 'No articles match your subject.', 'it says when nothing matches');

  const article = await cora.page(`/help/articles/${target}-scanner-jams?from=ticket`);
  t.match(article, 'This answered my question', 'the suggested article offers "This answered my question"');
  const answered = await cora.post(`/help/articles/${target}/deflection`);
  t.equal(answered.statusCode, 303);
  t.equal(answered.headers.location, '/portal', 'the customer goes back to the portal');
  t.match(await cora.page('/portal'), 'Glad the article helped. No ticket was sent.');
  await cora.post(`/help/articles/${target}/deflection`);
  const row = await db.selectFrom('help_articles').select('deflection_count').where('id', '=', target).executeTakeFirstOrThrow();
  t.equal(row.deflection_count, 1, 'counted once per customer');
  t.match(await staff.page(`/agent/help/articles/${target}`), 'answered 1 question without a ticket', 'the count shows on the article for staff');
});

t.test('an agent finds a public article from the compose box and inserts its link or its text into the reply', async (t) => {
  const { write, publish, staff, db, customer } = await setup(t);
  const id = await write({ title: 'Reset your password', body: 'Choose **Forgot password** on the sign-in page.' });
  await publish(id);
  await publish(await write({ title: 'Password policy for staff', body: 'Internal rules.', visibility: 'internal' }));
  const ticket = await makeTicket(db, { requesterId: customer.id, subject: 'Cannot sign in: password lost' });
  const page = await staff.page(`/agent/tickets/${ticket}`);
  t.match(page, 'Insert an article', 'the compose box offers the help center');
  const suggested = await staff.post(`/agent/tickets/${ticket}/article`, { tab: 'general', kind: 'reply', body: '', articleQ: '', articleAction: 'search' });
  t.match(suggested.body, 'Suggested by the ticket’s subject', 'searching for nothing suggests by the subject');
  const found = await staff.post(`/agent/tickets/${ticket}/article`, { tab: 'general', kind: 'reply', body: 'Hello Cora,', articleQ: 'password', articleAction: 'search' });
  t.equal(found.statusCode, 200);
  t.match(found.body, `name="articleChoice" value="${id}" checked> Reset your password`, 'the public article is found');
  t.notMatch(found.body, 'Password policy for staff', 'an internal one is not offered');
  t.match(found.body, 'Hello Cora,', 'what the agent typed is kept');
  const link = await staff.post(`/agent/tickets/${ticket}/article`, { tab: 'general', kind: 'reply', body: 'Hello Cora,', articleChoice: String(id), articleAction: 'link' });
  t.match(link.body, new RegExp(`Hello Cora,\\n\\n\\[Reset your password\\]\\(http://[^)]+/help/articles/${id}-reset-your-password\\)</textarea>`), 'the link is added to the text');
  const text = await staff.post(`/agent/tickets/${ticket}/article`, { tab: 'general', kind: 'reply', body: '', articleChoice: String(id), articleAction: 'text' });
  t.match(text.body, 'Choose **Forgot password** on the sign-in page.</textarea>', 'or the article\'s text');
  const none = await staff.post(`/agent/tickets/${ticket}/article`, { tab: 'general', kind: 'reply', body: 'Kept', articleAction: 'link' });
  t.equal(none.statusCode, 422, 'inserting nothing is refused');
  t.match(none.body, 'Choose an article to insert.');
  t.equal((await db.selectFrom('messages').select('id').where('ticket_id', '=', ticket).execute()).length, 0, 'nothing was sent');
});

t.test('html-validate finds nothing on the help center\'s pages, for a visitor, a customer and staff', async (t) => {
  const { HtmlValidate } = await import('html-validate');
  const validator = new HtmlValidate({
    extends: ['html-validate:recommended'],
    rules: { 'form-dup-name': ['error', { shared: ['radio', 'checkbox', 'button', 'reset', 'submit'] }] },
  });
  const { write, publish, staff, cora, visitor, db, section, category, customer } = await setup(t);
  await putSetting(db, 'help.public', '1');
  const id = await write({ title: 'Reset your password', body: '## Steps\n\n1. Open *Account*\n2. Choose [Forgot password](/password/forgot)\n\n> Tip: check spam.' });
  await publish(id);
  await publish(await write({ title: 'Password rules', body: 'At least ten characters.' }));
  const ticket = await makeTicket(db, { requesterId: customer.id, subject: 'Password' });
  const guest = await visitor();
  const pages: [string, Client, string][] = [
    ...['/help', `/help/categories/${category}`, `/help/sections/${section}`, `/help/articles/${id}`, '/help/search?q=passw', '/help/search', '/help/suggestions?subject=password']
      .map((url): [string, Client, string] => ['visitor', guest, url]),
    ...['/help', `/help/articles/${id}?from=ticket`, '/portal/tickets/new'].map((url): [string, Client, string] => ['customer', cora, url]),
    ...['/agent/help', '/agent/help/articles/new', `/agent/help/articles/${id}`, `/agent/help/articles/${id}?locale=de`, '/agent/help/categories',
      `/agent/help/categories/${category}`, `/agent/help/sections/${section}`, `/agent/tickets/${ticket}`, `/agent/tickets/${ticket}/similar`,
      `/agent/tickets/${ticket}/new-article`].map((url): [string, Client, string] => ['staff', staff, url]),
  ];
  for (const [who, as, url] of pages) {
    const page = await as.get(url);
    t.equal(page.statusCode, 200, `${who} ${url} answers`);
    const report = await validator.validateString(page.body);
    const lines = page.body.split('\n');
    const found = report.results.flatMap((r) => r.messages).map((m) => `${m.ruleId} at line ${m.line}: ${m.message} | ${(lines[m.line - 1] ?? '').trim().slice(0, 160)}`);
    t.same(found, [], `${who} ${url}: no findings`);
  }
});
