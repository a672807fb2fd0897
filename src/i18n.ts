import { assets } from './assets.js';

export type Translate = (key: string, params?: Record<string, string | number>) => string;

type Messages = Record<string, string>;

/**
 * The message catalogue: English first, from locales/<locale>.json; operator overrides (the `texts`
 * table) are laid over it. A missing key shows the key itself, so a gap is visible, never blank.
 */
export class Catalogue {
  readonly #base = new Map<string, Messages>();
  #overrides = new Map<string, Messages>();

  constructor(locales: string[] = ['en']) {
    for (const locale of locales) this.#base.set(locale, assets.readJson<Messages>('locales', `${locale}.json`));
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

  has(key: string): boolean {
    return this.#base.get('en')?.[key] !== undefined;
  }

  translator(locale = 'en'): Translate {
    const chain = [this.#overrides.get(locale), this.#base.get(locale), this.#overrides.get('en'), this.#base.get('en')]
      .filter((m): m is Messages => Boolean(m));
    return (key, params) => {
      let text = key;
      for (const messages of chain) {
        const found = messages[key];
        if (found !== undefined) { text = found; break; }
      }
      return params ? text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m)) : text;
    };
  }
}
