// The help center in the reports (issue 23, point 4): "This answered my question" (deflections) and
// "Was this helpful?" answers in the chosen range of local days, with a row per top article.
import t from 'tap';
import type { Db } from '../../src/db/connect.js';
import { dayIn } from '../../src/reports/facts.js';
import { putSetting } from '../../src/settings/settings.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';

async function publishedArticle(db: Db, sectionId: number, title: string): Promise<number> {
  const now = new Date().toISOString();
  const article = await db.insertInto('help_articles').values({ section_id: sectionId, visibility: 'public', state: 'published', author_id: null, created_at: now, updated_at: now, published_at: now })
    .returning('id').executeTakeFirstOrThrow();
  await db.insertInto('help_article_texts').values({ article_id: article.id, locale: 'en', title, body: 'Text.', body_html: '<p>Text.</p>', body_text: 'Text.', updated_at: now, updated_by: null }).execute();
  return article.id;
}

/** The report's help center section (the page's last), or '' when there is none. */
const helpSection = (page: string) => (page.includes('id="report-help-heading"') ? page.slice(page.indexOf('id="report-help-heading"')) : '');

t.test('the reports page counts deflections and helpful answers in the range, with the top articles', async (t) => {
  const { app, db } = await buildTestDesk(t);
  await putSetting(db, 'site_time_zone', 'Europe/Berlin');
  const now = new Date().toISOString();
  const texts = JSON.stringify({ en: { name: 'Help', description: '' } });
  const category = await db.insertInto('help_categories').values({ position: 0, texts, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
  const section = await db.insertInto('help_sections').values({ category_id: category.id, position: 0, texts, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
  const password = await publishedArticle(db, section.id, 'Reset your password');
  const printer = await publishedArticle(db, section.id, 'Printer jams');

  const login = async (role: 'customer' | 'supervisor' | 'agent') => {
    const client = new Client(app);
    await client.login((await makeUser(db, role)).email, PASSWORD);
    return client;
  };
  const [ann, bea, cid] = [await login('customer'), await login('customer'), await login('customer')];
  const answer = async (who: Client, id: number, helpful: 'yes' | 'no', deflect: boolean) => {
    await who.page(`/help/articles/${id}?from=ticket`);
    if (deflect) t.equal((await who.post(`/help/articles/${id}/deflection`)).statusCode, 303, 'a customer says the article answered the question');
    t.equal((await who.post(`/help/articles/${id}/vote`, { helpful })).statusCode, 303, `a customer answers ${helpful}`);
  };
  await answer(ann, password, 'yes', true);
  await answer(bea, password, 'no', true);
  await answer(cid, printer, 'yes', true);
  await answer(ann, printer, 'no', false);

  const today = dayIn('Europe/Berlin')(new Date().toISOString());
  const yesterday = dayIn('Europe/Berlin')(new Date(Date.now() - 86_400_000).toISOString());
  const supervisor = await login('supervisor');
  const page = await supervisor.page(`/agent/reports?from=${yesterday}&to=${today}`);
  const help = helpSection(page);
  t.match(help, 'Help center', 'the reports page has a help center section');
  t.match(help, /Answered without a ticket<\/dt><dd data-figure="deflections">3<\/dd>/, 'three deflections');
  t.match(help, /Helpful<\/dt><dd data-figure="yes">2<\/dd>/, 'two helpful answers');
  t.match(help, /Not helpful<\/dt><dd data-figure="no">2<\/dd>/, 'two unhelpful ones');
  t.match(help, new RegExp(`href="/agent/help/articles/${password}">Reset your password</a></th><td>2</td><td>1</td><td>1</td>`), 'a row for the password article');
  t.match(help, new RegExp(`href="/agent/help/articles/${printer}">Printer jams</a></th><td>1</td><td>1</td><td>1</td>`), 'and one for the printer article');
  t.ok(help.indexOf('Reset your password') < help.indexOf('Printer jams'), 'the most deflections first');
  t.match(helpSection(await (await login('agent')).page(`/agent/reports?from=${yesterday}&to=${today}`)), 'data-figure="deflections">3<', 'an agent sees the same desk-wide figures');

  // Days are the site's: 22:30 UTC on 9 March is still the 9th in Berlin, 23:30 UTC is the 10th.
  await db.insertInto('help_deflections').values([
    { article_id: printer, voter: 'v:late-on-the-9th', created_at: '2026-03-09T22:30:00.000Z' },
    { article_id: printer, voter: 'v:early-on-the-10th', created_at: '2026-03-09T23:30:00.000Z' },
    { article_id: printer, voter: 'v:end-of-the-10th', created_at: '2026-03-10T22:59:59.000Z' },
    { article_id: printer, voter: 'v:the-11th', created_at: '2026-03-10T23:00:00.000Z' },
  ]).execute();
  const tenth = helpSection(await supervisor.page('/agent/reports?from=2026-03-10&to=2026-03-10'));
  t.match(tenth, 'data-figure="deflections">2<', 'a day in Berlin counts what happened on that local day only');
  t.match(tenth, 'data-figure="yes">0<', 'and no answers that were given on other days');
  const empty = helpSection(await supervisor.page('/agent/reports?from=2026-02-01&to=2026-02-02'));
  t.match(empty, 'No answers in the help center in this range.', 'a range without any says so');
  t.equal((await ann.get(`/agent/reports?from=${yesterday}&to=${today}`)).statusCode, 403, 'customers see no reports');
});
