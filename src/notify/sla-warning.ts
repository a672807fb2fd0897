import type { Trx } from '../db/connect.js';
import type { MailContext } from '../mail/context.js';
import { rolesOn } from '../policy/can.js';
import { notifyContext } from './context.js';
import { findTicketForMail } from './queries.js';
import { sendTicketMail } from './send.js';

/**
 * An SLA target falls due soon (src/sla/job.ts records the warning once): the assignee hears of it,
 * or, with nobody assigned, every active member of the ticket's group.
 */
export async function mailSlaWarning(trx: Trx, mail: MailContext, ticketId: number, warning: { target: string; dueAt: string }): Promise<void> {
  const ctx = notifyContext(mail);
  const ticket = await findTicketForMail(trx, ticketId);
  if (!ticket) return;
  const row = await trx.selectFrom('tickets').select(['assignee_id', 'group_id']).where('id', '=', ticketId).executeTakeFirst();
  if (!row) return;
  let people = trx.selectFrom('users').select(['id', 'name', 'email', 'locale'])
    .where('role', 'in', rolesOn('staff')).where('state', '=', 'active');
  if (row.assignee_id !== null) people = people.where('id', '=', row.assignee_id);
  else if (row.group_id !== null) people = people.where('id', 'in', trx.selectFrom('group_members').select('user_id').where('group_id', '=', row.group_id));
  else return;
  const due = `${warning.dueAt.slice(0, 16).replace('T', ' ')} UTC`;
  for (const person of await people.orderBy('id').execute()) {
    await sendTicketMail(trx, ctx, {
      ticket, to: person, kind: 'sla_warning', automatic: true, template: 'emails/sla-warning',
      subject: (t) => t('mail.slaWarning.subject', { id: ticket.id, subject: ticket.subject }),
      data: { ticket, person, target: warning.target, due, link: `${mail.baseUrl}/agent/tickets/${ticket.id}` },
    });
  }
}
