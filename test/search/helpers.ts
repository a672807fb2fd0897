import type { Test } from 'tap';
import type { Db } from '../../src/db/connect.js';
import type { MessageKind } from '../../src/db/schema.js';
import { toActor } from '../../src/users/actor.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeTickets, makeUser, PASSWORD, type TicketFields } from '../helpers/factories.js';

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

export async function ticket(db: Db, fields: TicketFields) {
  return (await makeTickets(db, 1, fields))[0]!;
}

export async function message(db: Db, ticketId: number, authorId: number | null, kind: MessageKind, text: string) {
  return (await db.insertInto('messages').values({ ticket_id: ticketId, author_id: authorId, kind, body_text: text,
    body_html: '', via: 'web', email_message_id: null, match_reason: null, created_at: '2026-01-02T00:00:00Z' })
    .returning('id').executeTakeFirstOrThrow()).id;
}

/** The ticket ids of a search results page, in the order shown. */
export function resultIds(html: string): number[] {
  return [...html.matchAll(/<a href="\/agent\/tickets\/(\d+)">#/g)].map((m) => Number(m[1]));
}

export async function search(client: Client, q: string, headers: Record<string, string> = {}) {
  return client.get(`/agent/search?q=${encodeURIComponent(q)}`, headers);
}
