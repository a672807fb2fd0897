import type { Db } from '../db/connect.js';
import { changeTicket } from '../kernel/index.js';
import type { StatusCategory } from '../db/schema.js';
import { Conflict, Forbidden, NotFound } from '../lib/errors.js';
import { nowIso } from '../lib/time.js';
import { can } from '../policy/can.js';
import type { Actor } from '../users/actor.js';
import { defaultStatusId, findVisibleTicket } from './queries.js';
import type { CancelInput } from './schemas.js';
import { applyStatus } from './status.js';

type VisibleTicket = NonNullable<Awaited<ReturnType<typeof findVisibleTicket>>>;

/** Categories a ticket can no longer be cancelled from. */
const FINISHED: readonly StatusCategory[] = ['solved', 'closed', 'cancelled'];

export const REASON_MAX = 1000;

/** Whether the workflow has a cancelled status at all (the Field service preset does). */
export async function cancellationEnabled(db: Db): Promise<boolean> {
  return (await defaultStatusId(db, 'cancelled')) !== undefined;
}

/** Whether this actor may cancel this ticket now (a customer only as its requester). */
export function mayCancel(actor: Actor, ticket: Pick<VisibleTicket, 'requester_id' | 'status_category'>): boolean {
  if (FINISHED.includes(ticket.status_category)) return false;
  return can(actor, 'ticket.cancel', ticket);
}

/** Whether to offer a Cancel link: the workflow has a cancelled status and the actor may cancel. */
export async function isCancellable(db: Db, actor: Actor, ticket: Pick<VisibleTicket, 'requester_id' | 'status_category'>): Promise<boolean> {
  return mayCancel(actor, ticket) && (await cancellationEnabled(db));
}

/**
 * The ticket a cancel form is for: 404 without a cancelled status or when the actor cannot see it,
 * 403 for a customer who is not the requester (a CC'd customer), 409 when it is already finished.
 */
export async function cancelTarget(db: Db, actor: Actor, ticketId: number): Promise<{ ticket: VisibleTicket; statusId: number }> {
  const statusId = await defaultStatusId(db, 'cancelled');
  if (statusId === undefined) throw new NotFound();
  const ticket = await findVisibleTicket(db, actor, ticketId);
  if (!ticket) throw new NotFound();
  if (!can(actor, 'ticket.cancel', ticket)) throw new Forbidden('cancel.errors.onlyRequester');
  if (FINISHED.includes(ticket.status_category)) throw new Conflict('cancel.errors.finished');
  return { ticket, statusId };
}

/**
 * Seed 001: "Cancelled — the ticket has been cancelled". The requester or an agent cancels an open
 * ticket with a reason; the status change is recorded as a `cancelled` event and the reason as a
 * `cancel_reason` event right after it (the agent's History, the customer's timeline).
 */
export async function cancelTicket(db: Db, actor: Actor, ticketId: number, input: CancelInput): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const { ticket, statusId } = await cancelTarget(trx, actor, ticketId);
    const now = nowIso();
    await applyStatus(trx, actor, ticket, statusId, now, 'cancelled');
    await changeTicket(trx, actor, ticket.id, { history: [{ kind: 'cancel_reason', from: null, to: input.reason }], at: now });
  });
}
