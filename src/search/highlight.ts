import { escapeHtml } from '../lib/text.js';
import { words as tokenize, type Term } from './parse.js';

// Search results are built from escaped text only: user text never becomes markup.

function matcher(terms: Term[]): (word: string) => boolean {
  const wanted = terms.flatMap((term) => term.words.map((word, i) => ({ word, prefix: term.prefix && i === term.words.length - 1 })));
  return (word: string) => {
    const folded = tokenize(word)[0] ?? '';
    return wanted.some((w) => (w.prefix ? folded.startsWith(w.word) : folded === w.word));
  };
}

const WORD = /[\p{L}\p{N}\p{M}\p{Co}]+/gu;

/**
 * An excerpt of a message around its first hit, about `size` words, with the hits marked, as safe
 * HTML (an ellipsis where text was cut).
 */
export function excerptHtml(text: string, terms: Term[], size = 24): string {
  const hit = matcher(terms);
  const words = [...text.matchAll(WORD)];
  if (words.length === 0) return '';
  const first = Math.max(0, words.findIndex((w) => hit(w[0])));
  const from = Math.max(0, Math.min(first - Math.floor(size / 3), words.length - size));
  const to = Math.min(words.length, from + size) - 1;
  const start = from === 0 ? 0 : words[from]!.index;
  const end = to === words.length - 1 ? text.length : words[to]!.index + words[to]![0].length;
  const body = highlightWords(text.slice(start, end).replace(/\s+/g, ' ').trim(), terms);
  return `${from > 0 ? '…' : ''}${body}${end < text.length ? '…' : ''}`;
}

/** Short text (a subject) with the words of the terms marked, as safe HTML. */
export function highlightWords(text: string, terms: Term[]): string {
  const hit = matcher(terms);
  let html = '';
  let at = 0;
  for (const match of text.matchAll(WORD)) {
    html += escapeHtml(text.slice(at, match.index));
    html += hit(match[0]) ? `<mark>${escapeHtml(match[0])}</mark>` : escapeHtml(match[0]);
    at = match.index + match[0].length;
  }
  return html + escapeHtml(text.slice(at));
}
