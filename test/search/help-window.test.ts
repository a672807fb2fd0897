// Help center search (issue 23, point 3) keeps the house rule of ticket search: a word in more texts
// than HELP_SEARCH_WINDOW has only its newest matching texts ranked (SQLite's bm25 scores each row
// it ranks), so a common word costs the same in a help center of 500 articles or of 50,000.
import t from 'tap';
import { articleTextHits, helpSearchTerms, HELP_SEARCH_WINDOW } from '../../src/search/index.js';
import { buildTestDesk } from '../helpers/app.js';

t.test('a word in more texts than the window: the newest are ranked, an older and better match is left to a narrower search', async (t) => {
  const { db } = await buildTestDesk(t);
  const now = new Date().toISOString();
  const texts = JSON.stringify({ en: { name: 'Help', description: '' } });
  const category = await db.insertInto('help_categories').values({ position: 0, texts, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
  const section = await db.insertInto('help_sections').values({ category_id: category.id, position: 0, texts, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
  // The oldest text is the best match (the word in the title three times); then the window's worth, and a few more.
  const titles = ['Gizmo gizmo gizmo', ...Array.from({ length: HELP_SEARCH_WINDOW + 4 }, (_, i) => `Setting up the gizmo, part ${i}`)];
  const ids: number[] = [];
  for (let i = 0; i < titles.length; i += 100) {
    const slice = titles.slice(i, i + 100);
    const articles = await db.insertInto('help_articles').values(slice.map(() => ({ section_id: section.id, visibility: 'public', state: 'published', author_id: null, created_at: now, updated_at: now, published_at: now })))
      .returning('id').execute();
    const inserted = await db.insertInto('help_article_texts').values(slice.map((title, j) => ({ article_id: articles[j]!.id, locale: 'en', title, body: 'Text.', body_html: '<p>Text.</p>', body_text: 'Text.', updated_at: now, updated_by: null })))
      .returning('id').execute();
    ids.push(...inserted.map((r) => r.id));
  }
  const hits = await articleTextHits(db, helpSearchTerms('gizmo'));
  t.equal(hits.length, HELP_SEARCH_WINDOW, 'as many as the window');
  // Both databases: only the newest texts were ranked, so the oldest, best match is left out.
  const newest = new Set(ids.slice(-HELP_SEARCH_WINDOW));
  t.ok(hits.every((hit) => newest.has(hit.textId)), 'only the newest texts were ranked');
  t.notOk(hits.some((hit) => hit.textId === ids[0]), 'the oldest, best match is outside the window');
  const narrower = await articleTextHits(db, helpSearchTerms('gizmo gizmo "gizmo gizmo"'));
  t.equal(narrower[0]?.textId, ids[0], 'a narrower search finds it');
});
