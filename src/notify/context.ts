import type { MailContext } from '../mail/context.js';

/** What ticket mails are signed and threaded with, beyond what any mail needs. */
export type NotifySecrets = MailContext['notify'];

export interface NotifyContext extends NotifySecrets {
  mail: MailContext;
}

export function notifyContext(mail: MailContext): NotifyContext {
  return { mail, ...mail.notify };
}
