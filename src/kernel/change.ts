import { sql, type Updateable } from 'kysely';
import type { Trx } from '../db/connect.js';
import type { Status, StatusCategory, TicketsTable } from '../db/schema.js';
import { recordEvent, recordEventForAll } from '../events/record.js';
import { nowIso } from '../lib/time.js';
import type { Actor } from '../users/actor.js';
import { writeCcs, type CcChange } from './ccs.js';
import type { Announce } from './create.js';
import { writeFieldValues } from './fields.js';
import { writeHistory, writeStatusHistoryOfAll, type HistoryEntry } from './history.js';
import { syncPrimaryMember } from './members.js';
import { tagHistory, writeTags, type TagChange } from './tags.js';

/** Who a change tells by mail, beyond the rules the consumer applies to every change. */
export interface ChangeNotice {
  /** Staff given the ticket by someone else (the assignee, a fleet member). */
  assigned?: number[];
  /** Staff offered the ticket (the fleet): each gets a mail pointing at their Offers inbox. */
  offered?: number[];
  /** The requester hears why: an auto-close reminder, or the ticket closed for want of an answer. */
  requester?: 'reminder' | 'closed';
  /** Customers made for this ticket (a new requester, a CC) who get a "Create password" invitation. */
  invite?: number[];
  /** An SLA target falls due soon (src/sla/job.ts): the assignee, else the group, is warned once. */
  slaWarning?: { target: string; dueAt: string };
  /** Staff whose snoozed ticket came back (kernel/snooze.ts): a mail when they opted in. */
  snoozeReturned?: number[];
  /** Mails a trigger or an automation sends (src/rules/): the rules consumer composes and queues them. */
  ruleMail?: RuleMail[];
}

/** A mail a rule sends, its placeholders filled in when the rule ran. */
export interface RuleMail {
  to: 'requester' | 'assignee' | 'group' | 'address';
  /** For `address`. */
  address?: string;
  subject: string;
  /** Markdown. */
  body: string;
}

/** Columns of a ticket a change may set; the kernel adds `updated_at` (and `last_activity_at` when asked). */
export type TicketColumns = Omit<Updateable<TicketsTable>, 'id' | 'created_at' | 'updated_at' | 'last_activity_at'>;

export interface TicketChange {
  /** New column values (status, assignee, group, priority, type, visibility, requester, subject, stamps...). */
  set?: TicketColumns;
  /** Custom field values to store (field id → value; '' removes one): the ones that changed (fields/fields.ts). */
  fields?: ReadonlyMap<number, string>;
  /** People copied in on the ticket, and taken off it. */
  ccs?: CcChange;
  /** Tags put on the ticket and taken off it (names, normalised): the kernel writes a history line per tag. */
  tags?: TagChange;
  /** One history line per changed field, with the values as people read them (names, labels). */
  history: HistoryEntry[];
  /** The change is activity on the ticket (marks it unread for others): stamps `last_activity_at`. */
  activity?: boolean;
  /** Stamp `updated_at` even with no column set (the ticket's people changed, e.g. the fleet). */
  touch?: boolean;
  /**
   * Only change the ticket while it still matches (e.g. auto-close: the status and activity it was
   * chosen with). When it does not, nothing is written and changeTicket returns false.
   */
  onlyIf?: Partial<Record<keyof TicketsTable, string | number | null>>;
  at?: string;
  /**
   * Who is to hear of the change by mail (the notifications consumer reads it from the event):
   */
  notify?: ChangeNotice;
  /** The change delivers the ticket (a customer's draft sent): who hears of it, as for a new ticket. */
  announce?: Announce;
}

/**
 * Change a ticket: its columns (with `updated_at`), its custom field values and CCs, one history line
 * per changed field (and per tag put on or taken off) and one `ticket.changed` event carrying the
 * changes (old → new, and the columns, fields, CCs and tags as written), in the caller's transaction. A change with history but no columns (a
 * reminder sent, a follow-up linked) records both without touching the row.
 * The rules (who may, which status is allowed, required fields) are the caller's. A new assignee
 * also becomes the ticket's primary assigned member (kernel/members.ts).
 */
