import type { Trx } from '../db/connect.js';
import { composeMail } from '../mail/compose.js';
import type { MailContext } from '../mail/context.js';
import { queueMail } from '../mail/outbox.js';
import { notifyAssigned } from './notify.js';
import { staffWhoWant } from './queries.js';

/**
 * A bulk assignment mails each assignee once: the usual ticket mail for a single ticket, one
 * summary listing every ticket otherwise (fifty tickets are one mail, not fifty). Nothing for
 * tickets people assign to themselves, or to someone who switched these mails off.
 */
export async function notifyAssignedTickets(trx: Trx, mail: MailContext, actor: { id: number | null; name: string }, assigneeId: number, ticketIds: number[]): Promise<void> {
  if (assigneeId === actor.id || ticketIds.length === 0) return;
  if (ticketIds.length === 1) return notifyAssigned(trx, mail, actor, ticketIds[0]!, assigneeId);
  const [assignee] = await staffWhoWant(trx, 'assigned', { userId: assigneeId });
  if (!assignee) return;
  const tickets = await trx.selectFrom('tickets').innerJoin('users as requester', 'requester.id', 'tickets.requester_id')
    .select(['tickets.id', 'tickets.subject', 'tickets.brand_id', 'requester.name as requester_name'])
    .where('tickets.id', 'in', ticketIds).orderBy('tickets.id').execute();
  if (tickets.length === 0) return; // all deleted before the worker got here
  const composed = await composeMail(trx, mail, {
    to: assignee, brandId: tickets[0]?.brand_id ?? null, template: 'emails/assigned-many',
    subject: (t) => t('mail.assignedMany.subject', { count: tickets.length }),
    data: { assignee, actor, tickets, baseUrl: mail.baseUrl },
  });
  await queueMail(trx, composed);
}
