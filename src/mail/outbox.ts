import type { Transporter } from 'nodemailer';
import type { Db } from '../db/connect.js';
import { enqueueJob } from '../jobs/queries.js';
import { complainedAmong } from './complaints.js';
import { PermanentJobError } from '../jobs/worker.js';

export const MAIL_JOB = 'mail';

/** A stored file sent along: read from `path` by the worker when the mail goes out. */
export interface MailAttachment {
  filename: string;
  path: string;
  contentType: string;
}

export interface OutgoingMail {
  from: string;
  to: string[];
  cc?: string[];
  subject: string;
  text: string;
  html?: string;
  headers?: Record<string, string>;
  messageId?: string;
  attachments?: MailAttachment[];
}

/**
 * Mail is only ever sent by the worker: a request (or its transaction) queues it here, so a mail is
 * never lost to an SMTP outage or a restart, and is kept in the outbox when no SMTP_URL is set.
 */
export async function queueMail(db: Db, mail: OutgoingMail): Promise<number> {
  if (mail.to.length === 0) throw new Error('a mail needs at least one recipient');
  for (const value of [mail.subject, mail.from, ...mail.to, ...(mail.cc ?? [])]) {
    if (/[\r\n]/.test(value)) throw new Error('mail header values cannot contain line breaks');
  }
  // Nobody who complained about our mail (an abuse report) gets another: 0 when no one is left.
  const complained = await complainedAmong(db, [...mail.to, ...(mail.cc ?? [])].map(bareAddress));
  if (complained.size > 0) {
    const to = mail.to.filter((a) => !complained.has(bareAddress(a).toLowerCase()));
    const cc = mail.cc?.filter((a) => !complained.has(bareAddress(a).toLowerCase()));
    if (to.length === 0 && (cc?.length ?? 0) === 0) return 0;
    mail = to.length > 0 ? { ...mail, to, cc } : { ...mail, to: cc!, cc: [] };
  }
  return enqueueJob(db, MAIL_JOB, mail, { maxAttempts: 10 });
}

/** "Name <a@b>" or "a@b": the address. */
function bareAddress(value: string): string {
  return (/<([^<>]+)>\s*$/.exec(value)?.[1] ?? value).trim();
}

/**
 * The worker's sender for `mail` jobs, over SMTP_URL. nodemailer's own timeouts (2 min to connect,
 * 10 min of socket silence) outlast the job's 5-minute lease, so a hung server could hold the worker
 * and let another take the same mail: ours are shorter. Timeouts given in SMTP_URL's query still win.
 */
export function smtpSender(smtpUrl: string, options: { timeoutMs?: number } = {}) {
  const timeout = options.timeoutMs ?? 60_000;
  // nodemailer is loaded with the first mail sent, not at startup.
  let transport: Transporter | undefined;
  const createTransport = async () => (await import('nodemailer')).default.createTransport({
    url: smtpUrl,
    connectionTimeout: Math.min(timeout, 30_000),
    greetingTimeout: Math.min(timeout, 30_000),
    socketTimeout: timeout,
  });
  return async (payload: unknown): Promise<void> => {
    const mail = payload as OutgoingMail;
    transport ??= await createTransport();
    await transport.sendMail({
      from: mail.from,
      to: mail.to,
      cc: mail.cc,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      headers: mail.headers,
      messageId: mail.messageId,
      attachments: mail.attachments,
    }).catch((error: unknown) => {
      // 5xx is the server's final word (unknown mailbox, policy refusal): retrying only delays the bad news.
      const code = (error as { responseCode?: number }).responseCode;
      if (code !== undefined && code >= 500 && code < 600) throw new PermanentJobError((error as Error).message);
      throw error;
    });
  };
}
