import { sql, type SqlBool } from 'kysely';
import { ChangeCache, untilConfigChanged } from '../db/change-cache.js';
import { likeIgnoringCase } from '../db/dialect.js';
import type { Db } from '../db/connect.js';
import type { MessageKind, StatusCategory } from '../db/schema.js';
import { rolesOn } from '../policy/can.js';
import type { Actor } from '../users/actor.js';
import { agentScope, everyTicket, staffScopeOf, visibleTickets } from './scope.js';
import { reusable, reusableFirst } from '../db/reusable.js';
import { compareNullsFirst, compareText } from '../lib/order.js';

/** A ticket as its details page shows it, or undefined when it does not exist or is out of scope. */
export async function findVisibleTicket(db: Db, actor: Actor, id: number) {
  // Staff open tickets all day: their two shapes are compiled once (db/reusable.ts).
  const staff = staffScopeOf(actor);
  if (staff === 'everything') return staffTicket(db, id);
  if (staff === 'agent') return agentTicket(db, id, actor.id);
  return ticketWithNames(visibleTickets(db, actor), id).executeTakeFirst();
}

/** Tickets in the actor's scope with what their details page shows (the API's list reads its page's rows so). */
export function visibleTicketDetails(db: Db, actor: Actor) {
  return withDetails(visibleTickets(db, actor));
}

function ticketWithNames(scope: ReturnType<typeof visibleTickets>, id: number) {
  return withDetails(scope).where('tickets.id', '=', id);
}

function withDetails(scope: ReturnType<typeof visibleTickets>) {
  return scope
    .innerJoin('users as requester', 'requester.id', 'tickets.requester_id')
    .innerJoin('statuses', 'statuses.id', 'tickets.status_id')
    .innerJoin('ticket_types', 'ticket_types.id', 'tickets.type_id')
    .leftJoin('users as assignee', 'assignee.id', 'tickets.assignee_id')
    .leftJoin('groups', 'groups.id', 'tickets.group_id')
    .leftJoin('organizations', 'organizations.id', 'tickets.organization_id')
    .innerJoin('brands', 'brands.id', 'tickets.brand_id')
    .selectAll('tickets')
    .select([
      'requester.name as requester_name', 'requester.email as requester_email', 'organizations.name as organization_name',
      'brands.name as brand_name', 'ticket_types.customer_facing',
      'statuses.name as status_name', 'statuses.customer_label as status_label', 'statuses.category as status_category',
      'ticket_types.name as type_name', 'assignee.name as assignee_name', 'groups.name as group_name',
    ]);
}

const staffTicket = reusableFirst((db, id: number) => ticketWithNames(everyTicket(db), id));
const agentTicket = reusableFirst((db, id: number, agentId: number) => ticketWithNames(agentScope(db, agentId), id));

/** Messages of the given kinds, oldest first. Callers for customers must never ask for `note`. */
export async function listMessages(db: Db, ticketId: number, kinds: readonly MessageKind[]) {
  // A handful of kind lists exist (the tabs, the portal): each compiled once (db/reusable.ts).
  const key = kinds.join(',');
  let run = messagesOfKinds.get(key);
  if (!run) messagesOfKinds.set(key, run = reusable((d, id: number) => messagesQuery(d, id, [...kinds])));
  // Sorted here, not by `order by`: so PostgreSQL keeps the statement prepared (lib/order.ts).
  return (await run(db, ticketId)).sort((a, b) => compareText(a.created_at, b.created_at) || a.id - b.id);
}

function messagesQuery(db: Db, ticketId: number, kinds: MessageKind[]) {
  return db.selectFrom('messages').leftJoin('users', 'users.id', 'messages.author_id')
    .select(['messages.id', 'messages.kind', 'messages.body_html', 'messages.created_at', 'users.name as author_name', 'users.role as author_role',
      'messages.via', 'messages.match_reason', 'messages.quoted_text', 'messages.body_text', 'messages.author_id'])
    .where('messages.ticket_id', '=', ticketId).where('messages.kind', 'in', kinds);
}

const messagesOfKinds = new Map<string, (db: Db, ticketId: number) => Promise<Awaited<ReturnType<ReturnType<typeof messagesQuery>['execute']>>>>();

/** A category's default status among those in use: the one marked default, else the first. */
const defaultStatusOf = (db: Db, category: StatusCategory) => db.selectFrom('statuses')
  .where('category', '=', category).where('retired_at', 'is', null)
  .orderBy('is_default_for_category', 'desc').orderBy('position').limit(1);

