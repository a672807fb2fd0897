import type { Db, Trx } from '../db/connect.js';
import { KINDS, loadAttachmentPolicy, type AttachmentPolicy } from '../attachments/sniff.js';
import type { StoredUpload } from '../attachments/uploads.js';
import { Invalid, NotFound } from '../lib/errors.js';
import { nowIso } from '../lib/time.js';
import type { Actor } from '../users/actor.js';
import { readArticle, type Reader } from './queries.js';

/**
 * Images in articles (issue 23, point 1: "with images as attachments"). The editor's file field is
 * read like any form's files (readMultipartForm: sniffed from the bytes, the desk's allow-list and
 * size limit), with the allow-list narrowed to its images; saving the article moves the pending
 * upload into `help_article_images` under the same storage key (as a macro's files, macros/files.ts)
 * and adds a Markdown reference to the text. Readers get an image when they may read its article.
 */

/** The desk's attachment policy, its images only: a PDF allowed on tickets is still no picture. */
export async function imagePolicy(db: Db): Promise<AttachmentPolicy> {
  const policy = await loadAttachmentPolicy(db);
  return { allowed: policy.allowed.filter((kind) => KINDS[kind].image), maxTotalBytes: policy.maxTotalBytes };
}

export const imagePath = (id: number): string => `/help/images/${id}`;

/** `![name](/help/images/7)`: the file's name without its extension, and nothing Markdown would read as syntax. */
function reference(id: number, filename: string): string {
  const alt = filename.replace(/\.[a-z0-9]{1,5}$/i, '').replace(/[[\]\\]/g, ' ').trim();
  return `![${alt}](${imagePath(id)})`;
}

/**
 * Inside the article's save: the person's pending uploads become the article's images. Returns the
 * text with a reference to each added at its end.
 */
export async function adoptImages(trx: Trx, actor: Actor, articleId: number, uploads: readonly Pick<StoredUpload, 'id'>[], body: string): Promise<string> {
  if (uploads.length === 0) return body;
  const ids = uploads.map((u) => u.id);
  // Deleting the pending rows first takes them from the upload clean-up, which deletes before it removes files.
  const taken = await trx.deleteFrom('attachments').where('id', 'in', ids).where('uploader_id', '=', actor.id).where('message_id', 'is', null)
    .returning(['filename', 'content_type', 'size', 'sha256', 'storage_key']).execute();
  if (taken.length !== ids.length) throw new Invalid({ image: 'attachments.errors.goneField' }, 'attachments.errors.gone');
  const now = nowIso();
  const rows = await trx.insertInto('help_article_images').values(taken.map((row) => ({ article_id: articleId, ...row, created_at: now })))
    .returning(['id', 'filename']).execute();
  const references = rows.sort((a, b) => a.id - b.id).map((row) => reference(row.id, row.filename));
  return [body.replace(/\s+$/, ''), ...references].filter(Boolean).join('\n\n');
}

/** An article's images, for the editor (with the reference to copy elsewhere in the text). */
export async function listArticleImages(db: Db, articleId: number) {
  const rows = await db.selectFrom('help_article_images').select(['id', 'filename', 'size']).where('article_id', '=', articleId).orderBy('id').execute();
  return rows.map((row) => ({ ...row, markdown: reference(row.id, row.filename) }));
}

/**
 * An image for whoever may read its article where they ask (the reader's brand, published, internal
 * for staff only); those who write articles also see a draft's (the editor's preview). NotFound otherwise.
 */
export async function findReadableImage(db: Db, reader: Reader, writer: boolean, id: number) {
  const image = await db.selectFrom('help_article_images').selectAll().where('id', '=', id).executeTakeFirst();
  if (!image) throw new NotFound();
  if (!writer) await readArticle(db, reader, image.article_id);
  return image;
}

/** The storage keys of an article's images: read in the transaction that deletes it, removed after the commit. */
export async function storageKeysOfArticle(trx: Db, articleId: number): Promise<string[]> {
  return (await trx.selectFrom('help_article_images').select('storage_key').where('article_id', '=', articleId).execute()).map((r) => r.storage_key);
}
