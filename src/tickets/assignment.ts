import type { Db } from '../db/connect.js';
import { syncPrimaryMember } from '../fleet/members.js';
import { Invalid, NotFound } from '../lib/errors.js';
import { nowIso } from '../lib/time.js';
import { positiveInt } from '../lib/validate.js';
import type { MailContext } from '../mail/context.js';
import { notifyAssigned } from '../notify/notify.js';
import { getNumberSetting } from '../settings/settings.js';
import { isStaff, type Actor } from '../users/actor.js';
import { findVisibleTicket } from './queries.js';
import { applyStatus } from './status.js';

type VisibleTicket = NonNullable<Awaited<ReturnType<typeof findVisibleTicket>>>;

/** Who assigns when Deskbell itself does (dispatch on creation): the name assignment mails show. */
const DESKBELL = { id: null, name: 'Deskbell' };

/** `me`, a staff member's id, or '' for nobody. */
export function parseAssignee(actor: Actor, value: unknown): number | null | undefined {
  if (value === '' || value === 'none') return null;
  if (value === 'me') return actor.id;
  return positiveInt(value) ?? undefined;
}

/**
 * Give the ticket to someone (or to nobody), inside the caller's transaction. Seed 000: a person
 * assigned by someone else gets a mail. Seed 001: assignment moves a new ticket to the workflow's
 * assignment status, when one is set. The assignee is the fleet's primary assigned member. A null
 * actor is Deskbell itself (dispatch).
 */
export async function applyAssignee(
  trx: Db, actor: Actor | null, ticket: VisibleTicket, assigneeId: number | null, now: string, mail: MailContext,
  options: { notify?: boolean } = {},
): Promise<boolean> {
  if (assigneeId === ticket.assignee_id) return false;
  const assignee = assigneeId === null ? null : await trx.selectFrom('users').select(['id', 'name', 'email', 'locale'])
    .where('id', '=', assigneeId).where('role', 'in', ['admin', 'supervisor', 'agent']).where('state', '=', 'active')
    .executeTakeFirst();
  if (assigneeId !== null && !assignee) throw new Invalid({ assigneeId: 'tickets.errors.assigneeNotStaff' });

  await trx.updateTable('tickets').set({ assignee_id: assigneeId, updated_at: now }).where('id', '=', ticket.id).execute();
  await syncPrimaryMember(trx, ticket.id, ticket.assignee_id, assigneeId, now);
  await trx.insertInto('ticket_events').values({
    ticket_id: ticket.id, actor_id: actor?.id ?? null, kind: 'assignee', from_value: ticket.assignee_name, to_value: assignee?.name ?? null, created_at: now,
  }).execute();

  const assignmentStatus = await getNumberSetting(trx, 'assignment_status_id');
  if (assignee && assignmentStatus !== null && ticket.status_category === 'new') {
    await applyStatus(trx, actor, ticket, assignmentStatus, now);
  }
  // A bulk change (notify: false) sends one mail per assignee for all its tickets instead.
  if (assignee && options.notify !== false) await notifyAssigned(trx, mail, actor ?? DESKBELL, ticket.id, assignee.id);
  return true;
}

/** The "Assign to me" button and the assignee picker. */
export async function assignTicket(db: Db, actor: Actor, ticketId: number, input: { assigneeId?: unknown }, mail: MailContext): Promise<void> {
  if (!isStaff(actor)) throw new NotFound();
  const assigneeId = parseAssignee(actor, input.assigneeId);
  if (assigneeId === undefined) throw new Invalid({ assigneeId: 'errors.choice' });
  await db.transaction().execute(async (trx) => {
    const ticket = await findVisibleTicket(trx, actor, ticketId);
    if (!ticket) throw new NotFound();
    await applyAssignee(trx, actor, ticket, assigneeId, nowIso(), mail);
  });
}
