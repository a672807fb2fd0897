import type { Insertable } from 'kysely';
import type { Db } from '../db/connect.js';
import type { AttachmentsTable } from '../db/schema.js';
import { isHiddenFile } from './sniff.js';

/** What a list of download links needs. */
export interface AttachmentSummary {
  id: number;
  message_id: number | null;
  filename: string;
  content_type: string;
  size: number;
}

const SUMMARY = ['id', 'message_id', 'filename', 'content_type', 'size'] as const;

export async function insertUploads(db: Db, rows: Insertable<AttachmentsTable>[]): Promise<number[]> {
  if (rows.length === 0) return [];
  const inserted = await db.insertInto('attachments').values(rows).returning('id').execute();
  return inserted.map((r) => r.id);
}

/** One attachment with the message it belongs to (null fields while it is a pending upload). */
export function findAttachment(db: Db, id: number) {
  return db.selectFrom('attachments').leftJoin('messages', 'messages.id', 'attachments.message_id')
    .select(['attachments.id', 'attachments.message_id', 'attachments.uploader_id', 'attachments.filename',
      'attachments.content_type', 'attachments.size', 'attachments.sha256', 'attachments.storage_key',
      'messages.ticket_id', 'messages.kind as message_kind'])
    .where('attachments.id', '=', id).executeTakeFirst();
}

/**
 * The attachments of many messages in one query (no query per message), grouped by message id, in
 * upload order, without the files that are kept but not listed (an S/MIME signature). Callers pass
 * only messages the viewer may see: for customers never a note.
 */
export async function listAttachmentsForMessages(db: Db, messageIds: readonly number[]): Promise<Map<number, AttachmentSummary[]>> {
  const grouped = new Map<number, AttachmentSummary[]>();
  const ids = [...new Set(messageIds)];
  // Chunked only to stay below the database's limit on bound parameters.
  for (let i = 0; i < ids.length; i += 500) {
    // Sorted here, not by `order by`: so PostgreSQL keeps the statement prepared (lib/order.ts).
    const rows = (await db.selectFrom('attachments').select(SUMMARY).where('message_id', 'in', ids.slice(i, i + 500)).execute())
      .sort((a, b) => a.message_id! - b.message_id! || a.id - b.id);
    for (const row of rows) {
      // Kept with the message (the original .eml has it too), but not a file anyone chose to send.
      if (isHiddenFile(row.content_type)) continue;
      const list = grouped.get(row.message_id!) ?? [];
      list.push(row);
      grouped.set(row.message_id!, list);
    }
  }
  return grouped;
}

/** This person's pending uploads among `ids` (the others: someone else's, already bound, or removed). */
export function findPendingUploads(db: Db, uploaderId: number, ids: readonly number[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom('attachments').select(['id', 'size', 'storage_key'])
    .where('id', 'in', [...ids]).where('uploader_id', '=', uploaderId).where('message_id', 'is', null).execute();
}

export async function bindUploads(db: Db, uploaderId: number, messageId: number, ids: readonly number[]): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await db.updateTable('attachments').set({ message_id: messageId })
    .where('id', 'in', [...ids]).where('uploader_id', '=', uploaderId).where('message_id', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Delete pending rows (never bound ones) and return the storage keys of those actually deleted. */
export async function deletePendingUploads(db: Db, where: { ids?: readonly number[]; createdBefore?: string }): Promise<string[]> {
  if (where.ids && where.ids.length === 0) return [];
  let query = db.deleteFrom('attachments').where('message_id', 'is', null);
  if (where.ids) query = query.where('id', 'in', [...where.ids]);
  if (where.createdBefore) query = query.where('created_at', '<', where.createdBefore);
  const rows = await query.returning('storage_key').execute();
  return rows.map((r) => r.storage_key);
}

/** Storage keys of every attachment of a ticket: read before deleting the ticket, to remove the files after. */
export async function storageKeysOfTicket(db: Db, ticketId: number): Promise<string[]> {
  const rows = await db.selectFrom('attachments').innerJoin('messages', 'messages.id', 'attachments.message_id')
    .select('attachments.storage_key').where('messages.ticket_id', '=', ticketId).execute();
  return rows.map((r) => r.storage_key);
}
