import type { Generated, Selectable } from 'kysely';

/** Migration 0040: the help center's tree, its articles, their language versions, revisions and votes. */
export interface HelpCategoriesTable {
  id: Generated<number>;
  position: Generated<number>;
  /** JSON: LocalizedTexts (text.ts), a name and a description per language. */
  texts: Generated<string>;
  /** The brand whose help center shows it, null for every brand's (migration 0046). */
  brand_id: number | null;
  created_at: string;
  updated_at: string;
}

export interface HelpSectionsTable {
  id: Generated<number>;
  category_id: number;
  position: Generated<number>;
  texts: Generated<string>;
  created_at: string;
  updated_at: string;
}

export interface HelpArticlesTable {
  id: Generated<number>;
  section_id: number;
  /** The brand whose help center shows it, null for every brand's (migration 0046). */
  brand_id: number | null;
  /** 'public': customers and (when the desk allows) visitors; 'internal': staff only. */
  visibility: Generated<string>;
  /** 'draft' or 'published': only published articles reach the help center. */
  state: Generated<string>;
  author_id: number | null;
  position: Generated<number>;
  view_count: Generated<number>;
  helpful_yes: Generated<number>;
  helpful_no: Generated<number>;
  /** Customers who found their answer here while writing a ticket, and sent none (help_deflections). */
  deflection_count: Generated<number>;
  created_at: string;
  updated_at: string;
  published_at: string | null;
}

/** An article in one language. The search index (help_search / search_words) is kept by the database. */
export interface HelpArticleTextsTable {
  id: Generated<number>;
  article_id: number;
  locale: string;
  title: string;
  /** Markdown as the author wrote it. */
  body: Generated<string>;
  /** The Markdown rendered and sanitised (text.ts renderArticle), shown as it is. */
  body_html: Generated<string>;
  /** The same as plain text: what the search indexes and its excerpts are cut from. */
  body_text: Generated<string>;
  updated_at: string;
  updated_by: number | null;
}

export interface HelpRevisionsTable {
  id: Generated<number>;
  article_id: number;
  locale: string;
  title: string;
  body: string;
  author_id: number | null;
  /** A restore: the revision it brought back. */
  restored_from: number | null;
  created_at: string;
}

export interface HelpVotesTable {
  article_id: number;
  /** `u:<id>` for a signed-in person, `v:<hash>` for a visitor's browser. */
  voter: string;
  helpful: number;
  created_at: string;
}

/** "This answered my question" on an article suggested while writing a ticket: one per reader. */
export interface HelpDeflectionsTable {
  article_id: number;
  voter: string;
  created_at: string;
}

/** Migration 0046: an image uploaded in the article editor, stored under its own key like a macro's file. */
export interface HelpArticleImagesTable {
  id: Generated<number>;
  article_id: number;
  filename: string;
  /** Sniffed from the bytes when uploaded, as for message attachments. */
  content_type: string;
  size: number;
  sha256: string;
  storage_key: string;
  created_at: string;
}

export type HelpArticle = Selectable<HelpArticlesTable>;
export type HelpArticleText = Selectable<HelpArticleTextsTable>;
export type HelpRevision = Selectable<HelpRevisionsTable>;

declare module '../db/schema.js' {
  interface Database {
    help_categories: HelpCategoriesTable;
    help_sections: HelpSectionsTable;
    help_articles: HelpArticlesTable;
    help_article_texts: HelpArticleTextsTable;
    help_revisions: HelpRevisionsTable;
    help_votes: HelpVotesTable;
    help_deflections: HelpDeflectionsTable;
    help_article_images: HelpArticleImagesTable;
  }
}
