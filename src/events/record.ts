import type { Db } from '../db/connect.js';
import { sql } from 'kysely';
import { EVENTS_CHANNEL, isPostgres, notifyOnCommit } from '../db/dialect.js';
import { nowIso } from '../lib/time.js';

/**
 * The kinds of domain event the kernel writes. `ticket.changed` carries `{ changes: [{ kind, field,
 * from, to }], set }` (the history lines and the columns written), with `fields` `{ [fieldId]: value
 * or null }` and `ccs` `{ added, removed }` (user ids) when those changed; the others carry what a
 * consumer needs to find the rows (ids), never a copy of them:
 * - `tickets.assigned`: one bulk assignment, `{ assigneeId, ticketIds }`, beside each ticket's own `ticket.changed`;
 * - `ticket.deleted`: the ticket is gone for good (its id is the event's), `{ reason: 'deleted' | 'spam', requesterId }`;
 * - `person.merged`: two records of a person became one, `{ keptId, removedId, ticketIds }` (the
 *   tickets the removed record was on, which now name the kept one);
 * - `person.erased`: `{ userId, ticketIds }` (the tickets they were taken off as a CC);
 * - `ticket.merged` (on the merged ticket): `{ survivorId, messageIds }` (the messages that moved);
 * - `ticket.split` (on the original): `{ ticketId, messageId }` (the new ticket, the message it took);
 * - `ticket.linked`: `{ linkId, otherId, kind }`; `ticket.unlinked`: `{ otherId, kind }` (kernel/links.ts).
 */
export type EventKind = 'ticket.created' | 'ticket.changed' | 'message.added' | 'rating.added' | 'tickets.assigned'
  | 'ticket.deleted' | PersonEventKind | AccountEventKind | LinkEventKind
  // The recycle bin (issue 20): a ticket deleted or marked as spam waits there, and may come back.
  | 'ticket.binned' | 'ticket.restored'
  // Webhooks (issue 22): a subscription disabled after repeated failure, `{ subscriptionId, failures, lastError }`: the admins are mailed.
  | 'webhook.disabled';

/** Tickets merged, split or linked (kernel/links.ts). */
export type LinkEventKind = 'ticket.merged' | 'ticket.split' | 'ticket.linked' | 'ticket.unlinked';

/** A person's records changed under the tickets (ticket id null): merged into another, or erased. */
export type PersonEventKind = 'person.merged' | 'person.erased';

/**
 * Account mail is due (no ticket): `account.invited` and `account.reset` carry `{ userId }`, and
 * `account.paused` (sign-in paused after wrong passwords) `{ userId, minutes, failures }`,
 * `account.twoFactorReset` (an admin or the command took the person's two-factor away) `{ userId }`,
 * `account.newDevice` (signed in from a browser not used before) `{ userId, browser, os, ip }`.
 */
export type AccountEventKind = 'account.invited' | 'account.reset' | 'account.paused' | 'account.twoFactorReset' | 'account.newDevice';

export interface NewEvent {
  kind: EventKind;
  ticketId: number | null;
  actorId: number | null;
  payload?: Record<string, unknown>;
  at?: string;
}

/** A domain event as consumers receive it. */
export interface StreamEvent {
  id: number;
  kind: EventKind;
  ticketId: number | null;
  actorId: number | null;
  payload: Record<string, unknown>;
  createdAt: string;
}

/**
 * An event of an import from another help desk (`channel: 'import'` in its payload): old history
 * arriving, not news. The consumers that act on news (mail, triggers, SLA clocks, webhooks) pass it by.
 */
export function fromImport(event: StreamEvent): boolean {
  return event.payload.channel === 'import';
}

/** Events this process has written (or heard of from another instance) since it started: see `eventsNoted`. */
let noted = 0;

/**
 * A counter that moves whenever this process writes an event (at the insert, before its commit) or
 * hears of one written by another instance: a reader of the stream that got fewer events than it
 * asked for, and saw this counter stand still meanwhile, has reached the end for now.
 */
export function eventsNoted(): number {
  return noted;
}

/** Ids of events this process wrote on PostgreSQL whose notification has not come back yet (a few hundred at most). */
const ownIds = new Set<number>();
const OWN_IDS = 512;

/**
 * An event's notification arrived (PostgreSQL, `payload`: its id; null after the LISTEN connection
 * was lost, when any may have been missed): one another instance wrote moves the counter; this
 * process's own, already counted at the insert, do not.
 */
export function noteEventElsewhere(payload: string | null): void {
  if (payload !== null && ownIds.delete(Number(payload))) return;
  noted++;
}

/**
 * Append one event to the stream. Call it in the transaction of the change it describes (the
 * kernel does): the event commits with the change or not at all, so the stream never says more or
 * less than the database holds.
 */
export async function recordEvent(trx: Db, event: NewEvent): Promise<number> {
  // Never on its own: a transaction orders the event's commit among the others (see db/postgres.ts).
  if (!trx.isTransaction) return trx.transaction().execute((inner) => recordEvent(inner, event));
  noted++;
  const insert = trx.insertInto('events').values({
    kind: event.kind,
    ticket_id: event.ticketId,
    actor_id: event.actorId,
    payload: JSON.stringify(event.payload ?? {}),
    created_at: event.at ?? nowIso(),
  });
  if (isPostgres(trx)) {
    // The other instances' nudge (sent on commit, see notifyOnCommit) in the same statement: one
    // round trip less inside the writer lock.
    const row = await insert.returning(['id', sql<string>`pg_notify(${EVENTS_CHANNEL}, id::text)`.as('notified')]).executeTakeFirstOrThrow();
    // (A transaction rolled back sends none: the oldest ids make way.)
    if (ownIds.size >= OWN_IDS) ownIds.delete(ownIds.values().next().value!);
    ownIds.add(row.id);
    return row.id;
  }
  const row = await insert.returning('id').executeTakeFirstOrThrow();
  await notifyOnCommit(trx, EVENTS_CHANNEL, String(row.id));
  return row.id;
}

/** The same event for every ticket in status `statusId` (a workflow move), in ticket order, in one statement. */
export async function recordEventForAll(trx: Db, statusId: number, event: Omit<NewEvent, 'ticketId'>): Promise<void> {
  const payload = JSON.stringify(event.payload ?? {});
  const at = event.at ?? nowIso();
  noted++;
  await trx.insertInto('events')
    .columns(['kind', 'ticket_id', 'actor_id', 'payload', 'created_at'])
    .expression((eb) => eb.selectFrom('tickets').select((s) => [
      s.val(event.kind).as('kind'), 'tickets.id', s.val(event.actorId).as('actor_id'), s.val(payload).as('payload'), s.val(at).as('created_at'),
    ]).where('tickets.status_id', '=', statusId).orderBy('tickets.id'))
    .execute();
}
