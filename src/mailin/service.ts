import type { Config } from '../config.js';
import type { Db } from '../db/connect.js';
import type { MailContext } from '../mail/context.js';
import { ImapPoller, parseImapUrl } from './imap.js';
import { startSmtpReceiver, type Log } from './smtp.js';

export interface MailIn {
  close(): Promise<void>;
}

/** Start whatever mail intake is configured (SMTP_LISTEN, IMAP_URL); `close` stops both, for a graceful shutdown. */
export async function startMailIn(deps: { db: Db; config: Config; mail: MailContext }, log: Log): Promise<MailIn> {
  const { config } = deps;
  const smtp = config.smtpListen ? await startSmtpReceiver(deps, config.smtpListen, log) : null;
  if (smtp) log.info({ port: smtp.port }, 'SMTP receiver listening');
  const poller = config.imapUrl ? new ImapPoller(deps, parseImapUrl(config.imapUrl), log) : null;
  poller?.start();
  return {
    close: async () => {
      await Promise.all([smtp?.close(), poller?.stop()]);
    },
  };
}
