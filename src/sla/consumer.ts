import { untilChanged } from '../db/change-cache.js';
import type { Db } from '../db/connect.js';
import type { Consumer } from '../events/consumer.js';
import { fromImport, type StreamEvent } from '../events/record.js';
import { sideOf } from '../policy/can.js';
import { customerWrote, staffReplied, startRecord, statusChanged } from './engine.js';

/** Columns whose change can bring a ticket under a policy it did not meet before. */
const MATCHED_ON = ['priority', 'type_id', 'group_id', 'organization_id', 'brand_id'];

/**
 * The SLA clocks (issue 21): a new ticket gets its record from the first policy it meets; a staff
 * reply meets the first and next reply; a customer's message starts the next reply; a status
 * change pauses, resumes or ends the clocks. Transactional: the record moves with the position,
 * and the fulfilments' history lines go through the kernel in the same transaction.
 */
/** Whether any SLA policy is active: remembered until the database changes (asked for every event). */
const anyActivePolicy = untilChanged(async (db: Db, _: '') =>
  (await db.selectFrom('sla_policies').select('id').where('active', '=', 1).limit(1).executeTakeFirst()) !== undefined, 1);

/**
 * Whether `handle` could do anything for this event, from the event alone: most changes (a subject,
 * a CC, a history line such as a capped mail) and internal notes touch no clock.
 */
function movesClocks(event: StreamEvent): boolean {
  if (event.kind === 'ticket.created') return true;
  if (event.kind === 'message.added') return event.actorId !== null && CLOCK_MESSAGES.includes(event.payload.kind as string);
  if (event.kind !== 'ticket.changed') return false;
  const set = (event.payload.set ?? {}) as Record<string, unknown>;
  return MATCHED_ON.some((column) => column in set) || event.payload.tags !== undefined || typeof set.status_id === 'number';
}

/** Messages that meet or start a reply clock (a note does neither). */
const CLOCK_MESSAGES = ['reply', 'update', 'chat'];

export const slaClocks: Consumer = {
  name: 'sla',
  transactional: true,
  // Without an active policy a ticket only has clocks if it got them before (a record outlives its policy).
  async passes(db, event) {
    if (event.ticketId === null || fromImport(event) || !movesClocks(event)) return true;
    if (await anyActivePolicy(db, '')) return false;
    return (await db.selectFrom('ticket_slas').select('ticket_id').where('ticket_id', '=', event.ticketId).executeTakeFirst()) === undefined;
  },
  async handle(trx, event) {
    const ticketId = event.ticketId;
    // Imported tickets keep no service-level clocks: their targets were another desk's.
    if (ticketId === null || fromImport(event) || !movesClocks(event)) return;
    const at = event.createdAt;
    if (event.kind === 'ticket.created') {
      await startRecord(trx, ticketId, at);
      return;
    }
    if (event.kind === 'message.added') {
      const author = event.actorId === null ? undefined
        : await trx.selectFrom('users').select('role').where('id', '=', event.actorId).executeTakeFirst();
      if (!author) return;
      if (sideOf(author) === 'staff') await staffReplied(trx, ticketId, at);
      else await customerWrote(trx, ticketId, at);
      return;
    }
    if (event.kind === 'ticket.changed') {
      const set = (event.payload.set ?? {}) as Record<string, unknown>;
      const tagsChanged = event.payload.tags !== undefined;
      if (MATCHED_ON.some((column) => column in set) || tagsChanged) await startRecord(trx, ticketId, at);
      if (typeof set.status_id === 'number') {
        const status = await trx.selectFrom('statuses').select('category').where('id', '=', set.status_id).executeTakeFirst();
        if (status) await statusChanged(trx, ticketId, status.category, at);
      }
    }
  },
};
