import type { Catalogue } from '../i18n.js';

export const TEXTS_PAGE = 50;

/**
 * The screens the texts page groups keys by, in the order it shows them: each key belongs to the
 * first screen that claims the first part of its name (`portal.home.title` → the customer portal).
 */
export const SCREENS = [
  { id: 'portal', parts: ['portal', 'cancel', 'rating'] },
  { id: 'workspace', parts: ['tickets', 'history', 'edit', 'compose', 'bulk', 'filters', 'views', 'sort', 'fleet', 'offers', 'dispatch', 'video', 'chat', 'presence', 'live', 'messages', 'keys', 'search', 'customers', 'delete', 'guide', 'priority', 'channel', 'category', 'categoryName', 'visibility'] },
  { id: 'dashboard', parts: ['dashboard', 'team'] },
  { id: 'mail', parts: ['mail', 'notify'] },
  { id: 'signin', parts: ['login', 'password', 'setup', 'auth', 'account', 'twoFactor', 'sessions'] },
  { id: 'admin', parts: ['admin', 'outbox', 'mailin', 'preset'] },
  { id: 'common', parts: [] as string[] },
] as const;
export type ScreenId = (typeof SCREENS)[number]['id'];

const screenByPart = new Map<string, ScreenId>(SCREENS.flatMap((screen) => screen.parts.map((part) => [part, screen.id] as const)));

export function screenOf(key: string): ScreenId {
  return screenByPart.get(key.split('.', 1)[0]!) ?? 'common';
}

export function isScreen(value: string): value is ScreenId {
  return SCREENS.some((screen) => screen.id === value);
}

export interface TextRow {
  key: string;
  screen: ScreenId;
  languages: { locale: string; text: string; overridden: boolean }[];
}

export interface TextFilter {
  q?: string;
  /** One screen's texts only. */
  screen?: ScreenId | null;
  /** Every text, not only those that differ from the shipped ones (a search always looks at every text). */
  all?: boolean;
  after?: string;
}

/**
 * The catalogue's keys with their text per language, by screen, then key. Without a search only the
 * texts changed from the shipped ones, unless every text is asked for; a search looks through keys
 * and texts (in any language, defaults and overrides). A page at a time after a key. The catalogue is
 * in memory, a few thousand keys at most: no query needed.
 */
export function listTexts(catalogue: Catalogue, filter: TextFilter): { rows: TextRow[]; next: string | null } {
  const q = (filter.q ?? '').trim().toLowerCase();
  const changedOnly = !q && !filter.all;
  const locales = catalogue.locales();
  const order = new Map<string, number>(SCREENS.map((screen, i) => [screen.id, i]));
  const keys = catalogue.keys()
    .map((key) => ({ key, screen: screenOf(key) }))
    .filter((entry) => !filter.screen || entry.screen === filter.screen)
    .sort((a, b) => order.get(a.screen)! - order.get(b.screen)! || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const start = filter.after ? keys.findIndex((entry) => entry.key === filter.after) + 1 : 0;
  const rows: TextRow[] = [];
  for (const { key, screen } of keys.slice(start)) {
    const languages = locales.map((locale) => {
      const override = catalogue.override(key, locale);
      return { locale, text: override ?? catalogue.defaultText(key, locale) ?? '', overridden: override !== undefined };
    });
    if (changedOnly && !languages.some((l) => l.overridden)) continue;
    if (q && !key.toLowerCase().includes(q) && !languages.some((l) => l.text.toLowerCase().includes(q))) continue;
    rows.push({ key, screen, languages });
    if (rows.length > TEXTS_PAGE) break;
  }
  const more = rows.length > TEXTS_PAGE;
  if (more) rows.pop();
  return { rows, next: more ? rows[rows.length - 1]!.key : null };
}