export const defaultStatusId = untilConfigChanged(async (db: Db, category: StatusCategory): Promise<number | undefined> =>
  (await defaultStatusOf(db, category).select('id').executeTakeFirst())?.id);

/**
 * The status a new ticket starts in: its type's (`initialId`), else the desk's default "new" status;
 * one query where the type names one. Read in the creating transaction, after the writer lock: a
 * status retired meanwhile (its tickets and types moved on, statuses/delete.ts) is none to start in,
 * and the default one is taken instead.
 */
export async function startingStatus(trx: Db, initialId: number | null): Promise<{ id: number; name: string; category: StatusCategory } | undefined> {
  const columns = ['id', 'name', 'category'] as const;
  const initial = initialId === null ? undefined
    : await trx.selectFrom('statuses').select(columns).where('id', '=', initialId).where('retired_at', 'is', null).executeTakeFirst();
  return initial ?? defaultStatusOf(trx, 'new').select(columns).executeTakeFirst();
}

export function listTicketTypes(db: Db) {
  return db.selectFrom('ticket_types').select(['id', 'name', 'default_group_id', 'default_priority', 'initial_status_id'])
    .where('retired_at', 'is', null).orderBy('position').orderBy('name').execute();
}

type FilterChoices = Awaited<ReturnType<typeof readFilterChoices>>;
const choicesCache = new ChangeCache<FilterChoices>(1);

/**
 * Everything the list's filter form offers, each from a small table: read on every full list page,
 * so remembered until the database changes (the 500 organisations alone took ~1.5–2 ms at 1M tickets).
 * Shared between requests: callers must not modify what they get.
 */
export function listFilterChoices(db: Db): Promise<FilterChoices> {
  return choicesCache.get(db, 'choices', () => readFilterChoices(db));
}

async function readFilterChoices(db: Db) {
  const [statuses, agents, groups, types, brands, organizations] = await Promise.all([
    db.selectFrom('statuses').select(['id', 'name', 'category']).where('retired_at', 'is', null).orderBy('position').execute(),
    db.selectFrom('users').select(['id', 'name']).where('role', 'in', rolesOn('staff'))
      .where('state', '=', 'active').orderBy('name').execute(),
    db.selectFrom('groups').select(['id', 'name']).orderBy('name').execute(),
    db.selectFrom('ticket_types').select(['id', 'name']).orderBy('position').orderBy('name').execute(),
    db.selectFrom('brands').select(['id', 'name']).orderBy('name').execute(),
    db.selectFrom('organizations').select(['id', 'name']).orderBy('name').limit(ORG_SELECT_MAX + 1).execute(),
  ]);
  // Beyond ORG_SELECT_MAX the filter is a name field (with suggestions): 500 options were 25 KB of a
  // 65 KB page and ~1.2 ms of its render at 1,600 organisations.
  const orgByName = organizations.length > ORG_SELECT_MAX;
  return { statuses, agents, groups, types, brands, organizations: orgByName ? [] : organizations, orgByName };
}

/** Up to this many organisations the list filter offers them in a select; beyond, a name field. */
export const ORG_SELECT_MAX = 100;

/** The organisation of this exact name, ignoring case (the unique `collate nocase` index answers it). */
export function organizationByName(db: Db, name: string) {
  return db.selectFrom('organizations').select(['id', 'name']).where(sql<SqlBool>`name = ${name} collate nocase`).executeTakeFirst();
}

