import { readdirSync } from 'node:fs';
import { assets } from './assets.js';

/** A translator for one language; `locale` says which (the layout's `<html lang>`). */
export type Translate = ((key: string, params?: Record<string, string | number>) => string) & { locale?: string };

type Messages = Record<string, string>;

/** The locales shipped as locales/<code>.json, English first. */
export function shippedLocales(): string[] {
  const found = readdirSync(assets.locales).filter((f) => /^[a-z]{2}(-[A-Z]{2})?\.json$/.test(f)).map((f) => f.slice(0, -5));
  return ['en', ...found.filter((l) => l !== 'en').sort()];
}

/**
 * The message catalogue: English first, from locales/<locale>.json; operator overrides (the `texts`
 * table) are laid over it. A missing key shows the key itself, so a gap is visible, never blank.
 * Between the two sit the site's own values (the site name from the settings), for every language.
 */
export class Catalogue {
  readonly #base = new Map<string, Messages>();
  #overrides = new Map<string, Messages>();
  #site: Messages = {};

  constructor(locales: string[] = shippedLocales()) {
    for (const locale of locales) this.#base.set(locale, assets.readJson<Messages>('locales', `${locale}.json`));
  }

  /** The languages the catalogue has, English first. */
  locales(): string[] {
    return [...this.#base.keys()];
  }

  /** Every key of the catalogue (English is complete by definition), sorted. */
  keys(): string[] {
    return Object.keys(this.#base.get('en') ?? {}).sort();
  }

  setOverrides(rows: { key: string; locale: string; value: string }[]): void {
    const next = new Map<string, Messages>();
    for (const row of rows) {
      const messages = next.get(row.locale) ?? {};
      messages[row.key] = row.value;
      next.set(row.locale, messages);
    }
    this.#overrides = next;
  }

  /** Values the settings decide (e.g. `app.name`); a text override of the same key still wins. */
  setSiteTexts(messages: Messages): void {
    this.#site = { ...messages };
  }

  has(key: string): boolean {
    return this.#base.get('en')?.[key] !== undefined;
  }

  /** The shipped text of a key in a language (before overrides), or undefined when it has none. */
  defaultText(key: string, locale: string): string | undefined {
    return this.#site[key] ?? this.#base.get(locale)?.[key];
  }

  /** The operator's override of a key in a language, if any. */
  override(key: string, locale: string): string | undefined {
    return this.#overrides.get(locale)?.[key];
  }

  /** The best shipped language for an Accept-Language header (`de-AT,de;q=0.9,en;q=0.5`), or null. */
  negotiate(header: string | undefined): string | null {
    if (!header) return null;
    const wanted = header.split(',').slice(0, 20).map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { tag: tag.trim().toLowerCase(), q: q === undefined ? 1 : Number(q), index };
    }).filter((w) => w.tag && w.q > 0).sort((a, b) => b.q - a.q || a.index - b.index);
    const available = this.locales();
    for (const { tag } of wanted) {
      const exact = available.find((l) => l.toLowerCase() === tag);
      if (exact) return exact;
      const primary = available.find((l) => l.toLowerCase().split('-')[0] === tag.split('-')[0]);
      if (primary) return primary;
    }
    return null;
  }

  translator(locale = 'en'): Translate {
    const chain = [this.#overrides.get(locale), this.#site, this.#base.get(locale), this.#overrides.get('en'), this.#base.get('en')]
      .filter((m): m is Messages => Boolean(m));
    const t: Translate = (key, params) => {
      let text = key;
      for (const messages of chain) {
        const found = messages[key];
        if (found !== undefined) { text = found; break; }
      }
      return params ? text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m)) : text;
    };
    t.locale = this.#base.has(locale) ? locale : 'en';
    return t;
  }
}
