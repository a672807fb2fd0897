import type { Test } from 'tap';
import type { Db } from '../../src/db/connect.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeTickets, makeUser, PASSWORD } from '../helpers/factories.js';
import { TestSmtpServer } from '../helpers/smtp.js';

/** The Simple workflow's statuses, as the first start seeds them. */
export const STATUS = { new: 1, open: 2, pending: 3, solved: 4, closed: 5 };

/**
 * A desk with real SMTP: the seeded Support group (id 1) holding two agents, a supervisor, a
 * customer, and an accepted offer moving a ticket to Pending ("In progress").
 */
export async function fleetDesk(t: Test) {
  const smtp = new TestSmtpServer();
  await smtp.start(0);
  t.teardown(() => smtp.stop());
  const desk = await buildTestDesk(t, { smtpUrl: `smtp://127.0.0.1:${smtp.port}` });
  const { db } = desk;
  const supervisor = await makeUser(db, 'supervisor', { name: 'Sam Supervisor' });
  const alex = await makeUser(db, 'agent', { name: 'Alex Agent', email: 'alex@desk.test' });
  const bea = await makeUser(db, 'agent', { name: 'Bea Agent', email: 'bea@desk.test' });
  const customer = await makeUser(db, 'customer', { name: 'Cora Customer', email: 'cora@example.test' });
  await db.insertInto('group_members').values([{ group_id: 1, user_id: alex.id }, { group_id: 1, user_id: bea.id }]).execute();
  await db.insertInto('settings').values({ key: 'offer_accepted_status_id', value: String(STATUS.pending) }).execute();
  const [ticketId] = await makeTickets(db, 1, { requesterId: customer.id, subject: 'Boiler <b>leaks</b>', groupId: 1 });
  return { ...desk, smtp, supervisor, alex, bea, customer, ticketId: ticketId! };
}

export async function loggedIn(desk: { app: Client['app'] }, email: string, page = '/agent/tickets'): Promise<Client> {
  const client = new Client(desk.app);
  await client.login(email, PASSWORD);
  await client.get(page);
  return client;
}

export function member(db: Db, ticketId: number, userId: number) {
  return db.selectFrom('ticket_members').selectAll().where('ticket_id', '=', ticketId).where('user_id', '=', userId).executeTakeFirst();
}

export async function eventKinds(db: Db, ticketId: number): Promise<string[]> {
  return (await db.selectFrom('ticket_events').select('kind').where('ticket_id', '=', ticketId).orderBy('id').execute()).map((e) => e.kind);
}

export function ticketRow(db: Db, id: number) {
  return db.selectFrom('tickets').select(['status_id', 'assignee_id']).where('id', '=', id).executeTakeFirstOrThrow();
}
