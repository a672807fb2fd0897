import type { Db } from '../db/connect.js';
import { changeTicket } from '../kernel/index.js';
import type { Translate } from '../i18n.js';
import type { Actor } from '../users/actor.js';
import { closedReplyPolicy, customerTicket } from '../tickets/customer.js';
import type { CustomerReplyInput } from '../tickets/schemas.js';
import { checkSubmission, defaultTopicId, submissionsPerHour, writeSubmission } from '../submissions/submit.js';
import { customerTopics } from '../submissions/queries.js';

/**
 * A message to a closed ticket, when the operator chose to turn it into a follow-up ticket (setting
 * `portal.closed_reply` = followup): a new ticket that names the old one, and a note on the old one.
 * Returns the new ticket's id, or null when the policy is to refuse.
 */
export async function openFollowUp(db: Db, actor: Actor, originalId: number, reply: CustomerReplyInput, uploadIds: number[], t: Translate): Promise<number | null> {
  if ((await closedReplyPolicy(db)) !== 'followup') return null;
  const original = await customerTicket(db, actor, originalId);
  const topics = await customerTopics(db);
  const typeId = topics.some((t) => t.id === original.type_id) ? original.type_id : await defaultTopicId(db);
  // The reply was read by the same rules as a submission's message (schemas.ts); the subject is ours.
  const subject = t('portal.submit.followupSubject', { id: original.id, subject: original.subject }).slice(0, 200).trim();
  const form = await checkSubmission(db, actor, {
    value: { typeId, subject, message: reply.body, brandId: null, serviceId: null, fields: {} }, errors: {},
  });
  const perHour = await submissionsPerHour(db);
  // The new ticket and the note on the old one that names it: both or neither.
  return db.transaction().execute(async (trx) => {
    const id = await writeSubmission(trx, actor, form, uploadIds, perHour);
    await changeTicket(trx, actor, original.id, { history: [{ kind: 'followup', from: null, to: `#${id}` }] });
    return id;
  });
}
