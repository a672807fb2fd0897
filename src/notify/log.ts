import type { Generated } from 'kysely';
import type { Db } from '../db/connect.js';

/** Migration 0015: one row per ticket mail sent, per recipient. */
export interface MailLogTable {
  id: Generated<number>;
  ticket_id: number;
  /** The message the mail carries (an agent's reply, a customer's answer), when it carries one. */
  message_ref: number | null;
  kind: string;
  /** Lower-cased address. */
  recipient: string;
  message_id: string;
  /** 1 for mails nobody wrote by hand (confirmations, alerts): those count against the caps. */
  automatic: Generated<0 | 1>;
  created_at: Generated<string>;
}

declare module '../db/schema.js' {
  interface Database {
    mail_log: MailLogTable;
  }
}

/** How many ids a References header keeps: the first (the thread's root) and the latest ones. */
const MAX_REFERENCES = 12;

/**
 * The thread as one person has it in their mailbox: the mail that opened the ticket (when it came by
 * mail: the people it was copied to have it, so a CC's first mail from us threads under it), the
 * mails we sent them on this ticket and the mails they sent us (messages.email_message_id), oldest
 * first, as References to chain onto.
 */
export async function threadOf(db: Db, ticketId: number, recipient: { id: number | null; email: string }): Promise<string[]> {
  const opening = await db.selectFrom('messages').select(['id', 'email_message_id', 'created_at']).where('ticket_id', '=', ticketId)
    .orderBy('id').limit(1).executeTakeFirst();
  const root = opening?.email_message_id ? [{ message_id: opening.email_message_id, created_at: '' }] : [];
  const sent = await db.selectFrom('mail_log').select(['message_id', 'created_at'])
    .where('ticket_id', '=', ticketId).where('recipient', '=', recipient.email.toLowerCase()).orderBy('id').execute();
  const received = recipient.id === null ? [] : await db.selectFrom('messages')
    .select(['email_message_id as message_id', 'created_at'])
    .where('ticket_id', '=', ticketId).where('author_id', '=', recipient.id).where('email_message_id', 'is not', null).execute();
  const ids = [...root, ...sent, ...received]
    .sort((a, b) => a.created_at.localeCompare(b.created_at)) // stable: mails of one millisecond keep their id order
    .map((row) => bracketed(row.message_id!));
  const unique = [...new Set(ids)];
  return unique.length <= MAX_REFERENCES ? unique : [unique[0]!, ...unique.slice(-(MAX_REFERENCES - 1))];
}

function bracketed(id: string): string {
  const bare = id.trim().replace(/^<|>$/g, '');
  return `<${bare}>`;
}

/**
 * Automatic mails sent since `since` to one address, or on one ticket (for the caps): read along
 * (recipient | ticket_id, automatic, created_at), so only automatic mail of the window is counted,
 * however many replies the address or the ticket had.
 */
export function automaticMailCount(db: Db, column: 'recipient' | 'ticket_id', value: string | number, since: string) {
  return db.selectFrom('mail_log').select((eb) => eb.fn.countAll<number>().as('n'))
    .where(column, '=', value).where('automatic', '=', 1).where('created_at', '>', since);
}

/** Automatic mails sent in the last hour, to one address and on one ticket (for the caps). */
export async function recentAutomatic(db: Db, ticketId: number, recipient: string, since: string) {
  const count = async (column: 'recipient' | 'ticket_id', value: string | number) =>
    Number((await automaticMailCount(db, column, value, since).executeTakeFirstOrThrow()).n);
  return { toAddress: await count('recipient', recipient.toLowerCase()), onTicket: await count('ticket_id', ticketId) };
}

export async function logMail(db: Db, row: { ticketId: number; messageRef: number | null; kind: string; recipient: string; messageId: string; automatic: boolean; now: string }) {
  await db.insertInto('mail_log').values({
    ticket_id: row.ticketId, message_ref: row.messageRef, kind: row.kind, recipient: row.recipient.toLowerCase(),
    message_id: row.messageId, automatic: row.automatic ? 1 : 0, created_at: row.now,
  }).execute();
}

/** The ticket and message one of our Message-IDs was sent for (for the inbound side's matching). */
export function findSentMail(db: Db, messageId: string) {
  return db.selectFrom('mail_log').select(['ticket_id', 'message_ref', 'recipient', 'kind'])
    .where('message_id', '=', bracketed(messageId)).executeTakeFirst();
}
