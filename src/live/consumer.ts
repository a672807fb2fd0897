import { publicChatLine } from '../chat/lines.js';
import { findChatRow } from '../chat/queries.js';
import type { Consumer } from '../events/consumer.js';

/**
 * The live hub's feed from the event stream: a chat line goes to everyone who has the ticket open
 * (customers get nothing but public chat lines, see hub.ts), and any other public message tells
 * staff who have the ticket open that their reply may be stale — from every channel (agent form,
 * portal, mail in), since all write through the kernel. Runs after the commit, so nobody sees a
 * line that was rolled back; ephemeral: a restarted process has no listeners to replay to.
 */
export const liveFanOut: Consumer = {
  name: 'live',
  ephemeral: true,
  async handle(db, event, context) {
    if (event.kind !== 'message.added' || event.ticketId === null || !context.live) return;
    const kind = event.payload.kind;
    if (kind === 'chat') {
      const row = await findChatRow(db, Number(event.payload.messageId));
      if (row) context.live.chat(event.ticketId, publicChatLine(row));
    } else if (kind === 'reply' || kind === 'update') {
      const author = event.actorId === null ? undefined
        : await db.selectFrom('users').select(['id', 'name']).where('id', '=', event.actorId).executeTakeFirst();
      context.live.toStaff(event.ticketId, { type: 'message', kind, authorId: author?.id ?? 0, authorName: author?.name ?? '' });
    }
  },
};
