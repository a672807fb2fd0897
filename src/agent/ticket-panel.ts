import { untilConfigChanged } from '../db/change-cache.js';
import type { Db } from '../db/connect.js';
import { keyed } from '../db/keyed.js';
import { displayValue, fieldName, fieldsOfType } from '../fields/fields.js';
import type { Actor } from '../users/actor.js';
import { listCcs, listFieldValues, listFilterChoices, type findVisibleTicket } from '../tickets/queries.js';
import { agentScope, everyTicket, staffScopeOf, visibleTickets } from '../tickets/scope.js';
import { reusable } from '../db/reusable.js';
import { tagsOfTicket, tagSuggestions } from '../tags/queries.js';

type VisibleTicket = NonNullable<Awaited<ReturnType<typeof findVisibleTicket>>>;

// Retired types are offered only to the tickets that already have them (as in "Updating Ticket").
const typeChoices = untilConfigChanged((db: Db, typeId: number) => db.selectFrom('ticket_types').select(['id', 'name'])
  .where((eb) => eb.or([eb('retired_at', 'is', null), eb('id', '=', typeId)])).orderBy('position').orderBy('name').execute());

/** How many of the requester's other tickets the panel lists (the newest by activity). */
export const RECENT_TICKETS = 5;

/** The requester's other tickets this person may see, newest by activity first. */
function recentOfRequester(db: Db, actor: Actor, ticket: VisibleTicket) {
  const staff = staffScopeOf(actor);
  if (staff === 'everything') return recentForStaff(db, ticket.requester_id, ticket.id);
  if (staff === 'agent') return recentForAgent(db, ticket.requester_id, ticket.id, actor.id);
  return recentIn(visibleTickets(db, actor), ticket.requester_id, ticket.id).execute();
}

// Keyed (db/keyed.ts): walked along (requester_id, last_activity_at, id) from the requester, for any
// requester (one with 26,000 tickets too), so PostgreSQL may keep it prepared with one plan.
function recentIn(scope: ReturnType<typeof visibleTickets>, requesterId: number, ticketId: number) {
  return keyed(scope.innerJoin('statuses', 'statuses.id', 'tickets.status_id')
    .select(['tickets.id', 'tickets.subject', 'tickets.last_activity_at', 'statuses.name as status_name', 'statuses.category as status_category'])
    .where('tickets.requester_id', '=', requesterId).where('tickets.id', '!=', ticketId)
    .orderBy('tickets.last_activity_at', 'desc').orderBy('tickets.id', 'desc').limit(RECENT_TICKETS));
}

// Compiled once (db/reusable.ts): every ticket page of the day asks.
const recentForStaff = reusable((db, requesterId: number, ticketId: number) => recentIn(everyTicket(db), requesterId, ticketId));
const recentForAgent = reusable((db, requesterId: number, ticketId: number, agentId: number) => recentIn(agentScope(db, agentId), requesterId, ticketId));

/**
 * The side panel of the agent's ticket page (issue 19): the key properties, each its own small form
 * (POST /agent/tickets/:id/properties), the type's own fields with their stored values, what is only
 * read (brand, channel, CCs, fields of other types), and the requester with their other recent
 * tickets, as far as this agent may see them (the scope, like every list).
 */
export async function ticketPanel(db: Db, actor: Actor, ticket: VisibleTicket, yesNo: [string, string]) {
  const [choices, types, defs, stored, ccs, recent, tags, suggestions] = await Promise.all([
    listFilterChoices(db),
    typeChoices(db, ticket.type_id),
    fieldsOfType(db, ticket.type_id),
    listFieldValues(db, ticket.id, { customerVisibleOnly: false }),
    listCcs(db, ticket.id),
    recentOfRequester(db, actor, ticket),
    tagsOfTicket(db, ticket.id),
    tagSuggestions(db),
  ]);
  const values = new Map(stored.map((v) => [v.key, v.value]));
  const fields = defs.map((field) => ({ ...field, name: fieldName(field), value: values.get(field.key) ?? '' }));
  const editable = new Set(defs.map((f) => f.key));
  // Values of fields the type no longer has (retired, or of a former type): old data stays visible.
  const otherValues = stored.filter((v) => !editable.has(v.key)).map((v) => ({ label: v.label, value: displayValue(v, v.value, yesNo) }));
  return { agents: choices.agents, groups: choices.groups, types, fields, otherValues, ccs, recent, tags, tagSuggestions: suggestions.filter((name) => !tags.includes(name)) };
}

export type TicketPanel = Awaited<ReturnType<typeof ticketPanel>>;
