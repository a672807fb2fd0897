import type { Db } from '../db/connect.js';
import type { MessageKind } from '../db/schema.js';
import { listAttachmentsForMessages } from '../attachments/queries.js';
import { allowedLabels, loadAttachmentPolicy } from '../attachments/sniff.js';
import { fleetTab } from '../fleet/tab.js';
import { slaPanel } from '../sla/display.js';
import { NotFound } from '../lib/errors.js';
import { messengerFor } from '../chat/chat.js';
import { newestPublicMessageId } from '../messages/stale.js';
import type { Actor } from '../users/actor.js';
import { listVideoSessions } from '../video/video.js';
import { isCancellable } from '../tickets/cancel.js';
import { findVisibleTicket, listEvents, listMessages, listWorkflow } from '../tickets/queries.js';
import { ticketPanel } from './ticket-panel.js';
import { ticketLinks } from '../links/queries.js';
import { usableMacros } from '../macros/macros.js';

export const TABS = ['general', 'updates', 'internal', 'history', 'videos', 'fleet'] as const;
export type Tab = (typeof TABS)[number];

export function parseTab(value: unknown): Tab {
  return TABS.includes(value as Tab) ? (value as Tab) : 'general';
}

/** Everything the agent's details view shows for one tab; only the open tab's content is loaded. */
export async function agentTicketDetails(db: Db, actor: Actor, id: number, tab: Tab, yesNo: [string, string]) {
  const ticket = await findVisibleTicket(db, actor, id);
  if (!ticket) throw new NotFound();
  const workflow = await listWorkflow(db);
  const rating = await newestRating(db, id);
  const order = actor.conversationOrder === 'newest' ? 'newest' : 'oldest';
  // General is the whole story in one stream; Updates and Internal Updates are the manual's filtered views of it.
  const conversation = async (kinds: MessageKind[]) => {
    const messages = await listMessages(db, id, kinds);
    return { messages: order === 'newest' ? messages.reverse() : messages };
  };
  const panel = {
    general: () => conversation(['reply', 'update', 'note', 'chat']),
    updates: () => conversation(['update']),
    internal: () => conversation(['note']),
    history: async () => ({ events: await listEvents(db, id) }),
    videos: async () => ({ videos: await listVideoSessions(db, id) }),
    fleet: () => fleetTab(db, actor, ticket),
  }[tab];
  const content: { messages?: { id: number }[] } & Record<string, unknown> = await panel();
  const files = await listAttachmentsForMessages(db, (content.messages ?? []).map((m) => m.id));
  const policy = await loadAttachmentPolicy(db);
  const cancellable = await isCancellable(db, actor, ticket);
  return {
    ticket, workflow, rating, cancellable, tab, tabs: TABS, files, order, side: await ticketPanel(db, actor, ticket, yesNo),
    messenger: await messengerFor(db, actor, ticket), newestPublicId: await newestPublicMessageId(db, id),
    attachmentPolicy: { types: allowedLabels(policy), maxBytes: policy.maxTotalBytes }, ...content,
    links: await ticketLinks(db, actor, id),
    sla: await slaPanel(db, id),
    // The compose box's "Macro" picker (the conversation tabs only).
    macros: content.messages ? await usableMacros(db, actor) : [],
  };
}

/**
 * The ticket's newest rating (each person who rates has one), picked here rather than by `order by …
 * limit`: so PostgreSQL keeps the statement prepared (lib/order.ts).
 */
async function newestRating(db: Db, ticketId: number) {
  const ratings = await db.selectFrom('ratings').select(['id', 'score', 'comment', 'created_at']).where('ticket_id', '=', ticketId).execute();
  return ratings.reduce<(typeof ratings)[number] | undefined>((newest, rating) => (newest && newest.id > rating.id ? newest : rating), undefined);
}
