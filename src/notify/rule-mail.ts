import type { Db } from '../db/connect.js';
import type { RuleMail } from '../kernel/index.js';
import { composeMail } from '../mail/compose.js';
import type { MailContext } from '../mail/context.js';
import { queueMail } from '../mail/outbox.js';
import { renderMarkdown } from '../messages/markdown.js';
import { rolesOn } from '../policy/can.js';

interface Recipient { email: string; locale: string; staff: boolean }

/**
 * A rule's mails (from its `notify.ruleMail`), each to the requester, the assignee, the group's
 * members or an address, as the ticket's brand, through the outbox. Nobody disabled; a requester
 * gets the portal's link, staff the desk's.
 */
export async function sendRuleMails(trx: Db, mail: MailContext, ticketId: number, mails: readonly RuleMail[]): Promise<void> {
  const ticket = await trx.selectFrom('tickets').select(['id', 'subject', 'brand_id', 'requester_id', 'assignee_id', 'group_id'])
    .where('id', '=', ticketId).executeTakeFirst();
  if (!ticket) return;
  for (const one of mails) {
    for (const to of await recipients(trx, ticket, one)) {
      const link = `${mail.baseUrl}/${to.staff ? 'agent' : 'portal'}/tickets/${ticket.id}`;
      await queueMail(trx, await composeMail(trx, mail, {
        to, brandId: ticket.brand_id, template: 'emails/rule', subject: () => one.subject,
        data: { text: one.body, html: renderMarkdown(one.body), ticket: { id: ticket.id, subject: ticket.subject }, link },
      }));
    }
  }
}

async function recipients(trx: Db, ticket: { requester_id: number; assignee_id: number | null; group_id: number | null }, one: RuleMail): Promise<Recipient[]> {
  const people = (query: Promise<{ email: string; locale: string }[]>, staff: boolean) => query.then((rows) => rows.map((r) => ({ ...r, staff })));
  const users = trx.selectFrom('users').select(['users.email', 'users.locale']).where('users.state', '!=', 'disabled');
  if (one.to === 'requester') return people(users.where('users.id', '=', ticket.requester_id).execute(), false);
  if (one.to === 'assignee') return ticket.assignee_id === null ? [] : people(users.where('users.id', '=', ticket.assignee_id).execute(), true);
  if (one.to === 'group') {
    if (ticket.group_id === null) return [];
    return people(users.innerJoin('group_members', 'group_members.user_id', 'users.id').where('group_members.group_id', '=', ticket.group_id)
      .where('users.role', 'in', rolesOn('staff')).orderBy('users.id').execute(), true);
  }
  return one.address ? [{ email: one.address, locale: 'en', staff: false }] : [];
}
