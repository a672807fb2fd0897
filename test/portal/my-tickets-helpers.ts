import type { Test } from 'tap';
import type { Db } from '../../src/db/connect.js';
import type { MessageKind } from '../../src/db/schema.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeCcs, makeMessage, makeTicket, makeUser, PASSWORD, ticketIdsIn, type TicketFields } from '../helpers/factories.js';

/**
 * Statuses 1–5 are the Simple workflow (New "Received", Open, Pending "In progress" (open), Solved,
 * Closed). The desk adds one status of each other category, with internal names that differ from
 * their customer labels.
 */
export async function addStatuses(db: Db) {
  const add = async (name: string, label: string, category: 'pending' | 'on_hold' | 'cancelled', position: number) =>
    (await db.insertInto('statuses').values({ name, customer_label: label, category, position, retired_at: null })
      .returning('id').executeTakeFirstOrThrow()).id;
  return {
    pending: await add('Waiting on Customer (Fix Validation)', 'Awaiting your reply', 'pending', 10),
    onHold: await add('Technical Team (Investigating)', 'Being looked into', 'on_hold', 11),
    cancelled: await add('Cancelled by staff', 'Withdrawn', 'cancelled', 12),
  };
}

export async function makeOrg(db: Db, name: string, shares: boolean) {
  return (await db.insertInto('organizations').values({ name, members_see_all_tickets: shares ? 1 : 0, created_at: '2026-01-01T00:00:00Z' })
    .returning('id').executeTakeFirstOrThrow()).id;
}

export async function makeCustomer(db: Db, name: string, organizationId: number | null = null, manager = false) {
  const user = await makeUser(db, 'customer', { name, organizationId });
  if (manager) await db.updateTable('users').set({ is_org_manager: 1 }).where('id', '=', user.id).execute();
  return user;
}

export const ticket = (db: Db, fields: TicketFields) => makeTicket(db, fields);

export const message = (db: Db, ticketId: number, authorId: number | null, kind: MessageKind, text: string) =>
  makeMessage(db, ticketId, { authorId, kind, text, at: '2026-01-02T00:00:00Z' });

export const cc = (db: Db, ticketId: number, userId: number) => makeCcs(db, ticketId, userId);

export async function desk(t: Test) {
  const d = await buildTestDesk(t);
  return { ...d, statuses: await addStatuses(d.db) };
}

export async function loggedIn(app: Client['app'], email: string) {
  const client = new Client(app);
  await client.login(email, PASSWORD);
  return client;
}

/** The number a tab shows, e.g. "Opened (3)". */
export function tabCount(html: string, label: 'Opened' | 'Resolved'): number {
  const match = new RegExp(`${label} <span class="count">\\((\\d+\\+?)\\)`).exec(html);
  if (!match) throw new Error(`no ${label} tab`);
  return Number.parseInt(match[1]!, 10);
}

/** The ticket ids on the pages after the one in `body`, following "Older tickets" (at most `hops` pages), each answered 200. */
export async function laterPageIds(t: Test, client: Client, body: string, hops: number): Promise<number[]> {
  const ids: number[] = [];
  for (let hop = 0; hop < hops; hop++) {
    const next = /<p class="pager"><a href="([^"]+)"/.exec(body)?.[1]?.replaceAll('&amp;', '&');
    if (!next) break;
    const page = await client.get(next);
    t.equal(page.statusCode, 200, next);
    ids.push(...ticketIdsIn(page.body));
    body = page.body;
  }
  return ids;
}
