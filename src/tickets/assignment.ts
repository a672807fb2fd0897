import type { Db, Trx } from '../db/connect.js';
import { changeTicket } from '../kernel/index.js';
import { Invalid, NotFound } from '../lib/errors.js';
import { nowIso } from '../lib/time.js';
import { getNumberSetting } from '../settings/settings.js';
import { can, rolesOn } from '../policy/can.js';
import type { Actor } from '../users/actor.js';
import { findVisibleTicket } from './queries.js';
import type { AssignInput } from './schemas.js';
import { applyStatus } from './status.js';

type VisibleTicket = NonNullable<Awaited<ReturnType<typeof findVisibleTicket>>>;

/** Who assigns when Deskbell itself does (dispatch on creation): the name assignment mails show. */

/**
 * Give the ticket to someone (or to nobody), inside the caller's transaction. Seed 000: a person
 * assigned by someone else gets a mail. Seed 001: assignment moves a new ticket to the workflow's
 * assignment status, when one is set. The kernel makes the assignee the fleet's primary assigned member. A null
 * actor is Deskbell itself (dispatch).
 */
export async function applyAssignee(
  trx: Trx, actor: Actor | null, ticket: VisibleTicket, assigneeId: number | null, now: string,
  options: { notify?: boolean } = {},
): Promise<boolean> {
  if (assigneeId === ticket.assignee_id) return false;
  const assignee = assigneeId === null ? null : await trx.selectFrom('users').select(['id', 'name', 'email', 'locale'])
    .where('id', '=', assigneeId).where('role', 'in', rolesOn('staff')).where('state', '=', 'active')
    .executeTakeFirst();
  if (assigneeId !== null && !assignee) throw new Invalid({ assigneeId: 'tickets.errors.assigneeNotStaff' });

  // Seed 000: a person assigned by someone else gets a mail (the notifications consumer sends it); a
  // bulk change (notify: false) sends one mail per assignee for all its tickets instead.
  const tell = assignee && options.notify !== false && assignee.id !== actor?.id;
  await changeTicket(trx, actor, ticket.id, {
    set: { assignee_id: assigneeId }, at: now, history: [{ kind: 'assignee', from: ticket.assignee_name, to: assignee?.name ?? null }],
    ...(tell ? { notify: { assigned: [assignee.id] } } : {}),
  });

  const assignmentStatus = await getNumberSetting(trx, 'assignment_status_id');
  if (assignee && assignmentStatus !== null && ticket.status_category === 'new') {
    await applyStatus(trx, actor, ticket, assignmentStatus, now);
  }
  return true;
}

/** The "Assign to me" button and the assignee picker (schemas.ts reads `me` and "nobody"). */
export async function assignTicket(db: Db, actor: Actor, ticketId: number, input: AssignInput): Promise<void> {
  if (!can(actor, 'ticket.assign')) throw new NotFound();
  const { assigneeId } = input;
  await db.transaction().execute(async (trx) => {
    const ticket = await findVisibleTicket(trx, actor, ticketId);
    if (!ticket) throw new NotFound();
    await applyAssignee(trx, actor, ticket, assigneeId, nowIso());
  });
}
