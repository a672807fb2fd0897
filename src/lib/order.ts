// A ticket's few rows (its field values, tags, CCs, messages) are sorted here rather than by
// `order by`: PostgreSQL then keeps their statements prepared (src/db/pg-statements.ts, `isNameable`),
// and the order no longer depends on the database (SQLite compares text by bytes, PostgreSQL by its
// database's collation, and they put nulls at opposite ends).

/**
 * Two strings in SQLite's order for text (BINARY: UTF-8 bytes, which is code point order). JavaScript's
 * `<` compares UTF-16 units, which agrees except where a character beyond U+FFFF (a surrogate pair,
 * D800–DFFF) meets one from U+E000–U+FFFF: those two ranges are swapped back here.
 */
export function compareText(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

function codePointRank(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}

/** Nulls before every number, as SQLite sorts them ascending (PostgreSQL puts them last). */
export function compareNullsFirst(a: number | null, b: number | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a - b;
}
