import type { PublicChatLine } from '../live/hub.js';
import { sideOf } from '../policy/can.js';
import type { ChatRow } from './queries.js';

/**
 * The one door into a customer's stream: a chat message becomes a public line; anything else is
 * refused here, before it could reach the hub.
 */
export function publicChatLine(row: ChatRow): PublicChatLine {
  if (row.kind !== 'chat') throw new Error(`only chat messages are public lines, not ${row.kind}`);
  return {
    id: row.id,
    authorId: row.author_id,
    authorName: row.author_name ?? '',
    fromStaff: row.author_role !== null && sideOf({ role: row.author_role }) === 'staff',
    bodyHtml: row.body_html,
    createdAt: row.created_at,
  } as PublicChatLine;
}
