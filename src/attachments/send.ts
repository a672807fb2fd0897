import type { FastifyReply } from 'fastify';
import { NotFound } from '../lib/errors.js';
import { contentDisposition } from './names.js';
import { openStoredFile } from './store.js';

/** A stored file as the stored rows name it: a message's attachment, a macro's file, an article's image. */
export interface StoredRow {
  id: number;
  filename: string;
  content_type: string;
  storage_key: string;
}

/**
 * A stored file sent as a download, never a page: the type we sniffed, no sniffing by the browser,
 * `inline` only where the caller decided it is a raster image. A row whose file is gone is a 404 (logged).
 */
export async function sendStoredFile(reply: FastifyReply, row: StoredRow, disposition: 'attachment' | 'inline' = 'attachment') {
  const file = await openStoredFile(reply.server.config.uploadsDir, row.storage_key);
  if (!file) {
    reply.request.log.warn({ storedFile: row.id }, 'stored file missing on disk');
    throw new NotFound();
  }
  return reply
    .header('Content-Disposition', contentDisposition(row.filename, disposition))
    .header('X-Content-Type-Options', 'nosniff')
    .header('Cache-Control', 'private')
    .header('Content-Length', String(file.size))
    .type(row.content_type)
    .send(file.stream);
}
