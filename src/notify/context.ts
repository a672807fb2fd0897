import type { Config } from '../config.js';
import type { MailContext } from '../mail/context.js';

/** What ticket mails are signed and threaded with, beyond what any mail needs. */
export interface NotifySecrets {
  secretKey: string;
  mailDomain: string;
  /** Attachments are read from here when the worker sends the mail. */
  uploadsDir: string;
}

declare module '../mail/context.js' {
  interface MailContext {
    /** Set once at boot by the notify plugin, so verbs that hold a MailContext can send ticket mail. */
    notify?: NotifySecrets;
  }
}

export interface NotifyContext extends NotifySecrets {
  mail: MailContext;
}

export function notifySecrets(config: Config): NotifySecrets {
  return { secretKey: config.secretKey, mailDomain: config.mailDomain, uploadsDir: config.uploadsDir };
}

export function notifyContext(mail: MailContext): NotifyContext {
  if (!mail.notify) throw new Error('ticket mail needs the notify plugin (src/notify/plugin.ts) registered');
  return { mail, ...mail.notify };
}
