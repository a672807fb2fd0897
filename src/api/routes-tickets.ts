import { Forbidden, NotFound } from '../lib/errors.js';
import { parseForm } from '../lib/form.js';
import { can } from '../policy/can.js';
import { openTicketForCustomer } from '../submissions/open-ticket.js';
import { openTicketSchema, readSubmitForm } from '../submissions/schemas.js';
import { defaultTopicId, submitTicket } from '../submissions/submit.js';
import { setTicketTags } from '../tags/tags.js';
import { updateTicket } from '../tickets/edit.js';
import { listTicketPage } from '../tickets/list.js';
import { decodeCursor } from '../tickets/cursor.js';
import { parseListQuery } from '../tickets/list-filter.js';
import { findVisibleTicket } from '../tickets/queries.js';
import { readEditForm } from '../tickets/schemas.js';
import type { Db } from '../db/connect.js';
import type { Actor } from '../users/actor.js';
import type { Define } from './define.js';
import { etagOf, presentTickets } from './present.js';
import { InvalidQuery, PreconditionFailed } from './problem.js';
import { IdParam, NewTicket, Ticket, TicketList, TicketPatch, TicketQuery } from './shapes.js';
import { editForm, openTicketForm, submissionForm, wantedTags } from './ticket-input.js';

/** What a customer's list may be narrowed by: the rest of the agent list's filters are staff matters. */
const CUSTOMER_PARAMS = ['status', 'sort', 'q', 'after'];
/** Words shorter than this are not searched (the portal's rule). */
const SEARCH_MIN = 2;

/** Tickets: the agent list's own query (filters, sorts, keyset cursor), one ticket with its ETag, new tickets, changes. */
export function ticketRoutes(define: Define, db: Db) {
  define({
    method: 'GET', path: '/v1/tickets', operationId: 'listTickets', tag: 'Tickets', access: 'read',
    summary: 'List tickets', description: 'The tickets the caller may see, 50 a page, with the agent list\'s filters and sorts (customers: `status`, `sort` and `q`). Follow `next` (also in the `Link` header) for the next page.',
    query: TicketQuery, problems: [400],
    response: { status: 200, description: 'A page of tickets.', schema: TicketList, headers: ['Link'] },
    handler: async ({ request, reply, actor, query }) => {
      const raw = request.query as Record<string, string | string[] | undefined>;
      if (!can(actor, 'desk.use')) {
        const staffOnly = Object.keys(raw).filter((key) => !CUSTOMER_PARAMS.includes(key));
        if (staffOnly.length > 0) throw new InvalidQuery(Object.fromEntries(staffOnly.map((key) => [key, 'api.errors.staffOnly'])), 'errors.badFilter');
      }
      const filter = parseListQuery(raw);
      const words = query.q?.trim() ?? '';
      const searched = words.length >= SEARCH_MIN ? { ...filter, search: words } : filter;
      const page = await listTicketPage(db, actor, searched, decodeCursor(filter.sort, query.after));
      const items = (await presentTickets(db, actor, page.rows.map((row) => row.id), { detail: false })).map((shown) => shown.ticket);
      const next = page.next ? `/api/v1/tickets?${nextParams(raw, page.next)}` : null;
      if (next) reply.header('Link', `<${next}>; rel="next"`);
      return { items, next };
    },
  });

  define({
    method: 'GET', path: '/v1/tickets/:id', operationId: 'getTicket', tag: 'Tickets', access: 'read',
    summary: 'Get a ticket', description: 'One ticket with its custom fields and CCs. The `ETag` names this version, for `If-Match` on PATCH.',
    params: IdParam, problems: [404],
    response: { status: 200, description: 'The ticket.', schema: Ticket, headers: ['ETag'] },
    handler: async ({ reply, actor, params }) => {
      const shown = await showTicket(db, actor, params.id);
      reply.header('ETag', shown.etag);
      return shown.ticket;
    },
  });

  define({
    method: 'POST', path: '/v1/tickets', operationId: 'createTicket', tag: 'Tickets', access: 'write', idempotent: true,
    summary: 'Open a ticket',
    description: 'Staff open a ticket for a requester (`requesterEmail`; an unknown address becomes an invited customer), as on the "New ticket" page. Customers submit one for themselves, as in the portal (a topic they may choose, its fields, files uploaded before).',
    body: NewTicket, problems: [404, 409, 422],
    response: { status: 201, description: 'The new ticket; `Location` is its address.', schema: Ticket, headers: ['Location', 'ETag'] },
    handler: async ({ reply, actor, body }) => {
      let id: number;
      if (can(actor, 'ticket.create')) {
        id = await openTicketForCustomer(db, actor, parseForm(openTicketSchema, openTicketForm(body)), 'api');
      } else if (can(actor, 'ticket.submit')) {
        const form = submissionForm(body, body.typeId ?? await defaultTopicId(db));
        id = await submitTicket(db, actor, readSubmitForm(form), body.uploadIds ?? [], 'api');
      } else {
        throw new Forbidden();
      }
      const shown = await showTicket(db, actor, id);
      reply.code(201).header('Location', `/api/v1/tickets/${id}`).header('ETag', shown.etag);
      return shown.ticket;
    },
  });

  define({
    method: 'PATCH', path: '/v1/tickets/:id', operationId: 'updateTicket', tag: 'Tickets', access: 'write',
    summary: 'Change a ticket',
    description: 'Staff change what is given (subject, status, assignee, group, priority, type, requester, CCs, custom fields, tags) by the rules of the "Updating Ticket" form. Send `If-Match` with the ETag you read: if the ticket changed since, the answer is 412 and nothing is written.',
    params: IdParam, body: TicketPatch, problems: [404, 412, 422],
    response: { status: 200, description: 'The ticket as it is now.', schema: Ticket, headers: ['ETag'] },
    handler: async ({ request, reply, actor, params, body }) => {
      if (!can(actor, 'ticket.edit')) throw new Forbidden();
      const ticket = await findVisibleTicket(db, actor, params.id);
      if (!ticket) throw new NotFound();
      const ifMatch = request.headers['if-match'];
      if (typeof ifMatch === 'string' && ifMatch.trim() !== '*' && !ifMatch.split(',').map((tag) => tag.trim().replace(/^W\//, '')).includes(etagOf(ticket))) {
        throw new PreconditionFailed();
      }
      const { tags, ...properties } = body;
      const names = tags === undefined ? undefined : wantedTags(tags);
      if (Object.keys(properties).length > 0) {
        await updateTicket(db, actor, ticket.id, readEditForm(await editForm(db, ticket, properties), actor.id), request.t);
      }
      if (names !== undefined) await setTicketTags(db, actor, ticket.id, names);
      const shown = await showTicket(db, actor, ticket.id);
      reply.header('ETag', shown.etag);
      return shown.ticket;
    },
  });
}

/** One ticket as the actor may see it, or NotFound (out of scope and missing look the same). */
export async function showTicket(db: Db, actor: Actor, id: number) {
  const [shown] = await presentTickets(db, actor, [id], { detail: true });
  if (!shown) throw new NotFound();
  return shown;
}

/** The same query with the next page's cursor. */
function nextParams(raw: Record<string, string | string[] | undefined>, after: string): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(raw)) {
    if (name === 'after' || value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) params.append(name, one);
  }
  params.set('after', after);
  return params.toString();
}
