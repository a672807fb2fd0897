import type { Db } from '../db/connect.js';
import { NotFound } from '../lib/errors.js';
import { findVisibleTicket } from '../tickets/queries.js';
import { can } from '../policy/can.js';
import type { Actor } from '../users/actor.js';
import { findAttachment } from './queries.js';

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
  if (!can(actor, 'message.see', { kind: attachment.message_kind! })) throw new NotFound();
  const ticket = await findVisibleTicket(db, actor, attachment.ticket_id!);
  if (!ticket) throw new NotFound();
  return attachment;
}
