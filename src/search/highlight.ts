import { words as tokenize, type Term } from './parse.js';

/**
 * FTS5's snippet() marks hits with these two private-use characters; the text is escaped first
 * and only then are the marks turned into <mark>, so nothing from the message is ever markup.
 */
export const OPEN = '\uE000';
export const CLOSE = '\uE001';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const MARKS = new RegExp(`[${OPEN}${CLOSE}]`, 'g');
const HAS_MARK = new RegExp(`[${OPEN}${CLOSE}]`);

/**
 * A snippet as safe HTML: FTS5's marks become <mark>. When the text itself holds a mark character
 * (someone typed one), FTS5's marks cannot be told apart from it: the words are marked here instead.
 */
export function snippetHtml(snippet: { marked: string; plain: string }, terms: Term[]): string {
  if (HAS_MARK.test(snippet.plain)) return highlightWords(snippet.plain.replace(MARKS, ''), terms);
  return escapeHtml(snippet.marked).replace(new RegExp(`${OPEN}([^${OPEN}${CLOSE}]*)${CLOSE}`, 'g'), '<mark>$1</mark>');
}

/** Short text (a subject) with the words of the terms marked, as safe HTML. */
export function highlightWords(text: string, terms: Term[]): string {
  const wanted = terms.flatMap((term) => term.words.map((word, i) => ({ word, prefix: term.prefix && i === term.words.length - 1 })));
  const hit = (word: string) => {
    const folded = tokenize(word)[0] ?? '';
    return wanted.some((w) => (w.prefix ? folded.startsWith(w.word) : folded === w.word));
  };
  let html = '';
  let at = 0;
  for (const match of text.matchAll(/[\p{L}\p{N}\p{M}\p{Co}]+/gu)) {
    html += escapeHtml(text.slice(at, match.index));
    html += hit(match[0]) ? `<mark>${escapeHtml(match[0])}</mark>` : escapeHtml(match[0]);
    at = match.index + match[0].length;
  }
  return html + escapeHtml(text.slice(at));
}
