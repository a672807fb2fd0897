// Named (prepared) statements on PostgreSQL: which texts may be named, under what name, and how the
// driver (db/postgres.ts) tells a name PostgreSQL no longer runs.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { KEYED_MARK } from './keyed.js';

/**
 * Named (prepared) statements. `pg` sends every query unnamed, so PostgreSQL parses and plans it on
 * every execution; for the app's joined reads planning is most of their time (docs/benchmarks.md).
 * A statement text that `isNameable` allows, used a second time (anywhere in the pool), is sent
 * named from then on, so each connection parses it once and PostgreSQL may keep its plan. Each
 * connection keeps at most `perConnection` of them; the least recently used is deallocated when the
 * connection is next idle (texts that differ only in the length of an IN list are so many
 * statements). 0 names nothing, for a pooler that cannot keep prepared statements (PgBouncer in
 * transaction mode before 1.21).
 */
export class Statements {
  /** Texts seen once so far: the second use names them. Cleared when it grows past its bound. */
  readonly #seen = new Set<string>();
  constructor(readonly perConnection: number, readonly seenLimit = 5000) {}

  /** Whether `text` was seen before (remembering it otherwise). */
  repeated(text: string): boolean {
    if (this.#seen.has(text)) return true;
    if (this.#seen.size >= this.seenLimit) this.#seen.clear();
    this.#seen.add(text);
    return false;
  }
}

/**
 * Whether a statement may be sent named: a single `select`/`insert`/`update`/`delete`/`with` (never
 * DDL, a migration's script, anything with a `;`) whose best plan does not depend on its values.
 * A named statement is planned for its values 5 times; after that PostgreSQL keeps one plan for any
 * values (a generic plan) when that looks no dearer, and such a plan is made for average values. On
 * skewed data it can be far worse: measured on the 100k bench desk (docs/benchmarks.md), the agent
 * list's generic plan walked the activity index backwards (3.5 → 11–37 ms; for an agent with no
 * tickets it would walk them all), the menu's capped counts took 230–435 ms instead of 13–18, a rare
 * word's search 1.5 s instead of 50–67 ms, the staff list sorted by name 10× slower. So a statement
 * that sorts or cuts (`order by`, `limit`) or matches text (`@@`, `like`, `~`) keeps being planned
 * for its values, as before; what is left (lookups by key, counts, writes) gains most: the ticket
 * lookup with its 8 joins 2.5 ms → 0.1 ms. A statement that sorts and cuts only one key's rows along
 * that key's index says so (db/keyed.ts): its generic plan is that same walk, and it is named too.
 * A ticket's few rows are sorted in JavaScript instead (lib/order.ts), which needs no mark.
 */
export function isNameable(text: string): boolean {
  return /^\s*(select|insert|update|delete|with)\b/i.test(text) && !text.includes(';')
    && !/\b(i?like|similar\s+to)\b|@@|~/i.test(text)
    && (text.endsWith(KEYED_MARK) || !/\b(order\s+by|limit)\b/i.test(text));
}

/** The name a statement text is prepared under: the same text, the same name, on every connection. */
export function statementName(text: string): string {
  return `deskbell_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
}

/** What `pg` keeps of the statements it has parsed on a connection (not in its types; checked before use). */
export function parsedStatements(client: pg.PoolClient): Record<string, string> | null {
  const parsed = (client as unknown as { connection?: { parsedStatements?: unknown } }).connection?.parsedStatements;
  return parsed && typeof parsed === 'object' ? parsed as Record<string, string> : null;
}

/** A named statement PostgreSQL no longer runs as prepared: the table changed under it, or it was dropped. */
export function isStale(error: unknown): boolean {
  const { code, message } = error as { code?: string; message?: string };
  return code === '26000' || (code === '0A000' && /cached plan must not change result type/.test(message ?? ''));
}
