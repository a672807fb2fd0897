import type { Db } from '../db/connect.js';
import { linkTickets, mergeTickets, splitTicket, unlinkTickets, type NewLink } from '../kernel/index.js';
import { Forbidden, Invalid, NotFound } from '../lib/errors.js';
import { can, rolesOn } from '../policy/can.js';
import { defaultStatusId, findVisibleTicket } from '../tickets/queries.js';
import type { Actor } from '../users/actor.js';
import { mergedInto } from './queries.js';
import type { LinkForm, MergeForm } from './schemas.js';

/**
 * Merge ticket `form.other` into ticket `survivorId` (issue 20). Both must be tickets the agent can
 * see (the survivor answers 404 otherwise, the other is "no such ticket": the agent learns nothing
 * of tickets out of their sight). Refused: the ticket itself, a ticket already merged, an internal
 * ticket into a public one (its conversation would reach the survivor's requester), and tickets of
 * two brands unless the agent ticked that they mean it. The merged ticket's requester and CCs become
 * CCs of the survivor (customers only, never its requester). `note` is the public update left on the
 * merged ticket. Returns the ids of the messages that moved.
 */
export async function mergeTicketInto(db: Db, actor: Actor, survivorId: number, form: MergeForm, note: (survivorId: number) => string): Promise<number[]> {
  if (!can(actor, 'ticket.merge')) throw new Forbidden();
  return db.transaction().execute(async (trx) => {
    const survivor = await findVisibleTicket(trx, actor, survivorId);
    if (!survivor) throw new NotFound();
    if (form.other === survivorId) throw new Invalid({ other: 'links.errors.self' }, 'links.errors.self');
    const other = await findVisibleTicket(trx, actor, form.other);
    if (!other) throw new Invalid({ other: 'links.errors.unknown' }, 'links.errors.unknown', { id: String(form.other) });
    if (await mergedInto(trx, survivor.id) !== null) throw new Invalid({ other: 'links.errors.survivorMerged' }, 'links.errors.survivorMerged');
    if (await mergedInto(trx, other.id) !== null) throw new Invalid({ other: 'links.errors.alreadyMerged' }, 'links.errors.alreadyMerged', { id: String(other.id) });
    if (other.visibility === 'internal' && survivor.visibility === 'public') {
      throw new Invalid({ other: 'links.errors.internalIntoPublic' }, 'links.errors.internalIntoPublic', { id: String(other.id) });
    }
    if (other.brand_id !== survivor.brand_id && !form.acrossBrands) {
      throw new Invalid({ acrossBrands: 'links.errors.otherBrandBox' }, 'links.errors.otherBrand', { id: String(other.id), brand: other.brand_name, ours: survivor.brand_name });
    }
    const people = await trx.selectFrom('users').select('id')
      .where((eb) => eb.or([eb('id', '=', other.requester_id), eb('id', 'in', trx.selectFrom('ticket_ccs').select('user_id').where('ticket_id', '=', other.id))]))
      .where('role', 'in', rolesOn('customer')).where('id', '!=', survivor.requester_id).orderBy('id').execute();
    const closedId = await defaultStatusId(trx, 'closed');
    const closed = closedId === undefined ? undefined
      : await trx.selectFrom('statuses').select(['id', 'name', 'category']).where('id', '=', closedId).executeTakeFirst();
    if (!closed) throw new Invalid({ other: 'links.errors.noClosedStatus' }, 'links.errors.noClosedStatus');
    return mergeTickets(trx, actor, {
      mergedId: other.id, survivorId: survivor.id, ccs: people.map((p) => p.id), closed,
      current: { statusName: other.status_name, solved_at: other.solved_at, closed_at: other.closed_at }, note: note(survivor.id),
    });
  });
}

/**
 * "Split from here": the message (and only it: later messages may belong to either story, and the
 * agent can split each of them too) becomes a new ticket of the same requester, brand, type, group
 * and priority, linked to the original, in the desk's default open status. A ticket split from an
 * internal note (or from an internal ticket) is internal: a note never reaches a customer through a
 * split. A ticket's only message stays. Returns the new ticket's id.
 */
