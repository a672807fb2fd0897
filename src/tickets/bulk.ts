import type { Db, Trx } from '../db/connect.js';
import { changeTicket, type HistoryEntry, type TicketColumns } from '../kernel/index.js';
import { Forbidden, Invalid, NotFound } from '../lib/errors.js';
import { nowIso } from '../lib/time.js';
import type { Translate } from '../i18n.js';
import { recordEvent } from '../events/record.js';
import { can } from '../policy/can.js';
import type { Actor } from '../users/actor.js';
import { applyAssignee } from './assignment.js';
import { findVisibleTicket } from './queries.js';
import { visibleTickets } from './scope.js';
import { applyStatus } from './status.js';
import { checkManagedTags } from '../tags/tags.js';
import type { BulkInput } from './schemas.js';

/**
 * Change many tickets at once, all or nothing, in one transaction: each ticket must be in the
 * agent's scope (otherwise nothing changes and the refused numbers are named), and each change
 * goes through the same rules as the single edit (required fields before a status, assignee must
 * be active staff), with one history event per ticket per change. Assignment mails are collected:
 * one mail per assignee, listing their tickets. Returns how many tickets were selected.
 */
export async function bulkUpdateTickets(db: Db, actor: Actor, input: BulkInput, t: Translate): Promise<number> {
  if (!can(actor, 'ticket.bulk')) throw new NotFound();
  const { ids, changes } = input;
  await db.transaction().execute(async (trx) => {
    const visible = new Set((await visibleTickets(trx, actor).select('tickets.id').where('tickets.id', 'in', ids).execute()).map((r) => r.id));
    const refused = ids.filter((id) => !visible.has(id));
    if (refused.length > 0) {
      const error = new Forbidden('bulk.errors.refused');
      error.params = { ids: refused.map((id) => `#${id}`).join(', ') };
      throw error;
    }
    const group = changes.groupId ? await trx.selectFrom('groups').select(['id', 'name']).where('id', '=', changes.groupId).executeTakeFirst() : null;
    if (changes.groupId && !group) throw new Invalid({ group: 'errors.choice' });
    if (changes.tagAdd) await checkManagedTags(trx, [changes.tagAdd], 'tagAdd');
    const tags = changes.tagAdd || changes.tagRemove
      ? { add: changes.tagAdd ? [changes.tagAdd] : [], remove: changes.tagRemove ? [changes.tagRemove] : [] } : undefined;
    const now = nowIso();
    const assigned: number[] = [];
    for (const id of ids) {
      const ticket = (await findVisibleTicket(trx, actor, id))!;
      const set: TicketColumns = {};
      const history: HistoryEntry[] = [];
      if (changes.priority !== undefined && changes.priority !== ticket.priority) {
        set.priority = changes.priority;
        history.push({ kind: 'priority', from: t(`priority.${ticket.priority}`), to: t(`priority.${changes.priority}`) });
      }
      if (changes.groupId !== undefined && changes.groupId !== ticket.group_id) {
        set.group_id = changes.groupId;
        history.push({ kind: 'group', from: ticket.group_name, to: group?.name ?? null });
      }
      // Tags ride in the same change: the kernel adds a history line per tag really put on or taken off.
      if (history.length > 0 || tags) await changeTicket(trx, actor, id, { set, history, tags, at: now });
      if (changes.assigneeId !== undefined && await applyAssignee(trx, actor, ticket, changes.assigneeId, now, { notify: false })) {
        if (changes.assigneeId !== null) assigned.push(id);
      }
      if (changes.statusId !== undefined) await moveStatus(trx, actor, id, changes.statusId, now);
    }
    // One event for the batch: the notifications consumer mails each assignee once for all of it.
    if (changes.assigneeId && assigned.length > 0) {
      await recordEvent(trx, { kind: 'tickets.assigned', ticketId: null, actorId: actor.id, payload: { assigneeId: changes.assigneeId, ticketIds: assigned } });
    }
  });
  return ids.length;
}

/** The status last (an assignment may have moved it), with the ticket's number in any refusal. */
async function moveStatus(trx: Trx, actor: Actor, id: number, statusId: number, now: string): Promise<void> {
  const fresh = (await findVisibleTicket(trx, actor, id))!;
  try {
    await applyStatus(trx, actor, fresh, statusId, now);
  } catch (error) {
    if (!(error instanceof Invalid) || error.message !== 'tickets.errors.requiredBeforeStatus') throw error;
    throw new Invalid({ status: 'bulk.errors.requiredBeforeStatus' }, 'bulk.errors.requiredBeforeStatus', { ...error.params, id: String(id) });
  }
}
