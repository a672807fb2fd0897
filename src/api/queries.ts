import type { Db } from '../db/connect.js';

/** The newest message this person wrote on the ticket (a customer's reply just posted: the verb returns no id). */
export async function newestMessageBy(db: Db, ticketId: number, authorId: number): Promise<number | undefined> {
  const row = await db.selectFrom('messages').select((eb) => eb.fn.max<number | null>('id').as('id'))
    .where('ticket_id', '=', ticketId).where('author_id', '=', authorId).executeTakeFirst();
  return row?.id ?? undefined;
}
