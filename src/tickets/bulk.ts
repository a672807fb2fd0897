import type { Db } from '../db/connect.js';
import type { Priority } from '../db/schema.js';
import { Forbidden, Invalid, NotFound } from '../lib/errors.js';
import { nowIso } from '../lib/time.js';
import { positiveInt } from '../lib/validate.js';
import type { MailContext } from '../mail/context.js';
import { notifyAssignedTickets } from '../notify/assigned-many.js';
import { isStaff, type Actor } from '../users/actor.js';
import { applyAssignee, parseAssignee } from './assignment.js';
import { findVisibleTicket } from './queries.js';
import { visibleTickets } from './scope.js';
import { applyStatus } from './status.js';
import { PRIORITIES } from './tickets.js';

/** More than two pages of the list at once is not a selection but a script. */
export const BULK_MAX = 100;

export interface BulkInput {
  ids?: string | string[];
  /** "Select all on this page": then `page` holds the page's ids. */
  all?: string;
  page?: string | string[];
  assignee?: string;
  status?: string;
  priority?: string;
  group?: string;
}

interface Changes { assigneeId?: number | null; statusId?: number; priority?: Priority; groupId?: number | null }

const list = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** The chosen tickets and changes; '' means "no change", `none` clears the assignee or the group. */
function parseBulk(actor: Actor, input: BulkInput): { ids: number[]; changes: Changes } {
  const raw = input.all ? list(input.page) : list(input.ids);
  const ids = [...new Set(raw.map((v) => positiveInt(v)))];
  if (ids.length === 0) throw new Invalid({ ids: 'bulk.errors.noneSelected' }, 'bulk.errors.noneSelected');
  if (ids.some((id) => id === null) || ids.length > BULK_MAX) throw new Invalid({ ids: 'errors.choice' }, 'bulk.errors.badSelection');
  const changes: Changes = {};
  const errors: Record<string, string> = {};
  if (input.assignee) {
    const assigneeId = parseAssignee(actor, input.assignee);
    if (assigneeId === undefined) errors.assignee = 'errors.choice';
    else changes.assigneeId = assigneeId;
  }
  if (input.status) {
    const statusId = positiveInt(input.status);
    if (statusId === null) errors.status = 'errors.choice';
    else changes.statusId = statusId;
  }
  if (input.priority) {
    if (!PRIORITIES.includes(input.priority as Priority)) errors.priority = 'errors.choice';
    else changes.priority = input.priority as Priority;
  }
  if (input.group) {
    const groupId = input.group === 'none' ? null : positiveInt(input.group);
    if (groupId === null && input.group !== 'none') errors.group = 'errors.choice';
    else changes.groupId = groupId;
  }
  if (Object.keys(errors).length > 0) throw new Invalid(errors);
  if (Object.keys(changes).length === 0) throw new Invalid({ action: 'bulk.errors.noChange' }, 'bulk.errors.noChange');
  return { ids: ids as number[], changes };
}

/**
 * Change many tickets at once, all or nothing, in one transaction: each ticket must be in the
 * agent's scope (otherwise nothing changes and the refused numbers are named), and each change
 * goes through the same rules as the single edit (required fields before a status, assignee must
 * be active staff), with one history event per ticket per change. Assignment mails are collected:
 * one mail per assignee, listing their tickets. Returns how many tickets were selected.
 */
export async function bulkUpdateTickets(db: Db, actor: Actor, input: BulkInput, mail: MailContext): Promise<number> {
  if (!isStaff(actor)) throw new NotFound();
  const { ids, changes } = parseBulk(actor, input);
  const t = mail.translator(actor.locale);
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
    const now = nowIso();
    const assigned: number[] = [];
    for (const id of ids) {
      const ticket = (await findVisibleTicket(trx, actor, id))!;
      const event = (kind: string, from: string | null, to: string | null) => trx.insertInto('ticket_events')
        .values({ ticket_id: id, actor_id: actor.id, kind, from_value: from, to_value: to, created_at: now }).execute();
      if (changes.priority !== undefined && changes.priority !== ticket.priority) {
        await trx.updateTable('tickets').set({ priority: changes.priority, updated_at: now }).where('id', '=', id).execute();
        await event('priority', t(`priority.${ticket.priority}`), t(`priority.${changes.priority}`));
      }
      if (changes.groupId !== undefined && changes.groupId !== ticket.group_id) {
        await trx.updateTable('tickets').set({ group_id: changes.groupId, updated_at: now }).where('id', '=', id).execute();
        await event('group', ticket.group_name, group?.name ?? null);
      }
      if (changes.assigneeId !== undefined && await applyAssignee(trx, actor, ticket, changes.assigneeId, now, mail, { notify: false })) {
        if (changes.assigneeId !== null) assigned.push(id);
      }
      if (changes.statusId !== undefined) await moveStatus(trx, actor, id, changes.statusId, now);
    }
    if (changes.assigneeId) await notifyAssignedTickets(trx, mail, actor, changes.assigneeId, assigned);
  });
  return ids.length;
}

/** The status last (an assignment may have moved it), with the ticket's number in any refusal. */
async function moveStatus(trx: Db, actor: Actor, id: number, statusId: number, now: string): Promise<void> {
  const fresh = (await findVisibleTicket(trx, actor, id))!;
  try {
    await applyStatus(trx, actor, fresh, statusId, now);
  } catch (error) {
    if (!(error instanceof Invalid) || error.message !== 'tickets.errors.requiredBeforeStatus') throw error;
    throw new Invalid({ status: 'bulk.errors.requiredBeforeStatus' }, 'bulk.errors.requiredBeforeStatus', { ...error.params, id: String(id) });
  }
}
