import { DomainError } from './errors.js';

/** Keyset cursors travel as `<iso time>~<id>` in the query string. */
export function encodeCursor(cursor: { at: string; id: number } | null): string | null {
  return cursor ? `${cursor.at}~${cursor.id}` : null;
}

export function decodeCursor(value: unknown): { at: string; id: number } | null {
  if (value === undefined || value === '') return null;
  const match = typeof value === 'string' ? /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)~(\d{1,15})$/.exec(value) : null;
  if (!match) throw new DomainError('errors.badCursor', 400);
  return { at: match[1]!, id: Number(match[2]) };
}
