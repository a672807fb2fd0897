// Article views (issue 23): counted in memory, once per reader, article and day, never for a crawler
// or a prefetch, and written a few seconds later in one statement (or on shutdown), so that reading
// an article writes nothing and the app's remembered reads (db/change-cache.ts) stay remembered.
import t, { type Test } from 'tap';
import { sql } from 'kysely';
import { changeMarker, untilChanged } from '../../src/db/change-cache.js';
import type { Db } from '../../src/db/connect.js';
import { ArticleViews, flushArticleViews, isBot } from '../../src/help/view-counts.js';
import { putSetting } from '../../src/settings/settings.js';
import { buildTestDesk, openTestDesk, tempDir } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { onPostgres } from '../helpers/database.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';
import type { FastifyInstance } from 'fastify';

const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';

/** A published public article, straight into the tables; its id. */
async function publishedArticle(db: Db, title: string): Promise<number> {
  const now = new Date().toISOString();
  const texts = JSON.stringify({ en: { name: 'Printing', description: '' } });
  const category = await db.insertInto('help_categories').values({ position: 0, texts, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
  const section = await db.insertInto('help_sections').values({ category_id: category.id, position: 0, texts, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
  const article = await db.insertInto('help_articles').values({ section_id: section.id, visibility: 'public', state: 'published', author_id: null, created_at: now, updated_at: now, published_at: now })
    .returning('id').executeTakeFirstOrThrow();
  await db.insertInto('help_article_texts').values({ article_id: article.id, locale: 'en', title, body: 'Text.', body_html: '<p>Text.</p>', body_text: 'Text.', updated_at: now, updated_by: null }).execute();
  return article.id;
}

const viewCount = async (db: Db, id: number) => (await db.selectFrom('help_articles').select('view_count').where('id', '=', id).executeTakeFirstOrThrow()).view_count;

async function visitor(app: FastifyInstance): Promise<Client> {
  const client = new Client(app);
  await client.get('/help', { 'user-agent': FIREFOX });
  return client;
}

async function openDesk(t: Test) {
  const desk = await buildTestDesk(t);
  await putSetting(desk.db, 'help.public', '1');
  return { ...desk, id: await publishedArticle(desk.db, 'Clear a paper jam') };
}

t.test('three visitors and a customer read an article, some twice: after the flush it has four views; a crawler and a prefetch count for nothing', async (t) => {
  const { app, db, id } = await openDesk(t);
  const path = `/help/articles/${id}-clear-a-paper-jam`;
  for (let n = 0; n < 3; n++) {
    const reader = await visitor(app);
    t.match(await reader.page(path, { 'user-agent': FIREFOX }), 'Clear a paper jam', `visitor ${n + 1} reads the article`);
    await reader.page(path, { 'user-agent': FIREFOX });
  }
  const customer = new Client(app);
  await customer.login((await makeUser(db, 'customer')).email, PASSWORD);
  await customer.page(path);
  await customer.page(`/help/articles/${id}`);
  const crawler = new Client(app);
  for (let n = 0; n < 3; n++) t.match(await crawler.page(path, { 'user-agent': GOOGLEBOT }), 'Clear a paper jam', 'a crawler reads it too');
  await (await visitor(app)).page(path, { 'user-agent': FIREFOX, 'sec-purpose': 'prefetch' });
  await new Client(app).page(path, { 'user-agent': 'curl/8.5.0' });

  t.equal(await viewCount(db, id), 0, 'nothing is written while people read');
  await flushArticleViews(db);
  t.equal(await viewCount(db, id), 4, 'the flush writes four views: one per reader');
  await flushArticleViews(db);
  t.equal(await viewCount(db, id), 4, 'a second flush has nothing more to add');
  t.match(await customer.page(path), 'Clear a paper jam');
  await flushArticleViews(db);
  t.equal(await viewCount(db, id), 4, 'the customer reading again the same day adds nothing');
});

t.test('reading an article writes nothing: a remembered read stays remembered', async (t) => {
  const { app, db, id } = await openDesk(t);
  const reader = await visitor(app);
  let reads = 0;
  const titles = untilChanged(async (db: Db, articleId: number) => {
    reads++;
    return db.selectFrom('help_article_texts').select('title').where('article_id', '=', articleId).execute();
  });
  await titles(db, id);
  const before = await changeMarker(db);
  const rowBefore = onPostgres ? await sql<{ v: string }>`select xmin::text as v from help_articles where id = ${id}`.execute(db) : null;
  t.match(await reader.page(`/help/articles/${id}`, { 'user-agent': FIREFOX }), 'Clear a paper jam', 'a visitor reads the article');
  if (onPostgres) {
    // PostgreSQL's marker is the server's write position, moved by any other test's database too: the
    // article's row version tells instead whether the view wrote it.
    const rowAfter = await sql<{ v: string }>`select xmin::text as v from help_articles where id = ${id}`.execute(db);
    t.equal(rowAfter.rows[0]!.v, rowBefore!.rows[0]!.v, 'the article\'s row was not written');
  } else {
    t.equal(await changeMarker(db), before, 'the database did not change');
    await titles(db, id);
    t.equal(reads, 1, 'the remembered read was answered without asking the database again');
  }
  await flushArticleViews(db);
  t.equal(await viewCount(db, id), 1, 'the view is written by the flush');
  if (!onPostgres) {
    await titles(db, id);
    t.equal(reads, 2, 'after which remembered reads are read again (once per flush, not per view)');
  }
});

t.test('views not yet written are written when the app shuts down', async (t) => {
  const dir = tempDir(t);
  const first = await openTestDesk(t, dir);
  await putSetting(first.db, 'help.public', '1');
  const id = await publishedArticle(first.db, 'Clear a paper jam');
  for (let n = 0; n < 2; n++) await (await visitor(first.app)).page(`/help/articles/${id}`, { 'user-agent': FIREFOX });
  await first.close();
  const again = await openTestDesk(t, dir);
  t.equal(await viewCount(again.db, id), 2, 'after a restart the two views are there');
});

t.test('the timer writes the counts on its own; a new day counts a reader again', async (t) => {
  const { db, id } = await openDesk(t);
  const views = new ArticleViews(db);
  const failures: unknown[] = [];
  t.ok(views.note(id, 'u:1', new Date('2026-12-06T10:00:00Z')), 'a first view counts');
  t.notOk(views.note(id, 'u:1', new Date('2026-12-06T23:00:00Z')), 'the same reader later that day does not');
  t.ok(views.note(id, 'u:1', new Date('2026-12-07T08:00:00Z')), 'the next day they count again');
  views.start(20, (error) => failures.push(error));
  t.teardown(() => views.stop());
  for (let waited = 0; waited < 3000 && (await viewCount(db, id)) < 2; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
  t.equal(await viewCount(db, id), 2, 'the timer wrote both views');
  t.same(failures, [], 'without failing');
});

t.test('who is a crawler', async (t) => {
  for (const agent of [GOOGLEBOT, 'Mozilla/5.0 (compatible; bingbot/2.0)', 'facebookexternalhit/1.1', 'curl/8.5.0', 'python-requests/2.31', undefined, '']) {
    t.ok(isBot(agent), `${agent ?? '(none)'} is a crawler`);
  }
  for (const agent of [FIREFOX, 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1']) {
    t.notOk(isBot(agent), `${agent} is a person's browser`);
  }
});
