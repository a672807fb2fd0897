import type { Test } from 'tap';
import type { Db } from '../../src/db/connect.js';
import type { MessageKind } from '../../src/db/schema.js';
import { segmentsOf } from '../../src/search/segments.js';
import { toActor } from '../../src/users/actor.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeMessage, makeTicket, makeUser, PASSWORD, type TicketFields } from '../helpers/factories.js';

/** A desk with an admin (logged in as `client`) and a customer who requests the tickets. */
export async function searchDesk(t: Test) {
  const desk = await buildTestDesk(t);
  const admin = await makeUser(desk.db, 'admin', { name: 'Ada Admin' });
  const customer = await makeUser(desk.db, 'customer', { name: 'Cora Customer' });
  const client = await loggedIn(desk.app, admin.email);
  const adminActor = toActor(await desk.db.selectFrom('users').selectAll().where('id', '=', admin.id).executeTakeFirstOrThrow());
  return { ...desk, admin, adminActor, customer, client };
}

export async function loggedIn(app: Client['app'], email: string) {
  const client = new Client(app);
  await client.login(email, PASSWORD);
  return client;
}

export const ticket = (db: Db, fields: TicketFields) => makeTicket(db, fields);

/** A message whose stored HTML is empty: search reads the text. */
export const message = (db: Db, ticketId: number, authorId: number | null, kind: MessageKind, text: string) =>
  makeMessage(db, ticketId, { authorId, kind, text, html: '', at: '2026-01-02T00:00:00Z' });

/** The ticket ids of a search results page, in the order shown. */
export function resultIds(html: string): number[] {
  return [...html.matchAll(/<a href="\/agent\/tickets\/(\d+)">#/g)].map((m) => Number(m[1]));
}

export async function search(client: Client, q: string, headers: Record<string, string> = {}) {
  return client.get(`/agent/search?q=${encodeURIComponent(q)}`, headers);
}

/** How many segments an FTS5 index has (src/search/segments.ts reads its structure record). */
export async function segments(db: Db, index: 'search_messages' | 'search_tickets' | 'help_search'): Promise<number> {
  return (await segmentsOf(db, index)).length;
}
