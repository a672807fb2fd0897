/**
 * What a person typed in a search box, taken apart without ever failing: words and "phrases" to
 * match, filters (`status:pending`, `assignee:me`, `type:"Domain approval"`, `org:acme`, `tag:billing`,
 * several tags all required) and a
 * `#123` jump. Anything FTS5 would read as syntax (quotes, `AND`, `*`, `-`, `:`, brackets) ends up
 * inside a quoted string or is dropped, so a user can never write an FTS5 query, valid or not.
 */
export interface Term {
  /** The words of the term as the index sees them (letters and digits only). */
  words: string[];
  /** Typed in quotes: the words must follow each other. */
  phrase: boolean;
  /** The last word of the query while typing: matches words that start with it. */
  prefix: boolean;
}

export const FILTER_KEYS = ['status', 'assignee', 'type', 'org', 'tag'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

export interface ParsedQuery {
  terms: Term[];
  filters: Partial<Record<FilterKey, string>>;
  ticketId: number | null;
}

/** A word as unicode61 tokenises it: letters, digits, marks and private-use characters. */
const WORD = /[\p{L}\p{N}\p{M}\p{Co}]+/gu;
const MAX_TERMS = 12;

export function words(text: string): string[] {
  return (text.match(WORD) ?? []).map((w) => w.toLowerCase());
}

/** `filters: false` (customers): `status:x` and `#12` are plain words. */
export function parseQuery(input: string, options: { filters: boolean } = { filters: true }): ParsedQuery {
  const parsed: ParsedQuery = { terms: [], filters: {}, ticketId: null };
  // key:"quoted value" | key:value | "phrase (closing quote optional)" | bare chunk
  const pattern = /(\w+):"([^"]*)"?|(\w+):(\S+)|"([^"]*)"?|(\S+)/g;
  for (const match of input.matchAll(pattern)) {
    const key = (match[1] ?? match[3])?.toLowerCase();
    const value = match[2] ?? match[4];
    if (options.filters && key !== undefined && value !== undefined && (FILTER_KEYS as readonly string[]).includes(key)) {
      const previous = parsed.filters[key as FilterKey];
      // Tags add up (`tag:billing tag:refund`: both); any other filter given twice keeps the last.
      if (value.trim()) parsed.filters[key as FilterKey] = key === 'tag' && previous ? `${previous} ${value.trim()}` : value.trim();
      continue;
    }
    const jump = /^#(\d{1,12})$/.exec(match[6] ?? '');
    if (options.filters && jump && parsed.ticketId === null) {
      parsed.ticketId = Number(jump[1]);
      continue;
    }
    const phrase = match[5] !== undefined;
    const found = words(phrase ? match[5]! : match[0]);
    if (found.length > 0) parsed.terms.push({ words: found, phrase, prefix: false });
  }
  parsed.terms = parsed.terms.slice(0, MAX_TERMS);
  const last = parsed.terms[parsed.terms.length - 1];
  // Search as you type: the word being typed is a prefix. Not for a closed phrase, which asked for exact words.
  if (last && !last.phrase && /[\p{L}\p{N}]$/u.test(input)) last.prefix = true;
  return parsed;
}

/**
 * The FTS5 MATCH expression for the terms (all must match), or null when nothing is left to
 * search. Every word goes in double quotes (no operator survives); a chunk like `e-mail` becomes
 * the phrase "e mail", as the index stored it. `columns` limits the match to some columns.
 */
export function matchExpression(terms: Term[], columns: string[] = []): string | null {
  if (terms.length === 0) return null;
  const parts = terms.map((term) => `"${term.words.join(' ')}"${term.prefix ? '*' : ''}`);
  const expression = parts.join(' AND ');
  return columns.length > 0 ? `{${columns.join(' ')}} : (${expression})` : expression;
}