/** Suggestions for the organisation name field: names starting with what was typed (index range), first `limit`. */
export function organizationsStartingWith(db: Db, typed: string, limit = 20) {
  const pattern = `${typed.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return db.selectFrom('organizations').select(['id', 'name']).where(likeIgnoringCase(db, sql`name`, pattern))
    .orderBy(sql`name collate nocase`).limit(limit).execute();
}

/** How stale a stored "last opened" time may be before opening the ticket again rewrites it. */
export const SEEN_RESOLUTION_MS = 60_000;

/**
 * This person has now seen the ticket as it is: it is no longer bold in their lists. The row is
 * rewritten only when that changes what anyone sees: the ticket has had activity since the stored
 * time (it shows as unread), or the stored time is more than a minute old (the fleet tab's "last
 * opened"). Opening the same page again and again then writes nothing, so it does not empty every
 * cache that waits for the database to change (db/change-cache.ts).
 */
export async function markSeen(db: Db, userId: number, ticketId: number, at: string): Promise<void> {
  const stale = new Date(Date.parse(at) - SEEN_RESOLUTION_MS).toISOString();
  // Read first: a write statement takes the write lock (PostgreSQL: the writer lock) even when its
  // condition then changes no row, and the page is opened far more often than it changes.
  const stored = await seenState(db, ticketId, userId);
  if (stored && stored.seen_at >= stale && (stored.last_activity_at === null || stored.seen_at >= stored.last_activity_at)) return;
  await seen(db, ticketId, userId, at);
}

const seenState = reusableFirst((db, ticketId: number, userId: number) => db.selectFrom('ticket_seen')
  .innerJoin('tickets', 'tickets.id', 'ticket_seen.ticket_id')
  .select(['ticket_seen.seen_at', 'tickets.last_activity_at'])
  .where('ticket_seen.ticket_id', '=', ticketId).where('ticket_seen.user_id', '=', userId));

const seen = reusable((db, ticketId: number, userId: number, at: string) => db.insertInto('ticket_seen')
  .values({ ticket_id: ticketId, user_id: userId, seen_at: at })
  .onConflict((oc) => oc.columns(['user_id', 'ticket_id']).doUpdateSet({ seen_at: at })));

/** Every change to the ticket, oldest first: who, when, from → to. */
export async function listEvents(db: Db, ticketId: number) {
  const events = await db.selectFrom('ticket_events').leftJoin('users', 'users.id', 'ticket_events.actor_id')
    .select(['ticket_events.id', 'ticket_events.kind', 'ticket_events.field', 'ticket_events.from_value', 'ticket_events.to_value',
      'ticket_events.created_at', 'users.name as actor_name'])
    .where('ticket_events.ticket_id', '=', ticketId).execute();
  return events.sort((a, b) => a.id - b.id); // here, not by `order by`: see lib/order.ts
}

const workflow = untilConfigChanged((db: Db, _: '') => db.selectFrom('statuses').select(['id', 'name', 'category', 'customer_label'])
  .where('retired_at', 'is', null).orderBy('position').execute(), 1);
export const listWorkflow = (db: Db) => workflow(db, '');

/**
 * The ticket's custom field values with their labels, in the type's order (retired fields kept: old
 * data stays visible, before the type's own fields, by label). Sorted here, not by `order by`: so
 * PostgreSQL keeps the statement prepared, and both databases give one order (lib/order.ts).
 */
export async function listFieldValues(db: Db, ticketId: number, options: { customerVisibleOnly: boolean }) {
  const rows = await (options.customerVisibleOnly ? customerFieldValues : allFieldValues)(db, ticketId);
  return rows.sort((a, b) => compareNullsFirst(a.position, b.position) || compareText(a.label, b.label) || compareText(a.key, b.key))
    .map(({ position: _, ...value }) => value);
}

function fieldValuesQuery(db: Db, ticketId: number, customerVisibleOnly: boolean) {
  let query = db.selectFrom('ticket_field_values as v').innerJoin('fields', 'fields.id', 'v.field_id')
    .innerJoin('tickets', 'tickets.id', 'v.ticket_id')
    .leftJoin('ticket_type_fields as ttf', (join) => join.onRef('ttf.field_id', '=', 'fields.id').onRef('ttf.type_id', '=', 'tickets.type_id'))
    .select(['fields.key', 'fields.label', 'fields.kind', 'fields.options', 'v.value', 'ttf.position'])
    .where('v.ticket_id', '=', ticketId);
  if (customerVisibleOnly) query = query.where('fields.customer_visible', '=', 1);
  return query;
}

// Every ticket page reads them: compiled once each (db/reusable.ts).
const allFieldValues = reusable((db, ticketId: number) => fieldValuesQuery(db, ticketId, false));
const customerFieldValues = reusable((db, ticketId: number) => fieldValuesQuery(db, ticketId, true));

/** The ticket's CCs by name (sorted here, not by `order by`: see lib/order.ts; the id breaks a tie). */
export async function listCcs(db: Db, ticketId: number) {
  return (await ccRows(db, ticketId)).sort((a, b) => compareText(a.name, b.name) || a.id - b.id);
}

const ccRows = reusable((db, ticketId: number) => db.selectFrom('ticket_ccs').innerJoin('users', 'users.id', 'ticket_ccs.user_id')
  .select(['users.id', 'users.name', 'users.email']).where('ticket_ccs.ticket_id', '=', ticketId));
