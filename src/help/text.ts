import MarkdownIt from 'markdown-it';

/** The languages an article, a category or a section may be written in; the first is the fallback. */
export const HELP_LOCALES = ['en', 'de'] as const;
export type HelpLocale = (typeof HELP_LOCALES)[number];

export function isHelpLocale(value: unknown): value is HelpLocale {
  return typeof value === 'string' && (HELP_LOCALES as readonly string[]).includes(value);
}

/** A category's or section's name and description per language (the `texts` JSON column). */
export type LocalizedTexts = Partial<Record<HelpLocale, { name: string; description: string }>>;

export function parseTexts(json: string): LocalizedTexts {
  try {
    const value = JSON.parse(json) as unknown;
    return value && typeof value === 'object' ? (value as LocalizedTexts) : {};
  } catch {
    return {};
  }
}

/**
 * The reader's language if it is written, else English, else whichever there is: what a page shows.
 * `locale` tells the page which language it got (for a `lang` attribute when it is not the page's).
 */
export function localized(texts: LocalizedTexts, locale: string): { name: string; description: string; locale: string } {
  const order = [locale, ...HELP_LOCALES.filter((l) => l !== locale)];
  for (const l of order) {
    const text = texts[l as HelpLocale];
    if (text && text.name) return { ...text, locale: l };
  }
  return { name: '', description: '', locale };
}

/** The readable part of an article's address: `reset-your-password` (letters and digits, accents dropped). */
export function slugify(title: string): string {
  return title.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/ß/g, 'ss').replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 60).replace(/-+$/, '');
}

/** `42-reset-your-password` (just `42` when the title has no letters or digits). */
export function articlePath(id: number, title: string): string {
  const slug = slugify(title);
  return `/help/articles/${id}${slug ? `-${slug}` : ''}`;
}

export function categoryPath(id: number, name: string): string {
  const slug = slugify(name);
  return `/help/categories/${id}${slug ? `-${slug}` : ''}`;
}

export function sectionPath(id: number, name: string): string {
  const slug = slugify(name);
  return `/help/sections/${id}${slug ? `-${slug}` : ''}`;
}

/** The id at the start of a readable path segment (`42-reset-your-password` → 42), or null. */
export function leadingId(segment: string): number | null {
  const match = /^(\d{1,12})(?:-[\p{L}\p{N}-]*)?$/u.exec(segment);
  if (!match) return null;
  const id = Number(match[1]);
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

/**
 * Articles are Markdown written by staff, but read by anyone: raw HTML is not passed through (shown
 * as text) and markdown-it refuses javascript:, vbscript:, file: and data: links, as for messages
 * (messages/markdown.ts). Links to other sites leave without handing over the page. Images are shown
 * only from this desk (a path such as an attachment's); a remote one becomes a link, so reading an
 * article never calls another site.
 */
const md = new MarkdownIt({ html: false, linkify: true, breaks: false, typographer: false });

const defaultLinkOpen = md.renderer.rules.link_open
  ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  const token = tokens[idx]!;
  if (!isLocal(token.attrGet('href') ?? '')) token.attrSet('rel', 'noopener noreferrer nofollow');
  return defaultLinkOpen(tokens, idx, options, env, self);
};
md.renderer.rules.image = (tokens, idx) => {
  const token = tokens[idx]!;
  const src = token.attrGet('src') ?? '';
  const alt = md.utils.escapeHtml(token.content);
  if (isLocal(src)) return `<img src="${md.utils.escapeHtml(src)}" alt="${alt}" loading="lazy">`;
  return `<a href="${md.utils.escapeHtml(src)}" rel="noopener noreferrer nofollow">${alt || md.utils.escapeHtml(src)}</a>`;
};

function isLocal(url: string): boolean {
  return url.startsWith('/') && !url.startsWith('//') && !url.startsWith('/\\');
}

/** An article's Markdown as safe HTML, and as plain text (for the search index and its excerpts). */
export function renderArticle(markdown: string): { html: string; text: string } {
  const html = md.render(markdown);
  return { html, text: htmlToText(html) };
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

function htmlToText(html: string): string {
  return html.replace(/<\/(p|h[1-6]|li|pre|blockquote|tr)>|<br\s*\/?>/g, '\n').replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|quot|#39);/g, (entity) => ENTITIES[entity] ?? entity)
    .replace(/[ \t]+/g, ' ').replace(/\n\s*\n+/g, '\n').trim();
}

/** Where a brand's help center is reached: its own host name (with BASE_URL's scheme), else BASE_URL. */
export function helpBaseUrl(baseUrl: string, host: string | null): string {
  return host ? `${new URL(baseUrl).protocol}//${host}` : baseUrl;
}
