/**
 * SQLite 3.54 (better-sqlite3 13) plans some statements with the value bound to a placeholder in
 * mind: `LIMIT ?`, `OFFSET ?`, and `col = ?` in a join or beside an ORDER BY. It marks them to be
 * prepared again when that value changes, and better-sqlite3 clears the bindings after every run,
 * which SQLite counts as a change: such a statement was parsed and planned anew on every execution
 * (the session lookup took 35 µs instead of 3, the agent list half again as long; docs/benchmarks.md).
 *
 * A unary plus in front of the placeholder (`= +?`, `LIMIT +?`) is a no-op for the value and its
 * affinity, still a constant for an index seek, and tells SQLite not to look at the value: the
 * statement is planned once, as with SQLite 3.53. Range comparisons (`<`, `>=`...) are left alone:
 * their estimates may use the planner's statistics for the value, and they are not the ones SQLite
 * re-plans per value.
 *
 * The rewrite skips quoted strings, quoted identifiers and comments, so text a query carries is
 * never touched.
 */
export function steadyPlaceholders(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const skipTo = quotedEnd(sql, i);
    if (skipTo > i) {
      out += sql.slice(i, skipTo);
      i = skipTo;
      continue;
    }
    if (c === '?' && takesValueNext(out.slice(-16))) {
      out += '+?';
      i++;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

/** The end of the quoted string, identifier or comment that starts at `i`, else `i`. */
function quotedEnd(sql: string, i: number): number {
  const c = sql[i];
  if (c === "'" || c === '"' || c === '`') {
    let j = i + 1;
    for (;;) {
      j = sql.indexOf(c, j);
      if (j < 0) return sql.length;
      if (sql[j + 1] === c) { j += 2; continue; }
      return j + 1;
    }
  }
  if (c === '[') { const j = sql.indexOf(']', i + 1); return j < 0 ? sql.length : j + 1; }
  if (c === '-' && sql[i + 1] === '-') { const j = sql.indexOf('\n', i); return j < 0 ? sql.length : j + 1; }
  if (c === '/' && sql[i + 1] === '*') { const j = sql.indexOf('*/', i + 2); return j < 0 ? sql.length : j + 2; }
  return i;
}

/** The text just before a placeholder ends with an equality (not `<=`, `>=`, `!=`, `==` alike), LIMIT or OFFSET. */
function takesValueNext(before: string): boolean {
  return /(?:^|[^<>!=])==?\s*$|\b(?:limit|offset)\s+$/i.test(before);
}
