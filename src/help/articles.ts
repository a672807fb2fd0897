import type { Db, Trx } from '../db/connect.js';
import { Forbidden, Invalid, NotFound, type FieldErrors } from '../lib/errors.js';
import { refuse } from '../lib/form.js';
import { nowIso } from '../lib/time.js';
import { can } from '../policy/can.js';
import type { Actor } from '../users/actor.js';
import { checkBrandChoice, type ArticleInput } from './schemas.js';
import { renderArticle } from './text.js';
import { adoptImages, storageKeysOfArticle } from './images.js';
import type { StoredUpload } from '../attachments/uploads.js';
import { removeStoredFiles } from '../attachments/store.js';

/**
 * Help center articles (issue 23, point 1): staff write them in Markdown, one version per language;
 * every saved version is a revision (who and when), and an older one can be restored, which is a new
 * revision again. An article starts as a draft; publishing puts it in the help center.
 */

function mayManage(actor: Actor): void {
  if (!can(actor, 'help.manage')) throw new Forbidden();
}

/** A published article is what readers see: only those who may publish change it (agents write drafts). */
function mayChange(actor: Actor, article: { state: string }): void {
  if (article.state === 'published' && !can(actor, 'help.publish')) throw new Forbidden('help.errors.publishRight');
}

async function checkSection(db: Db, sectionId: number, errors: FieldErrors): Promise<void> {
  if (sectionId && !(await db.selectFrom('help_sections').select('id').where('id', '=', sectionId).executeTakeFirst())) {
    errors.sectionId ??= 'errors.choice';
  }
}

/** Write one language version and its revision (unless nothing changed). */
async function writeText(trx: Trx, actor: Actor, articleId: number, locale: string, title: string, body: string, restoredFrom: number | null = null): Promise<boolean> {
  const now = nowIso();
  const { html, text } = renderArticle(body);
  const existing = await trx.selectFrom('help_article_texts').select(['id', 'title', 'body']).where('article_id', '=', articleId).where('locale', '=', locale).executeTakeFirst();
  if (existing && existing.title === title && existing.body === body && restoredFrom === null) return false;
  if (existing) {
    await trx.updateTable('help_article_texts').set({ title, body, body_html: html, body_text: text, updated_at: now, updated_by: actor.id })
      .where('id', '=', existing.id).execute();
  } else {
    await trx.insertInto('help_article_texts').values({ article_id: articleId, locale, title, body, body_html: html, body_text: text, updated_at: now, updated_by: actor.id }).execute();
  }
  await trx.insertInto('help_revisions').values({ article_id: articleId, locale, title, body, author_id: actor.id, restored_from: restoredFrom, created_at: now }).execute();
  return true;
}

/** Uploaded images (pending uploads of the actor) to add to the text being saved (images.ts). */
type Images = readonly Pick<StoredUpload, 'id'>[];

/** A new article (a draft) with its first language version. */
export async function createArticle(db: Db, actor: Actor, input: ArticleInput, errors: FieldErrors, images: Images = []): Promise<number> {
  mayManage(actor);
  await checkSection(db, input.sectionId, errors);
  await checkBrandChoice(db, input.brandId, errors);
  refuse(errors);
  return db.transaction().execute(async (trx) => {
    const now = nowIso();
    const row = await trx.insertInto('help_articles').values({
      section_id: input.sectionId, brand_id: input.brandId, visibility: input.visibility, state: 'draft', author_id: actor.id, created_at: now, updated_at: now,
    }).returning('id').executeTakeFirstOrThrow();
    await writeText(trx, actor, row.id, input.locale, input.title, await adoptImages(trx, actor, row.id, images, input.body));
    return row.id;
  });
}

/** Save the editor: the article's section, brand and visibility, and its text in the chosen language (with the images uploaded). */
export async function saveArticle(db: Db, actor: Actor, id: number, input: ArticleInput, errors: FieldErrors, images: Images = []): Promise<void> {
  mayManage(actor);
  mayChange(actor, await findArticle(db, id));
  await checkSection(db, input.sectionId, errors);
  await checkBrandChoice(db, input.brandId, errors);
  refuse(errors);
  await db.transaction().execute(async (trx) => {
    await writeText(trx, actor, id, input.locale, input.title, await adoptImages(trx, actor, id, images, input.body));
    await trx.updateTable('help_articles').set({ section_id: input.sectionId, brand_id: input.brandId, visibility: input.visibility, updated_at: nowIso() }).where('id', '=', id).execute();
  });
}

export async function findArticle(db: Db, id: number) {
  const article = await db.selectFrom('help_articles').select(['id', 'state', 'published_at']).where('id', '=', id).executeTakeFirst();
  if (!article) throw new NotFound();
  return article;
}

/** Publish (the help center shows it) or take it back to draft (it shows nowhere but the editor). */
export async function setArticleState(db: Db, actor: Actor, id: number, state: 'published' | 'draft' | null): Promise<void> {
  if (!can(actor, 'help.publish')) throw new Forbidden('help.errors.publishRight');
  const article = await findArticle(db, id);
  if (state === null) throw new Invalid({ state: 'errors.choice' });
  if (article.state === state) return;
  const now = nowIso();
  await db.updateTable('help_articles')
    .set({ state, updated_at: now, ...(state === 'published' && article.published_at === null ? { published_at: now } : {}) })
    .where('id', '=', id).execute();
}

/** Bring back an older revision's title and text (a new revision that says which one it restored). */
export async function restoreRevision(db: Db, actor: Actor, revisionId: number): Promise<{ articleId: number; locale: string }> {
  mayManage(actor);
  return db.transaction().execute(async (trx) => {
    const revision = await trx.selectFrom('help_revisions').selectAll().where('id', '=', revisionId).executeTakeFirst();
    if (!revision) throw new NotFound();
    mayChange(actor, await findArticle(trx, revision.article_id));
    await writeText(trx, actor, revision.article_id, revision.locale, revision.title, revision.body, revision.id);
    await trx.updateTable('help_articles').set({ updated_at: nowIso() }).where('id', '=', revision.article_id).execute();
    return { articleId: revision.article_id, locale: revision.locale };
  });
}

/** Delete an article with its language versions, revisions, votes and images (their files after the commit). */
export async function deleteArticle(db: Db, actor: Actor, id: number, uploadsDir: string): Promise<void> {
  mayManage(actor);
  mayChange(actor, await findArticle(db, id));
  const keys = await db.transaction().execute(async (trx) => {
    const images = await storageKeysOfArticle(trx, id);
    await trx.deleteFrom('help_articles').where('id', '=', id).execute();
    return images;
  });
  await removeStoredFiles(uploadsDir, keys);
}
