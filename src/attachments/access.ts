import type { Db } from '../db/connect.js';
import type { MessageKind } from '../db/schema.js';
import { NotFound } from '../lib/errors.js';
import { findVisibleTicket } from '../tickets/queries.js';
import { isStaff, type Actor } from '../users/actor.js';
import { findAttachment } from './queries.js';

/** The kinds of message a customer reads; a note's files are staff-only, like the note. */
export const CUSTOMER_MESSAGE_KINDS: readonly MessageKind[] = ['reply', 'update', 'chat'];

/**
 * The attachment if this person may download it: a pending upload only by whoever uploaded it; a
 * bound one by those who may see its message (the ticket in their scope, and for customers only
 * public kinds). Everything else is NotFound, never Forbidden: guessing ids tells nobody anything.
 */
export async function findDownloadableAttachment(db: Db, actor: Actor, id: number) {
  const attachment = await findAttachment(db, id);
  if (!attachment) throw new NotFound();
  if (attachment.message_id === null) {
    if (attachment.uploader_id !== actor.id) throw new NotFound();
    return attachment;
  }
  if (!isStaff(actor) && !CUSTOMER_MESSAGE_KINDS.includes(attachment.message_kind!)) throw new NotFound();
  const ticket = await findVisibleTicket(db, actor, attachment.ticket_id!);
  if (!ticket) throw new NotFound();
  return attachment;
}
