import { Readable } from 'node:stream';
import type { Attachment } from 'mailparser';
import type { Db } from '../db/connect.js';
import type { Translate } from '../i18n.js';
import { nowIso } from '../lib/time.js';
import { storeFiles, type Rejection, type StoredUpload } from '../attachments/uploads.js';
import { storeStream, type StoredFile } from '../attachments/store.js';
import { loadMailAttachmentPolicy } from '../attachments/sniff.js';
import type { InboundMail } from './parse.js';
import './schema.js';

/** The full original is kept, however large the mail was allowed to be; the receivers cap the size. */
const ORIGINAL_MAX_BYTES = 64 * 1024 * 1024;

/**
 * The original mail, stored like any upload (under a random key, served as a download with our own
 * type) but outside the type allow-list: it is our record of what arrived, not a file someone chose.
 */
export async function storeOriginal(uploadsDir: string, raw: Buffer): Promise<StoredFile<'eml'> | null> {
  const outcome = await storeStream(uploadsDir, Readable.from([raw]), { maxBytes: ORIGINAL_MAX_BYTES, headBytes: 1, accept: () => 'eml' as const });
  return outcome.ok ? outcome.file : null;
}

/** Bind the stored original to its message, under a generated name. */
export async function bindOriginal(trx: Db, messageId: number, uploaderId: number | null, file: StoredFile<'eml'> | null): Promise<void> {
  if (!file) return;
  await trx.insertInto('attachments').values({
    message_id: messageId, uploader_id: uploaderId, filename: `mail-${messageId}.eml`, content_type: 'message/rfc822',
    size: file.size, sha256: file.sha256, storage_key: file.storageKey, created_at: nowIso(),
  }).execute();
}

/**
 * The mail's attachments and inline images, through the same intake as the forms (type from the
 * bytes, the per-message total) but with the mail's own allow-list (a forwarded mail, a log, a
 * signature: attachments.mail_types): what is refused is named, not fatal.
 */
export async function storeMailFiles(db: Db, uploadsDir: string, uploaderId: number, attachments: Attachment[], t: Translate): Promise<{ uploads: StoredUpload[]; rejected: Rejection[] }> {
  const files = attachments
    .filter((a) => !/^(message\/(delivery-status|disposition-notification)|text\/rfc822-headers)/i.test(a.contentType))
    .map((a, i) => ({ filename: a.filename || `${a.related ? 'image' : 'attachment'}-${i + 1}${extension(a.contentType)}`, content: a.content }));
  if (files.length === 0) return { uploads: [], rejected: [] };
  return storeFiles(db, uploadsDir, uploaderId, files, t, await loadMailAttachmentPolicy(db));
}

function extension(contentType: string): string {
  const known: Record<string, string> = {
    'image/png': '.png', 'image/jpeg': '.jpg', 'image/gif': '.gif', 'application/pdf': '.pdf', 'message/rfc822': '.eml', 'text/plain': '.txt',
    'text/csv': '.csv', 'application/pkcs7-signature': '.p7s', 'application/x-pkcs7-signature': '.p7s',
  };
  return known[contentType.toLowerCase()] ?? '';
}

/** Files the intake refused, listed under the message so nobody wonders where they went. */
export function withRejections(text: string, rejected: Rejection[], t: Translate): string {
  if (rejected.length === 0) return text;
  return `${text}\n\n${t('mailin.files.rejected')}\n${rejected.map((r) => `- ${r.message}`).join('\n')}`;
}

/** Remember an inbound Message-ID and what became of it (the primary key makes a second delivery fail here). */
export async function recordInbound(trx: Db, mail: InboundMail, ticketId: number | null, outcome: string): Promise<void> {
  await trx.insertInto('inbound_messages').values({
    message_id: mail.messageId, ticket_id: ticketId, outcome, sender: mail.from?.address ?? '', created_at: nowIso(),
  }).execute();
}

/** How many polite refusals this address was sent in the last hour (they are capped: no storm of answers). */
export async function recentRefusals(db: Db, sender: string): Promise<number> {
  const since = new Date(Date.now() - 3600_000).toISOString();
  const row = await db.selectFrom('inbound_messages').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('sender', '=', sender).where('outcome', 'like', 'refused:%').where('created_at', '>', since).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function alreadyReceived(db: Db, messageId: string): Promise<boolean> {
  return (await db.selectFrom('inbound_messages').select('message_id').where('message_id', '=', messageId).executeTakeFirst()) !== undefined;
}
