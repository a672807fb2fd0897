import type { Db } from '../db/connect.js';
import type { MailContext } from '../mail/context.js';
import { notifyTicketCreated } from '../notify/notify.js';

/** @deprecated The confirmation moved to src/notify: call notifyTicketCreated (it also tells the group). */
export async function mailTicketReceived(trx: Db, ticketId: number, mail: MailContext): Promise<void> {
  await notifyTicketCreated(trx, mail, ticketId);
}
