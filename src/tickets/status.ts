import type { Db, Trx } from '../db/connect.js';
import { changeTicket } from '../kernel/index.js';
import type { StatusCategory } from '../db/schema.js';
import { Invalid, NotFound } from '../lib/errors.js';
import { nowIso } from '../lib/time.js';
import { can, sideOf } from '../policy/can.js';
import type { Actor } from '../users/actor.js';
import { getSetting } from '../settings/settings.js';
import { defaultStatusId, findVisibleTicket } from './queries.js';
import type { StatusInput } from './schemas.js';

/** How far along a category is; a field "required before solved" is needed from solved on. */
const PROGRESS: Record<StatusCategory, number> = {
  draft: 0, new: 1, open: 2, pending: 2, on_hold: 2, solved: 3, closed: 4, cancelled: -1,
};

export function reaches(category: StatusCategory, required: StatusCategory): boolean {
  return PROGRESS[category] >= 0 && PROGRESS[category] >= PROGRESS[required];
}

/** The timestamps a category implies: solved/closed are stamped once, and cleared on reopening. */
export function statusStamps(category: StatusCategory, current: { solved_at: string | null; closed_at: string | null }, now: string) {
  if (category === 'solved') return { solved_at: current.solved_at ?? now, closed_at: null };
  if (category === 'closed') return { solved_at: current.solved_at ?? now, closed_at: current.closed_at ?? now };
  if (category === 'cancelled') return { solved_at: current.solved_at, closed_at: current.closed_at ?? now };
  return { solved_at: null, closed_at: null };
}

/** Fields of the ticket's type that must be filled before `category`, and are not. */
export async function missingRequiredFields(db: Db, ticketId: number, typeId: number, category: StatusCategory) {
  const fields = await db.selectFrom('ticket_type_fields').innerJoin('fields', 'fields.id', 'ticket_type_fields.field_id')
    .leftJoin('ticket_field_values as v', (join) => join.onRef('v.field_id', '=', 'fields.id').on('v.ticket_id', '=', ticketId))
    .select(['fields.key', 'fields.label', 'fields.required_before_category', 'v.value'])
    .where('ticket_type_fields.type_id', '=', typeId).where('fields.retired_at', 'is', null)
    .where('fields.required_before_category', 'is not', null).execute();
  return fields.filter((f) => reaches(category, f.required_before_category!) && (f.value === null || f.value === ''));
}

type VisibleTicket = NonNullable<Awaited<ReturnType<typeof findVisibleTicket>>>;

/** What the agent agreed to when moving a ticket: solve a parent whose children are still open. */
export interface StatusOptions { openChildrenConfirmed?: boolean }

/**
 * Move a ticket (already loaded in this transaction) to a status: checks the fields required before
 * it, stamps solved/closed, and records the change (by Deskbell itself when actor is null). Staff
 * solving or closing a parent ticket (a `parent` link, issue 20) whose children are still open must
 * have confirmed it (`options.openChildrenConfirmed`). Returns false when it already had that status.
 */
export async function applyStatus(trx: Trx, actor: Actor | null, ticket: VisibleTicket, statusId: number, now: string, eventKind = 'status', options: StatusOptions = {}): Promise<boolean> {
  const status = await trx.selectFrom('statuses').selectAll()
    .where('id', '=', statusId).where('retired_at', 'is', null).executeTakeFirst();
  if (!status) throw new Invalid({ statusId: 'errors.choice' });
  if (status.id === ticket.status_id) return false;
  const missing = await missingRequiredFields(trx, ticket.id, ticket.type_id, status.category);
  if (missing.length > 0) {
    throw new Invalid(Object.fromEntries(missing.map((f) => [`field_${f.key}`, 'errors.required'])),
      'tickets.errors.requiredBeforeStatus', { fields: missing.map((f) => f.label).join(', '), status: status.name });
  }
  if (actor && sideOf(actor) === 'staff' && (status.category === 'solved' || status.category === 'closed') && !options.openChildrenConfirmed) {
    const open = await openChildren(trx, ticket.id);
    if (open.length > 0) {
      throw new Invalid({ confirmOpenChildren: 'links.errors.openChildren' }, 'links.errors.openChildren',
        { children: open.map((id) => `#${id}`).join(', '), status: status.name, statusId: String(status.id) });
    }
  }
  await changeTicket(trx, actor, ticket.id, {
    set: { status_id: status.id, ...statusStamps(status.category, ticket, now) }, activity: true, at: now,
    history: [{ kind: eventKind, from: ticket.status_name, to: status.name }],
  });
  return true;
}

/** The children of a parent ticket (`parent` links) that are not solved, closed or cancelled yet, by id. */
export async function openChildren(db: Db, ticketId: number): Promise<number[]> {
  const rows = await db.selectFrom('ticket_links').innerJoin('tickets', 'tickets.id', 'ticket_links.other_id')
    .innerJoin('statuses', 'statuses.id', 'tickets.status_id').select('tickets.id')
    .where('ticket_links.ticket_id', '=', ticketId).where('ticket_links.kind', '=', 'parent')
    .where('statuses.category', 'not in', ['solved', 'closed', 'cancelled']).orderBy('tickets.id').execute();
  return rows.map((r) => r.id);
}

/** An agent moves a ticket to another status (the status bar). */
export async function changeStatus(db: Db, actor: Actor, ticketId: number, input: StatusInput, options: StatusOptions = {}): Promise<void> {
  if (!can(actor, 'ticket.setStatus')) throw new NotFound();
  await db.transaction().execute(async (trx) => {
    const ticket = await findVisibleTicket(trx, actor, ticketId);
    if (!ticket) throw new NotFound();
    await applyStatus(trx, actor, ticket, input.statusId, nowIso(), 'status', options);
  });
}

/**
 * Seed 000: "Open" is for a ticket that has been opened to be viewed. When its assignee first opens
 * a new ticket it becomes the default open status (setting `open_on_first_view`, on by default).
 */
export async function noteOpenedByAssignee(db: Db, actor: Actor, ticketId: number): Promise<void> {
  if (!can(actor, 'ticket.setStatus') || (await getSetting(db, 'open_on_first_view')) === '0') return;
  // Checked first without the write lock: nearly every view of a ticket changes nothing, and a write
  // transaction on every details page made reads queue behind writes. Checked again inside.
  const mine = await db.selectFrom('tickets').innerJoin('statuses', 'statuses.id', 'tickets.status_id').select('tickets.id')
    .where('tickets.id', '=', ticketId).where('tickets.assignee_id', '=', actor.id).where('statuses.category', '=', 'new')
    .executeTakeFirst();
  if (!mine) return;
  await db.transaction().execute(async (trx) => {
    const ticket = await findVisibleTicket(trx, actor, ticketId);
    if (!ticket || ticket.assignee_id !== actor.id || ticket.status_category !== 'new') return;
    const openId = await defaultStatusId(trx, 'open');
    if (openId !== undefined) await applyStatus(trx, actor, ticket, openId, nowIso());
  });
}
