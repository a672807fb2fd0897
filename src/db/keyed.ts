import { sql, type Expression } from 'kysely';

/**
 * The mark of a statement that sorts and cuts (`order by … limit`) but only within one key's rows,
 * read through an index that starts with that key and also gives the order: a requester's tickets
 * by activity along (requester_id, last_activity_at, id), a ticket's chat lines along (ticket_id,
 * kind, id). Whatever the values, the cheapest plan is that index's walk from the key, stopping at
 * the limit, so the one plan PostgreSQL keeps for a prepared statement (made for no values in
 * particular) is the same walk: `isNameable` (pg-statements.ts) lets such a statement be prepared.
 * A statement earns the mark only with a test that its generic plan reads no more than its
 * key's rows on skewed data (test/db/ticket-page-statements.test.ts); on SQLite it is a comment.
 */
export const KEYED_MARK = '/* keyed */';

/** `query`, marked as reading one key's rows in its index's order (see KEYED_MARK). */
export function keyed<Q extends { modifyEnd(modifier: Expression<unknown>): Q }>(query: Q): Q {
  return query.modifyEnd(sql.raw(KEYED_MARK));
}