export async function splitTicketAt(db: Db, actor: Actor, ticketId: number, messageId: number | null): Promise<number> {
  if (!can(actor, 'ticket.split')) throw new Forbidden();
  return db.transaction().execute(async (trx) => {
    const ticket = await findVisibleTicket(trx, actor, ticketId);
    if (!ticket) throw new NotFound();
    const message = messageId === null ? undefined
      : await trx.selectFrom('messages').select(['id', 'kind']).where('id', '=', messageId).where('ticket_id', '=', ticketId).executeTakeFirst();
    if (!message) throw new Invalid({ messageId: 'links.errors.noMessage' }, 'links.errors.noMessage');
    const count = await trx.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).where('ticket_id', '=', ticketId).executeTakeFirstOrThrow();
    if (Number(count.n) < 2) throw new Invalid({ messageId: 'links.errors.onlyMessage' }, 'links.errors.onlyMessage');
    const statusId = await defaultStatusId(trx, 'open') ?? ticket.status_id;
    const status = await trx.selectFrom('statuses').select('category').where('id', '=', statusId).executeTakeFirstOrThrow();
    return splitTicket(trx, actor, {
      fromId: ticket.id, messageId: message.id,
      ticket: {
        subject: ticket.subject, typeId: ticket.type_id, brandId: ticket.brand_id, statusId, statusCategory: status.category,
        priority: ticket.priority, visibility: message.kind === 'note' || ticket.visibility === 'internal' ? 'internal' : 'public',
        requesterId: ticket.requester_id, organizationId: ticket.organization_id, groupId: ticket.group_id,
      },
    });
  });
}

/**
 * Link this ticket to another the agent can see: related, duplicate of, parent of or child of (kept
 * as the other's `parent` link). A pair holds one link of a kind, whichever way it was made.
 */
export async function addTicketLink(db: Db, actor: Actor, ticketId: number, form: LinkForm): Promise<void> {
  if (!can(actor, 'ticket.link')) throw new Forbidden();
  await db.transaction().execute(async (trx) => {
    if (!(await findVisibleTicket(trx, actor, ticketId))) throw new NotFound();
    if (form.other === ticketId) throw new Invalid({ other: 'links.errors.self' }, 'links.errors.self');
    if (!(await findVisibleTicket(trx, actor, form.other))) throw new Invalid({ other: 'links.errors.unknown' }, 'links.errors.unknown', { id: String(form.other) });
    const link: NewLink = form.kind === 'child' ? { ticketId: form.other, otherId: ticketId, kind: 'parent' } : { ticketId, otherId: form.other, kind: form.kind };
    const existing = await trx.selectFrom('ticket_links').select('id').where('kind', '=', link.kind)
      .where((eb) => eb.or([
        eb.and([eb('ticket_id', '=', link.ticketId), eb('other_id', '=', link.otherId)]),
        eb.and([eb('ticket_id', '=', link.otherId), eb('other_id', '=', link.ticketId)]),
      ])).executeTakeFirst();
    if (existing) throw new Invalid({ other: 'links.errors.exists' }, 'links.errors.exists', { id: String(form.other) });
    await linkTickets(trx, actor, link);
  });
}

/** Take a related, duplicate or parent link off (from either of its tickets). */
export async function removeTicketLink(db: Db, actor: Actor, ticketId: number, linkId: number | null): Promise<void> {
  if (!can(actor, 'ticket.link')) throw new Forbidden();
  await db.transaction().execute(async (trx) => {
    if (!(await findVisibleTicket(trx, actor, ticketId))) throw new NotFound();
    const link = linkId === null ? undefined : await trx.selectFrom('ticket_links').select(['id', 'ticket_id', 'other_id', 'kind'])
      .where('id', '=', linkId).where('kind', 'in', ['related', 'duplicate', 'parent'])
      .where((eb) => eb.or([eb('ticket_id', '=', ticketId), eb('other_id', '=', ticketId)])).executeTakeFirst();
    if (!link) throw new Invalid({ linkId: 'links.errors.noLink' }, 'links.errors.noLink');
    await unlinkTickets(trx, actor, { id: link.id, ticketId: link.ticket_id, otherId: link.other_id, kind: link.kind });
  });
}
