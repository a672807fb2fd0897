import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { IncomingFile } from '../attachments/uploads.js';
import { RowError, type SourceFile } from './model.js';

/** Larger than any message may carry (the attachment policy decides below this). */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

/**
 * A file named in an export, as the writer reads it: a local path beside the export. A URL
 * (Zendesk's content_url, Freshdesk's attachment_url) is never fetched: the import reads only what
 * is on this machine.
 */
export function fileAt(id: string, name: string, where: { path?: unknown; url?: unknown }, exportDir: string): SourceFile {
  const path = typeof where.path === 'string' && where.path ? where.path : undefined;
  if (path && /^[a-z][a-z0-9+.-]*:\/\//i.test(path)) return { id, name, missing: `${path} is an address on the network, not a file here (never fetched)` };
  if (path) return { id, name, path: isAbsolute(path) ? path : join(exportDir, path) };
  const url = typeof where.url === 'string' && where.url ? where.url : 'no content';
  return { id, name, missing: `${url} is not in the export (files are never fetched from the network)` };
}

/** The file's bytes, or a RowError saying why not. */
export async function readSourceFile(file: SourceFile): Promise<IncomingFile> {
  if (file.missing || !file.path) throw new RowError(file.missing ?? 'no file');
  const path = file.path;
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) throw new RowError(`${path} is not there`);
  if (info.size > MAX_FILE_BYTES) throw new RowError(`${path} is too large`);
  return { filename: file.name, content: await readFile(path) };
}
