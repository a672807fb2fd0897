import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import { keyed } from '../db/keyed.js';
import { rolesOn } from '../policy/can.js';

/** How many chat lines the messenger shows (the newest); older ones stay in the ticket. */
export const CHAT_LIMIT = 200;

function chatRows(db: Db) {
  return db.selectFrom('messages').leftJoin('users', 'users.id', 'messages.author_id')
    .select(['messages.id', 'messages.kind', 'messages.author_id', 'messages.body_text', 'messages.body_html', 'messages.created_at',
      'users.name as author_name', 'users.role as author_role'])
    .where('messages.kind', '=', 'chat');
}

export type ChatRow = Awaited<ReturnType<ReturnType<typeof chatRows>['executeTakeFirstOrThrow']>>;

/**
 * The newest chat lines of a ticket, oldest first. Keyed (db/keyed.ts): walked back along (ticket_id,
 * kind, id) from the ticket's newest line, so PostgreSQL may keep it prepared with one plan.
 */
export async function listChatRows(db: Db, ticketId: number): Promise<ChatRow[]> {
  const rows = await keyed(chatRows(db).where('messages.ticket_id', '=', ticketId).orderBy('messages.id', 'desc').limit(CHAT_LIMIT)).execute();
  return rows.reverse();
}

/**
 * The chat lines of a ticket after `afterId` (what a reconnecting stream missed), oldest first: at
 * most CHAT_LIMIT, the newest ones, as the messenger itself shows the newest.
 */
export async function chatRowsAfter(db: Db, ticketId: number, afterId: number): Promise<ChatRow[]> {
  const rows = await chatRows(db).where('messages.ticket_id', '=', ticketId).where('messages.id', '>', afterId)
    .orderBy('messages.id', 'desc').limit(CHAT_LIMIT).execute();
  return rows.reverse();
}

export function findChatRow(db: Db, messageId: number) {
  return chatRows(db).where('messages.id', '=', messageId).executeTakeFirst();
}

/** Chat lines written by staff after `afterId`: what a customer's digest tells of. */
export function staffChatRowsAfter(db: Db, ticketId: number, afterId: number) {
  return chatRows(db).where('messages.ticket_id', '=', ticketId).where('messages.id', '>', afterId).where('users.role', 'in', rolesOn('staff'))
    .orderBy('messages.id').limit(CHAT_LIMIT).execute();
}

export async function chatMark(db: Db, ticketId: number, userId: number) {
  return (await db.selectFrom('chat_marks').select(['read_through_id', 'mailed_through_id'])
    .where('ticket_id', '=', ticketId).where('user_id', '=', userId).executeTakeFirst())
    ?? { read_through_id: 0, mailed_through_id: 0 };
}

/** Lines from others this person has not seen yet. */
export async function countUnread(db: Db, ticketId: number, userId: number): Promise<number> {
  const mark = await chatMark(db, ticketId, userId);
  const row = await db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('ticket_id', '=', ticketId).where('kind', '=', 'chat').where('id', '>', mark.read_through_id)
    .where((eb) => eb.or([eb('author_id', 'is', null), eb('author_id', '!=', userId)]))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

// A mark only moves forward (portable SQL: no two-argument max(), which PostgreSQL spells greatest()).
const forward = (column: 'read_through_id' | 'mailed_through_id') =>
  sql<number>`case when excluded.${sql.ref(column)} > chat_marks.${sql.ref(column)} then excluded.${sql.ref(column)} else chat_marks.${sql.ref(column)} end`;

// Only a mark that moves is written: opening a ticket page again changes nothing, so it does not
// empty the caches that wait for the database to change (db/change-cache.ts).
const ahead = (column: 'read_through_id' | 'mailed_through_id') =>
  sql<boolean>`excluded.${sql.ref(column)} > chat_marks.${sql.ref(column)}`;

/** The person has seen the chat up to this line (marks only move forward). Whether the mark moved. */
export async function markChatRead(db: Db, ticketId: number, userId: number, throughId: number): Promise<boolean> {
  const result = await db.insertInto('chat_marks').values({ ticket_id: ticketId, user_id: userId, read_through_id: throughId })
    .onConflict((oc) => oc.columns(['ticket_id', 'user_id'])
      .doUpdateSet({ read_through_id: forward('read_through_id') }).where(ahead('read_through_id')))
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function markChatMailed(db: Db, ticketId: number, userId: number, throughId: number): Promise<boolean> {
  const result = await db.insertInto('chat_marks').values({ ticket_id: ticketId, user_id: userId, mailed_through_id: throughId })
    .onConflict((oc) => oc.columns(['ticket_id', 'user_id'])
      .doUpdateSet({ mailed_through_id: forward('mailed_through_id') }).where(ahead('mailed_through_id')))
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** The newest chat line of the ticket (0 when none). */
export async function newestChatId(db: Db, ticketId: number): Promise<number> {
  const row = await db.selectFrom('messages').select((eb) => eb.fn.max<number | null>('id').as('id'))
    .where('ticket_id', '=', ticketId).where('kind', '=', 'chat').executeTakeFirst();
  return row?.id ?? 0;
}
