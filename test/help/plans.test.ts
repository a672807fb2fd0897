// The help center's lists read a handful of articles however many are published: the most read ones
// (the home page, "Related articles") and the titles of suggested texts. On PostgreSQL the language
// version a reader gets (shownText's subquery) was once looked up for every published article before
// the list was cut (30–100 ms at 5,000 articles on the 1M-ticket bench desk).
import { CompiledQuery, type Compilable } from 'kysely';
import t from 'tap';
import type { Db } from '../../src/db/connect.js';
import { ofTexts, popularArticles, popularArticlesQuery, relatedArticles, titlesOfTexts, type Reader } from '../../src/help/queries.js';
import { buildTestDesk } from '../helpers/app.js';
import { onPostgres } from '../helpers/database.js';

const ARTICLES = 400;

async function helpCenter(db: Db) {
  const now = new Date().toISOString();
  const texts = JSON.stringify({ en: { name: 'Help', description: '' } });
  const category = await db.insertInto('help_categories').values({ position: 0, texts, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
  const section = await db.insertInto('help_sections').values({ category_id: category.id, position: 0, texts, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
  const articles = [];
  for (let i = 0; i < ARTICLES; i += 100) {
    // Views: 7 for article 10, 5 for article 20..., the rest fewer; every fourth is a draft (never listed).
    articles.push(...await db.insertInto('help_articles').values(Array.from({ length: 100 }, (_, j) => ({
      section_id: section.id, visibility: 'public', state: (i + j) % 4 === 3 ? 'draft' : 'published', author_id: null,
      view_count: (i + j) % 10 === 0 ? (i + j) % 7 : 0, created_at: now, updated_at: now, published_at: now,
    }))).returning('id').execute());
  }
  const textRows = articles.flatMap((a, i) => [
    { article_id: a.id, locale: 'en', title: `Article ${i}`, body: 'Text.', body_html: '<p>Text.</p>', body_text: 'Text.', updated_at: now, updated_by: null },
    ...(i % 2 === 0 ? [{ article_id: a.id, locale: 'de', title: `Artikel ${i}`, body: 'Text.', body_html: '<p>Text.</p>', body_text: 'Text.', updated_at: now, updated_by: null }] : []),
  ]);
  const textIds: number[] = [];
  for (let i = 0; i < textRows.length; i += 100) textIds.push(...(await db.insertInto('help_article_texts').values(textRows.slice(i, i + 100)).returning('id').execute()).map((r) => r.id));
  await db.executeQuery(CompiledQuery.raw('analyze'));
  return { section: section.id, articles: articles.map((a) => a.id), textIds };
}

/** How many times the statement's subqueries ran, at most, and which (PostgreSQL's EXPLAIN ANALYZE). */
async function mostLoops(db: Db, query: Compilable<unknown>): Promise<{ loops: number; step: string }> {
  const compiled = query.compile();
  const { rows } = await db.executeQuery<{ 'QUERY PLAN': unknown }>(CompiledQuery.raw(`explain (analyze, format json) ${compiled.sql}`, [...compiled.parameters]));
  const raw = rows[0]!['QUERY PLAN'];
  const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as [{ Plan: PlanNode }];
  interface PlanNode { 'Actual Loops': number; 'Node Type': string; 'Parent Relationship'?: string; 'Subplan Name'?: string; Plans?: PlanNode[] }
  let most = { loops: 0, step: '' };
  const walk = (node: PlanNode): void => {
    if (node['Parent Relationship'] === 'SubPlan' && node['Actual Loops'] > most.loops) most = { loops: node['Actual Loops'], step: `${node['Subplan Name']}: ${node['Node Type']}` };
    for (const child of node.Plans ?? []) walk(child);
  };
  walk(plan[0].Plan);
  return most;
}

t.test('the most read articles, in the reader\'s language, found without going through every published article', async (t) => {
  const { db } = await buildTestDesk(t);
  const { section, articles, textIds } = await helpCenter(db);
  const english: Reader = { internal: false, locale: 'en', brandId: 1 };
  const german: Reader = { ...english, locale: 'de' };

  const top = await popularArticles(db, english);
  // Published articles with views: index i % 10 === 0 and i % 4 !== 3; views (i % 7), most first, then by number.
  const expected = articles.map((id, i) => ({ id, i, views: i % 10 === 0 ? i % 7 : 0 })).filter((a) => a.i % 4 !== 3)
    .sort((a, b) => b.views - a.views || a.id - b.id).slice(0, 6);
  t.same(top.map((a) => [a.id, a.view_count]), expected.map((a) => [a.id, a.views]), 'the six most read, most first');
  t.same(top.map((a) => a.title), expected.map((a) => `Article ${a.i}`), 'in English');
  t.same((await popularArticles(db, german)).map((a) => a.title), expected.map((a) => (a.i % 2 === 0 ? `Artikel ${a.i}` : `Article ${a.i}`)),
    'in German where a German version exists, else English');
  const related = await relatedArticles(db, english, { id: expected[0]!.id, section_id: section });
  t.same(related.map((a) => a.id), expected.slice(1, 6).map((a) => a.id), 'related: the same section\'s most read but the article itself');
  const suggested = await titlesOfTexts(db, german, textIds.slice(0, 25));
  t.ok(suggested.length > 0 && suggested.every((a) => a.locale === 'de' || a.title.startsWith('Article')), `suggested texts shown in the reader's version (${suggested.length})`);

  if (onPostgres) {
    const published = articles.length * 3 / 4;
    const popular = await mostLoops(db, popularArticlesQuery(db, german));
    t.ok(popular.loops < 50, `the most read: the reader's language version is looked up for a few articles, not every published one (at most ${popular.loops} times: ${popular.step}; ${published} published)`);
    const suggested = await mostLoops(db, ofTexts(db, german, textIds.slice(0, 25)));
    t.ok(suggested.loops < 50, `25 suggested texts: the language version looked up for those texts' articles only (at most ${suggested.loops} times: ${suggested.step})`);
  }
});