export async function changeTicket(trx: Trx, actor: Actor | { id: number } | null, ticketId: number, change: TicketChange): Promise<boolean> {
  const now = change.at ?? nowIso();
  const set = change.set ?? {};
  // The assignee is the fleet's primary member: read who it replaces before the row changes.
  const previous = set.assignee_id === undefined ? undefined
    : (await trx.selectFrom('tickets').select('assignee_id').where('id', '=', ticketId).executeTakeFirst())?.assignee_id;
  if (Object.keys(set).length > 0 || change.activity || change.touch) {
    let update = trx.updateTable('tickets')
      .set({ ...set, updated_at: now, ...(change.activity ? { last_activity_at: now } : {}) })
      .where('id', '=', ticketId);
    for (const [column, value] of Object.entries(change.onlyIf ?? {})) {
      update = value === null ? update.where(column as keyof TicketsTable, 'is', null) : update.where(column as keyof TicketsTable, '=', value as never);
    }
    const result = await update.executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return false;
  }
  if (previous !== undefined && set.assignee_id !== undefined && previous !== set.assignee_id) {
    await syncPrimaryMember(trx, ticketId, previous, set.assignee_id, now);
  }
  const fields = change.fields && change.fields.size > 0 ? await writeFieldValues(trx, ticketId, change.fields) : null;
  const ccs = change.ccs ? await writeCcs(trx, ticketId, change.ccs) : null;
  const ccsChanged = ccs && ccs.added.length + ccs.removed.length > 0 ? ccs : null;
  const tags = change.tags ? await writeTags(trx, ticketId, change.tags) : null;
  const tagsChanged = tags && tags.added.length + tags.removed.length > 0 ? tags : null;
  const history = tagsChanged ? [...change.history, ...tagHistory(tagsChanged)] : change.history;
  if (history.length === 0 && Object.keys(set).length === 0 && !fields && !ccsChanged) return true;
  const actorId = actor?.id ?? null;
  await writeHistory(trx, ticketId, actorId, history, now);
  await recordEvent(trx, {
    kind: 'ticket.changed', ticketId, actorId, at: now,
    payload: {
      changes: history.map((h) => ({ kind: h.kind, field: h.field ?? null, from: h.from, to: h.to })), set,
      ...(fields ? { fields } : {}),
      ...(ccsChanged ? { ccs: ccsChanged } : {}),
      ...(tagsChanged ? { tags: tagsChanged } : {}),
      ...(change.announce ? { announce: change.announce } : {}),
      ...(change.notify ? { notify: change.notify } : {}),
    },
  });
  return true;
}

/** statusStamps (tickets/status.ts) as SQL, for many tickets at once. */
function stampsFor(category: StatusCategory, now: string) {
  const keep = (column: 'solved_at' | 'closed_at') => sql<string>`coalesce(${sql.ref(column)}, ${now})`;
  if (category === 'solved') return { solved_at: keep('solved_at'), closed_at: null };
  if (category === 'closed') return { solved_at: keep('solved_at'), closed_at: keep('closed_at') };
  if (category === 'cancelled') return { closed_at: keep('closed_at') };
  return { solved_at: null, closed_at: null };
}

/**
 * Every ticket in status `from` moves to `to` (a workflow change), in three statements whatever the
 * number of tickets: one history line and one `ticket.changed` event per ticket, then the rows.
 * Solved/closed stamps follow the new category; `last_activity_at` is left alone (no activity).
 */
export async function moveAllTickets(trx: Trx, from: Pick<Status, 'id' | 'name'>, to: Pick<Status, 'id' | 'name' | 'category'>, actorId: number, now: string): Promise<number> {
  if (from.id === to.id) return 0;
  await writeStatusHistoryOfAll(trx, from, to, actorId, now);
  await recordEventForAll(trx, from.id, {
    kind: 'ticket.changed', actorId, at: now,
    payload: { changes: [{ kind: 'status', field: null, from: from.name, to: to.name }], set: { status_id: to.id }, workflow: true },
  });
  const result = await trx.updateTable('tickets').set({ status_id: to.id, updated_at: now, ...stampsFor(to.category, now) })
    .where('status_id', '=', from.id).executeTakeFirst();
  return Number(result.numUpdatedRows);
}
