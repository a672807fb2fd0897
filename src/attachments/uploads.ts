import { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import type { Db } from '../db/connect.js';
import type { Translate } from '../i18n.js';
import { DomainError, Invalid, Malformed, TooLarge } from '../lib/errors.js';
import { checkCsrf } from '../plugins/csrf.js';
import { FORM_LIMITS } from '../plugins/forms.js';
import type { Actor } from '../users/actor.js';
import { Intake, type Rejection, type StoredUpload } from './intake.js';
import { formatBytes } from './names.js';
import { bindUploads, deletePendingUploads, findPendingUploads } from './queries.js';
import { loadAttachmentPolicy, type AttachmentPolicy } from './sniff.js';
import { removeStoredFiles } from './store.js';

type PartsOptions = Parameters<FastifyRequest['parts']>[0];

export type { Rejection, StoredUpload } from './intake.js';

export interface MultipartForm {
  /** Text fields; a repeated name keeps its last value (all values are in `lists`). */
  fields: Record<string, string>;
  lists: Record<string, string[]>;
  /** Files kept, as pending uploads of the actor: bind them with attachUploads, or discardUploads. */
  uploads: StoredUpload[];
  /** Files not kept, each with its name and reason. */
  rejected: Rejection[];
}

/**
 * Read a form that may carry files (`enctype="multipart/form-data"`), for a route with
 * `config: { multipartCsrf: true }`. The CSRF token must come in the X-CSRF-Token header or as the
 * form's FIRST part, `_csrf`, and is checked before any file is written. Files are streamed to disk
 * (type from their bytes, the message total enforced while reading) and recorded as pending uploads.
 * On any failure (bad token, a parser limit, a cut-off body) nothing stays stored and it throws.
 * A plain urlencoded form (already checked by the CSRF hook) comes back with its fields and no files.
 */
export async function readMultipartForm(request: FastifyRequest, actor: Actor, limits?: AttachmentPolicy): Promise<MultipartForm> {
  const { db, config } = request.server;
  const form: MultipartForm = { fields: {}, lists: {}, uploads: [], rejected: [] };
  if (!request.isMultipart()) {
    for (const [name, value] of Object.entries((request.body ?? {}) as Record<string, unknown>)) {
      for (const v of Array.isArray(value) ? value : [value]) if (typeof v === 'string' && name !== '_csrf') addField(form, name, v);
    }
    return form;
  }
  const policy = limits ?? await loadAttachmentPolicy(db);
  const fileCap = Math.min(FORM_LIMITS.fileBytes, policy.maxTotalBytes);
  const intake = new Intake(config.uploadsDir, policy, request.t, FORM_LIMITS.fileBytes);
  let checked = false;
  try {
    // Over the cap a file is cut short and marked, not thrown: it is then rejected by name.
    for await (const part of request.parts({ limits: { fileSize: fileCap }, throwFileSizeLimit: false } as PartsOptions)) {
      if (!checked) {
        checked = true;
        checkCsrf(request, part.type === 'field' && part.fieldname === '_csrf' ? part.value : undefined);
      }
      if (part.type === 'field') {
        if (part.valueTruncated || part.fieldnameTruncated) throw new TooLarge();
        if (part.fieldname !== '_csrf') addField(form, part.fieldname, String(part.value));
      } else if (!part.filename) {
        // A file input left empty still sends a nameless, empty part.
        for await (const chunk of part.file) void chunk;
      } else {
        await intake.take(part.filename, part.file, () => part.file.truncated);
      }
    }
    if (!checked) checkCsrf(request, undefined);
    form.uploads = await intake.commit(db, actor.id);
    form.rejected = intake.rejected;
    return form;
  } catch (error) {
    await intake.discardFiles();
    throw asRequestError(error);
  }
}

function addField(form: MultipartForm, name: string, value: string): void {
  form.fields[name] = value;
  (form.lists[name] ??= []).push(value);
}

/** Parser limits become a clear 413; a malformed or cut-off body a 400; disk trouble stays a 500. */
function asRequestError(error: unknown): unknown {
  if (error instanceof DomainError) return error;
  const e = error as { code?: string; statusCode?: number; syscall?: string };
  if (e.code === 'FST_FILES_LIMIT') {
    return new TooLarge('attachments.errors.tooManyFiles', { max: String(FORM_LIMITS.files) });
  }
  if (e.code === 'FST_PARTS_LIMIT' || e.code === 'FST_FIELDS_LIMIT') return new TooLarge();
  if (e.syscall) return error;
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return error;
  return new Malformed();
}

export interface IncomingFile {
  filename: string;
  content: Buffer | AsyncIterable<Buffer>;
}

/**
 * The same intake for files that do not come from a form (the mail channel): stored as pending
 * uploads of `uploaderId`, with the same sniffing and per-message total.
 */
export async function storeFiles(
  db: Db, uploadsDir: string, uploaderId: number | null, files: IncomingFile[], t: Translate, limits?: AttachmentPolicy,
): Promise<{ uploads: StoredUpload[]; rejected: Rejection[] }> {
  const policy = limits ?? await loadAttachmentPolicy(db);
  const intake = new Intake(uploadsDir, policy, t);
  try {
    for (const file of files) {
      await intake.take(file.filename, Buffer.isBuffer(file.content) ? Readable.from([file.content]) : file.content);
    }
    return { uploads: await intake.commit(db, uploaderId), rejected: intake.rejected };
  } catch (error) {
    await intake.discardFiles();
    throw error;
  }
}

/** Remove pending uploads and their files (a refused form, a failed verb). Bound attachments are never touched. */
export async function discardUploads(db: Db, uploadsDir: string, uploads: readonly Pick<StoredUpload, 'id'>[]): Promise<void> {
  const keys = await deletePendingUploads(db, { ids: uploads.map((u) => u.id) });
  await removeStoredFiles(uploadsDir, keys);
}

/**
 * Bind the actor's pending uploads to a new message, inside the verb's transaction. Only the
 * actor's own pending uploads can be bound (an id of someone else's is as good as missing), and the
 * message's files together stay within the total. Throws Invalid (the transaction rolls back).
 */
export async function attachUploads(trx: Db, actor: Actor, messageId: number, uploadIds: readonly number[], limits?: AttachmentPolicy): Promise<number[]> {
  const ids = [...new Set(uploadIds)];
  if (ids.length === 0) return [];
  const rows = await findPendingUploads(trx, actor.id, ids);
  if (rows.length !== ids.length) throw new Invalid({ files: 'attachments.errors.goneField' }, 'attachments.errors.gone');
  const policy = limits ?? await loadAttachmentPolicy(trx);
  const already = await trx.selectFrom('attachments').select((eb) => eb.fn.coalesce(eb.fn.sum<number>('size'), eb.lit(0)).as('total'))
    .where('message_id', '=', messageId).executeTakeFirstOrThrow();
  const total = rows.reduce((sum, r) => sum + r.size, Number(already.total));
  if (total > policy.maxTotalBytes) {
    throw new Invalid({ files: 'attachments.errors.totalField' }, 'attachments.errors.total');
  }
  await bindUploads(trx, actor.id, messageId, ids);
  return ids;
}

/** The same limit in words, for forms that say it before anyone uploads ("up to 30 MB in all"). */
export function describeLimits(t: Translate, policy: AttachmentPolicy): string {
  return formatBytes(t, policy.maxTotalBytes);
}
