import { readdirSync } from 'node:fs';
import { assets } from './assets.js';
import { compileMessage, type CompiledMessage, type MessageParams } from './lib/icu.js';

/** A translator for one language; `locale` says which (the layout's `<html lang>`). */
export type Translate = ((key: string, params?: MessageParams) => string) & { locale?: string };

type Messages = Record<string, string>;

/** The locales shipped as locales/<code>.json, English first. */
export function shippedLocales(): string[] {
  const found = readdirSync(assets.locales).filter((f) => /^[a-z]{2}(-[A-Z]{2})?\.json$/.test(f)).map((f) => f.slice(0, -5));
  return ['en', ...found.filter((l) => l !== 'en').sort()];
}

/** One place a text can come from, with the language whose plural rules and number formats it uses. */
interface Layer { messages: Messages; locale: string; literal?: boolean }

/**
 * The message catalogue: English first, from locales/<locale>.json; operator overrides (the `texts`
 * table) are laid over it. A missing key shows the key itself, so a gap is visible, never blank.
 * Between the two sit the site's own values (the site name from the settings), for every language,
 * shown as they are. Texts are ICU messages (src/lib/icu.ts), compiled once per language and text;
 * an override that does not parse is passed over for the shipped text, so it cannot break a page.
 */
export class Catalogue {
  readonly #base = new Map<string, Messages>();
  #overrides = new Map<string, Messages>();
  #site: Messages = {};
  /** Compiled messages by language and text; null marks a text that does not parse. */
  #compiled = new Map<string, CompiledMessage | null>();
  #version = 0;

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
    this.#compiled.clear();
    this.#version++;
  }

  /** Moves on whenever a text may have changed (overrides, site texts): part of the key of remembered translated pages. */
  get version(): number {
    return this.#version;
  }

  /** Values the settings decide (e.g. `app.name`); a text override of the same key still wins. */
  setSiteTexts(messages: Messages): void {
    this.#site = { ...messages };
    this.#version++;
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

  /** The text compiled for a language, from the cache; null when it is not a valid message. */
  #compile(text: string, locale: string): CompiledMessage | null {
    const id = `${locale}\u0000${text}`;
    let compiled = this.#compiled.get(id);
    if (compiled === undefined) {
      try {
        compiled = compileMessage(text, locale);
      } catch {
        compiled = null;
      }
      this.#compiled.set(id, compiled);
    }
    return compiled;
  }

  translator(locale = 'en'): Translate {
    const layer = (messages: Messages | undefined, from: string, literal = false): Layer[] => (messages ? [{ messages, locale: from, literal }] : []);
    const chain = [
      ...layer(this.#overrides.get(locale), locale), ...layer(this.#site, locale, true), ...layer(this.#base.get(locale), locale),
      ...layer(this.#overrides.get('en'), 'en'), ...layer(this.#base.get('en'), 'en'),
    ];
    const t: Translate = (key, params) => {
      for (const { messages, locale: from, literal } of chain) {
        const text = messages[key];
        if (text === undefined) continue;
        // Most texts have nothing to fill in or quote: no need to compile them.
        if (literal || (!text.includes('{') && !text.includes("'"))) return text;
        const compiled = this.#compile(text, from);
        if (!compiled) continue;
        try {
          return compiled.format(params);
        } catch {
          continue;
        }
      }
      return key;
    };
    t.locale = this.#base.has(locale) ? locale : 'en';
    return t;
  }
}
