import type { Db } from '../db/connect.js';
import { listAttachmentsForMessages } from '../attachments/queries.js';
import { allowedLabels, loadAttachmentPolicy } from '../attachments/sniff.js';
import { displayValue } from '../fields/fields.js';
import type { Translate } from '../i18n.js';
import { listCcs, listFieldValues, listMessages } from '../tickets/queries.js';
import type { Actor } from '../users/actor.js';
import { listVideoSessions } from '../video/video.js';
import { isCancellable } from '../tickets/cancel.js';
import { closedReplyPolicy, customerTicket } from '../tickets/customer.js';
import { messengerFor } from '../chat/chat.js';

type TimelineEntry = { kind: string; at: string; from: string | null; to: string | null };
type StreamEntry = { type: 'status'; at: string; entry: TimelineEntry }
  | { type: 'message'; at: string; message: Awaited<ReturnType<typeof listMessages>>[number] };

/**
 * Everything the customer's ticket page shows: only customer-visible fields, public messages
 * (never notes), and a timeline of status changes under the customer-facing labels.
 */
export async function portalTicketPage(db: Db, actor: Actor, id: number, t: Translate) {
  const ticket = await customerTicket(db, actor, id);
  const yesNo: [string, string] = [t('common.yes'), t('common.no')];
  const fields = (await listFieldValues(db, id, { customerVisibleOnly: true })).map((f) => ({ label: f.label, value: displayValue(f, f.value, yesNo) }));
  const messages = ticket.customer_facing === 1 ? await listMessages(db, id, ['reply', 'update']) : await listMessages(db, id, ['update']);
  const labels = new Map((await db.selectFrom('statuses').select(['name', 'customer_label']).execute()).map((s) => [s.name, s.customer_label]));
  const label = (name: string | null) => (name === null ? null : labels.get(name) ?? name);
  // In id order, sorted here, not by `order by`: so PostgreSQL keeps the statement prepared (lib/order.ts).
  const timeline = (await db.selectFrom('ticket_events').select(['id', 'kind', 'from_value', 'to_value', 'created_at'])
    .where('ticket_id', '=', id).where('kind', 'in', ['created', 'status', 'reopened', 'cancelled', 'cancel_reason']).execute())
    .sort((a, b) => a.id - b.id).map((e): TimelineEntry => (e.kind === 'cancel_reason' ? { kind: e.kind, at: e.created_at, from: null, to: e.to_value }
      : { kind: e.kind === 'cancelled' ? 'status' : e.kind, at: e.created_at, from: e.kind === 'created' ? null : label(e.from_value), to: e.kind === 'created' ? null : label(e.to_value) }));
  // The conversation first, with the timeline folded into it as small status lines, in time order
  // (stable: "submitted" before the first message, a status moved by a message after it).
  const [created, changes] = [timeline.filter((e) => e.kind === 'created'), timeline.filter((e) => e.kind !== 'created')];
  const stream: StreamEntry[] = [
    ...created.map((entry) => ({ type: 'status' as const, at: entry.at, entry })),
    ...messages.map((message) => ({ type: 'message' as const, at: message.created_at, message })),
    ...changes.map((entry) => ({ type: 'status' as const, at: entry.at, entry })),
  ].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const rating = await db.selectFrom('ratings').select(['score', 'comment']).where('ticket_id', '=', id).where('user_id', '=', ticket.requester_id).executeTakeFirst();
  const policy = await loadAttachmentPolicy(db);
  const finished = ticket.status_category === 'closed' || ticket.status_category === 'cancelled';
  return {
    ticket, fields, messages, stream, rating, ccs: await listCcs(db, id),
    videos: await listVideoSessions(db, id),
    files: await listAttachmentsForMessages(db, messages.map((m) => m.id)),
    isRequester: ticket.requester_id === actor.id,
    cancellable: await isCancellable(db, actor, ticket),
    canReply: !finished && ticket.customer_facing === 1,
    finished,
    draft: ticket.status_category === 'draft' && ticket.requester_id === actor.id,
    closedPolicy: await closedReplyPolicy(db),
    attachmentPolicy: { types: allowedLabels(policy), maxBytes: policy.maxTotalBytes },
    messenger: await messengerFor(db, actor, ticket),
  };
}
