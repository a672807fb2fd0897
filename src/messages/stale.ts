import type { Db } from '../db/connect.js';
import { reusableFirst } from '../db/reusable.js';
import { Conflict } from '../lib/errors.js';

/** What the conversation's newest message is measured by: public messages and chat lines. */
const PUBLIC_KINDS = ['reply', 'update', 'chat'] as const;

/** The newest public message or chat line of a ticket (0 when none): a reply form carries it when it opens. */
export async function newestPublicMessageId(db: Db, ticketId: number): Promise<number> {
  return (await newestPublic(db, ticketId))?.id ?? 0;
}

const newestPublic = reusableFirst((db, ticketId: number) => db.selectFrom('messages').select((eb) => eb.fn.max<number | null>('id').as('id'))
  .where('ticket_id', '=', ticketId).where('kind', 'in', PUBLIC_KINDS));

/**
 * Someone else wrote publicly since the form was opened: the writer should read it before sending.
 * `newestId` is what the form carries when shown again, so sending it once more means "send anyway".
 */
export class StaleReply extends Conflict {
  constructor(readonly authors: string[], readonly newestId: number) {
    super('chat.stale.message');
    this.params = { names: authors.join(', ') };
  }
}

/** Throws StaleReply when public messages by others arrived after `seenId`. */
export async function checkNotStale(db: Db, ticketId: number, seenId: number, authorId: number): Promise<void> {
  const newer = await db.selectFrom('messages').leftJoin('users', 'users.id', 'messages.author_id')
    .select(['messages.id', 'users.name'])
    .where('messages.ticket_id', '=', ticketId).where('messages.kind', 'in', PUBLIC_KINDS).where('messages.id', '>', seenId)
    .where((eb) => eb.or([eb('messages.author_id', 'is', null), eb('messages.author_id', '!=', authorId)]))
    .orderBy('messages.id').execute();
  if (newer.length === 0) return;
  const authors = [...new Set(newer.map((m) => m.name ?? '?'))];
  throw new StaleReply(authors, await newestPublicMessageId(db, ticketId));
}
