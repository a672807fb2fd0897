import type { Catalogue } from '../i18n.js';

export const TEXTS_PAGE = 50;

export interface TextRow {
  key: string;
  languages: { locale: string; text: string; overridden: boolean }[];
}

/**
 * The catalogue's keys with their text per language, filtered by a search over keys and texts (in
 * any language, defaults and overrides), a page at a time after a key (keyset on the sorted keys).
 * The catalogue is in memory, a few thousand keys at most: no query needed.
 */
export function listTexts(catalogue: Catalogue, options: { q?: string; overriddenOnly?: boolean; after?: string }): { rows: TextRow[]; next: string | null } {
  const q = (options.q ?? '').trim().toLowerCase();
  const locales = catalogue.locales();
  const rows: TextRow[] = [];
  for (const key of catalogue.keys()) {
    if (options.after && key <= options.after) continue;
    const languages = locales.map((locale) => {
      const override = catalogue.override(key, locale);
      return { locale, text: override ?? catalogue.defaultText(key, locale) ?? '', overridden: override !== undefined };
    });
    if (options.overriddenOnly && !languages.some((l) => l.overridden)) continue;
    if (q && !key.toLowerCase().includes(q) && !languages.some((l) => l.text.toLowerCase().includes(q))) continue;
    rows.push({ key, languages });
    if (rows.length > TEXTS_PAGE) break;
  }
  const more = rows.length > TEXTS_PAGE;
  if (more) rows.pop();
  return { rows, next: more ? rows[rows.length - 1]!.key : null };
}
