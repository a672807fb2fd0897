import type { Config } from '../config.js';
import type { Db } from '../db/connect.js';
import type { User } from '../db/schema.js';
import { ticketFromMessageId, ticketFromReplyAddress } from '../mail/threading.js';
import { sideOf } from '../policy/can.js';
import { survivorOf } from '../links/queries.js';
import { findVisibleTicket } from '../tickets/queries.js';
import { toActor } from '../users/actor.js';
import type { InboundMail } from './parse.js';

/** Why a message landed where it did; stored with it and shown to agents. */
export type MatchReason = 'reply-token' | 'in-reply-to' | 'references' | 'subject-tag' | 'new-ticket';

export interface Match {
  ticketId: number;
  reason: MatchReason;
}

/**
 * The ticket a mail answers, trying in order: the reply address's token (bound to ticket and
 * sender, so it cannot be forged or forwarded), our Message-IDs in In-Reply-To then References, and
 * the `[#123]` subject tag. Message-IDs and tags are easy to write by hand, so they count only when
 * the sender already takes part in the ticket (requester, CC or staff); a stranger gets a new ticket.
 * A ticket merged into another (issue 20) answers for the one it was merged into: the mail lands there.
 */
export async function matchTicket(db: Db, config: Pick<Config, 'secretKey' | 'mailDomain'>, mail: InboundMail, sender: User | undefined): Promise<Match | null> {
  const from = mail.from?.address ?? '';
  const threading = { secretKey: config.secretKey, mailDomain: config.mailDomain, localPart: '' };
  for (const recipient of [...mail.recipients, ...[...mail.to, ...mail.cc].map((p) => p.address)]) {
    const id = ticketFromReplyAddress(threading, recipient, from);
    if (id !== null && await ticketExists(db, id)) return { ticketId: await survivorOf(db, id), reason: 'reply-token' };
  }
  if (!sender) return null;
  const byIds = async (messageIds: string[], reason: MatchReason): Promise<Match | null> => {
    for (const messageId of messageIds) {
      const found = ticketFromMessageId(config, messageId) ?? await ticketOfInboundMessage(db, messageId);
      const id = found === null ? null : await survivorOf(db, found);
      if (id !== null && await takesPart(db, id, sender)) return { ticketId: id, reason };
    }
    return null;
  };
  const found = await byIds(mail.inReplyTo, 'in-reply-to') ?? await byIds([...mail.references].reverse(), 'references');
  if (found) return found;
  for (const tag of mail.subject.matchAll(/\[#(\d{1,12})\]/g)) {
    const id = await survivorOf(db, Number(tag[1]));
    if (await takesPart(db, id, sender)) return { ticketId: id, reason: 'subject-tag' };
  }
  return null;
}

async function ticketExists(db: Db, id: number): Promise<boolean> {
  // A ticket in the recycle bin takes no mail: a reply to it is matched as if it were gone.
  return (await db.selectFrom('tickets').select('id').where('id', '=', id).where('binned_at', 'is', null).executeTakeFirst()) !== undefined;
}

/** A mail someone sent us earlier (a reply-all to it belongs on the same ticket). */
async function ticketOfInboundMessage(db: Db, messageId: string): Promise<number | null> {
  const row = await db.selectFrom('messages').select('ticket_id').where('email_message_id', '=', messageId).executeTakeFirst();
  return row?.ticket_id ?? null;
}

/** The requester, a CC, or staff who can see the ticket. */
export async function takesPart(db: Db, ticketId: number, user: User): Promise<boolean> {
  if (user.state === 'disabled') return false;
  if (sideOf(user) === 'staff') return (await findVisibleTicket(db, toActor(user), ticketId)) !== undefined;
  const ticket = await db.selectFrom('tickets').select('requester_id').where('id', '=', ticketId).where('binned_at', 'is', null).executeTakeFirst();
  if (!ticket) return false;
  if (ticket.requester_id === user.id) return true;
  const cc = await db.selectFrom('ticket_ccs').select('user_id').where('ticket_id', '=', ticketId).where('user_id', '=', user.id).executeTakeFirst();
  return cc !== undefined;
}
