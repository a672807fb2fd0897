import type { Db } from '../db/connect.js';
import { nowIso } from '../lib/time.js';
import type { MailContext } from '../mail/context.js';
import type { Actor } from '../users/actor.js';
import { closedReplyPolicy, customerTicket } from './conversation.js';
import { defaultTopicId, submitTicket, type SubmitInput } from './submit.js';
import { customerTopics } from './submit-queries.js';

/**
 * A message to a closed ticket, when the operator chose to turn it into a follow-up ticket (setting
 * `portal.closed_reply` = followup): a new ticket that names the old one, and a note on the old one.
 * Returns the new ticket's id, or null when the policy is to refuse.
 */
export async function openFollowUp(db: Db, actor: Actor, originalId: number, form: SubmitInput, uploadIds: number[], mail: MailContext): Promise<number | null> {
  if ((await closedReplyPolicy(db)) !== 'followup') return null;
  const original = await customerTicket(db, actor, originalId);
  const topics = await customerTopics(db);
  const typeId = topics.some((t) => t.id === original.type_id) ? original.type_id : await defaultTopicId(db);
  const t = mail.translator(actor.locale);
  const id = await submitTicket(db, actor, {
    typeId: String(typeId), subject: t('portal.submit.followupSubject', { id: original.id, subject: original.subject }).slice(0, 200),
    message: form.body,
  }, uploadIds, mail);
  await db.insertInto('ticket_events').values({ ticket_id: original.id, actor_id: actor.id, kind: 'followup', from_value: null, to_value: `#${id}`, created_at: nowIso() }).execute();
  return id;
}
