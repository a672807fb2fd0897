/** Checks the form schemas (form.ts) and a few readers of ids and addresses share. */

import { NotFound } from './errors.js';

export function isEmail(value: string): boolean {
  return /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/.test(value);
}

export function positiveInt(value: unknown): number | null {
  // Digits only: Number() alone would take '0x10', '1e3' and ' 7 ' as ids.
  const n = typeof value === 'string' ? (/^\d{1,16}$/.test(value) ? Number(value) : NaN) : typeof value === 'number' ? value : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

/** An id in a URL path: digits only (as positiveInt), else the page does not exist (404). */
export function idParam(value: unknown): number {
  const id = positiveInt(value);
  if (id === null) throw new NotFound();
  return id;
}
