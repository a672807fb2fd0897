import { sql, type Expression, type SqlBool } from 'kysely';
import type { Db } from '../db/connect.js';
import { isPostgres } from '../db/dialect.js';
import { matchExpression, parseQuery } from './parse.js';
import * as postgres from './postgres.js';

/** What customers may match: the subject and fields they can see, and public messages (never notes). */
const CUSTOMER_COLUMNS = ['subject', 'fields_public'];
const PUBLIC_KINDS = ['reply', 'update', 'chat'] as const;

/**
 * "This ticket (the outer query's `tickets` row) matches the customer's search", for a query that
 * already starts from the customer's scope (visibleTickets). Checked ticket by ticket through the
 * index (a rowid lookup per ticket and per message), so its cost follows the size of the customer's
 * scope, which the caller bounds, not the size of the desk. CROSS JOIN keeps that order: left to
 * itself, SQLite drove the join from the word's match list (73 s for "please" in 2.3M messages). Filters mean nothing here: `status:x`
 * and `#12` are plain words. Nothing searchable (only punctuation) matches nothing.
 */
export function customerMatches(db: Db, input: string): Expression<SqlBool> {
  const { terms } = parseQuery(input, { filters: false });
  if (isPostgres(db)) return postgres.customerMatches(terms, PUBLIC_KINDS);
  const ticketMatch = matchExpression(terms, CUSTOMER_COLUMNS);
  const messageMatch = matchExpression(terms);
  if (ticketMatch === null || messageMatch === null) return sql<SqlBool>`0`;
  return sql<SqlBool>`(exists (select 1 from search_tickets where search_tickets match ${ticketMatch} and search_tickets.rowid = tickets.id)
    or exists (select 1 from messages m cross join search_messages on search_messages.rowid = m.id
      where m.ticket_id = tickets.id and m.kind in (${sql.join([...PUBLIC_KINDS])}) and search_messages match ${messageMatch}))`;
}
