import type { Db, Trx } from '../db/connect.js';
import { loadAttachmentPolicy } from '../attachments/sniff.js';
import { duplicateStoredFile, removeStoredFiles } from '../attachments/store.js';
import type { FieldErrors } from '../lib/errors.js';
import { Invalid } from '../lib/errors.js';
import { nowIso } from '../lib/time.js';
import type { Actor } from '../users/actor.js';

/**
 * A macro's files (issue 20, point 1: "optional attachments"). The macro form uploads them like a
 * message's (readMultipartForm: sniffed, the type policy, the size limits), as pending uploads of the
 * person; saving the macro moves those rows into `macro_attachments` under the same storage key, so
 * the file now belongs to the macro. Together a macro's files stay within what one message may carry.
 */

export interface MacroFileChanges {
  /** The person's pending uploads to add (this form's, and those kept from a refused try). */
  uploadIds: number[];
  /** The macro's files to remove (the form's "remove" checkboxes). */
  removeIds: number[];
  /** Duplicating: files of the macro copied from (`fromId`, one the person sees) to copy to the new one. */
  copy?: { fromId: number; ids: number[] };
}

export const NO_FILE_CHANGES: MacroFileChanges = { uploadIds: [], removeIds: [] };

const SUMMARY = ['id', 'macro_id', 'filename', 'content_type', 'size'] as const;

/** A macro's files, in upload order. */
export function listMacroFiles(db: Db, macroId: number) {
  return db.selectFrom('macro_attachments').select(SUMMARY).where('macro_id', '=', macroId).orderBy('id').execute();
}

/** The person's pending uploads among `ids` (a refused form's files, shown as already attached). */
export function pendingUploadsOf(db: Db, uploaderId: number, ids: readonly number[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom('attachments').select(['id', 'filename', 'size', 'content_type'])
    .where('id', 'in', [...ids]).where('uploader_id', '=', uploaderId).where('message_id', 'is', null).orderBy('id').execute();
}

/** The files of `fromId` among `ids` (the caller checked that the person sees that macro). */
function filesToCopy(db: Db, copy: MacroFileChanges['copy']) {
  if (!copy || copy.ids.length === 0) return Promise.resolve([]);
  return db.selectFrom('macro_attachments').selectAll().where('macro_id', '=', copy.fromId).where('id', 'in', copy.ids).orderBy('id').execute();
}

async function totalAfter(db: Db, actor: Actor, macroId: number | null, changes: MacroFileChanges): Promise<number> {
  const kept = macroId === null ? [] : (await listMacroFiles(db, macroId)).filter((f) => !changes.removeIds.includes(f.id));
  const added = await pendingUploadsOf(db, actor.id, changes.uploadIds);
  return [...kept, ...added, ...(await filesToCopy(db, changes.copy))].reduce((sum, f) => sum + Number(f.size), 0);
}

/** The files' mistakes before anything is written (with the form's other mistakes at once). */
export async function checkMacroFiles(db: Db, actor: Actor, macroId: number | null, changes: MacroFileChanges): Promise<FieldErrors> {
  if (changes.uploadIds.length === 0 && !changes.copy?.ids.length) return {};
  const policy = await loadAttachmentPolicy(db);
  return (await totalAfter(db, actor, macroId, changes)) > policy.maxTotalBytes ? { files: 'macros.errors.filesTotal' } : {};
}

/**
 * Inside the macro's save: remove the files the form unticked, adopt the pending uploads (only the
 * person's own, still pending). Returns the storage keys of the removed files, to delete from the
 * disk after the commit (never before: a rollback would leave rows without files).
 */
export async function saveMacroFiles(trx: Trx, actor: Actor, macroId: number, changes: MacroFileChanges): Promise<string[]> {
  const removeIds = [...new Set(changes.removeIds)];
  const uploadIds = [...new Set(changes.uploadIds)];
  const removed = removeIds.length === 0 ? [] : await trx.deleteFrom('macro_attachments')
    .where('macro_id', '=', macroId).where('id', 'in', removeIds).returning('storage_key').execute();
  if (uploadIds.length > 0) {
    // Deleting the pending rows first takes them from the upload clean-up, which deletes before it removes files.
    const taken = await trx.deleteFrom('attachments').where('id', 'in', uploadIds).where('uploader_id', '=', actor.id).where('message_id', 'is', null)
      .returning(['filename', 'content_type', 'size', 'sha256', 'storage_key']).execute();
    if (taken.length !== uploadIds.length) throw new Invalid({ files: 'attachments.errors.goneField' }, 'attachments.errors.gone');
    const now = nowIso();
    await trx.insertInto('macro_attachments').values(taken.map((row) => ({ macro_id: macroId, ...row, created_at: now }))).execute();
    if ((await totalAfter(trx, actor, macroId, NO_FILE_CHANGES)) > (await loadAttachmentPolicy(trx)).maxTotalBytes) {
      throw new Invalid({ files: 'macros.errors.filesTotal' }, 'macros.errors.filesTotal');
    }
  }
  return removed.map((r) => r.storage_key);
}

/**
 * Duplicating a macro: its chosen files as new stored files (keys of their own), before the new
 * macro's transaction; `adopt` inserts their rows in it. `discard` removes them when that fails.
 */
export async function copyMacroFiles(db: Db, uploadsDir: string, copy: MacroFileChanges['copy']) {
  const rows = await filesToCopy(db, copy);
  const copies: { filename: string; content_type: string; size: number; sha256: string; storage_key: string }[] = [];
  try {
    for (const row of rows) {
      copies.push({ filename: row.filename, content_type: row.content_type, size: row.size, sha256: row.sha256, storage_key: await duplicateStoredFile(uploadsDir, row.storage_key) });
    }
  } catch (error) {
    await removeStoredFiles(uploadsDir, copies.map((c) => c.storage_key));
    throw error;
  }
  return {
    adopt: async (trx: Trx, macroId: number) => {
      if (copies.length > 0) await trx.insertInto('macro_attachments').values(copies.map((c) => ({ macro_id: macroId, ...c, created_at: nowIso() }))).execute();
    },
    discard: () => removeStoredFiles(uploadsDir, copies.map((c) => c.storage_key)),
  };
}

/** The storage keys of a macro's files: read in the transaction that deletes it, removed after the commit. */
export async function storageKeysOfMacro(trx: Trx, macroId: number): Promise<string[]> {
  return (await trx.selectFrom('macro_attachments').select('storage_key').where('macro_id', '=', macroId).execute()).map((r) => r.storage_key);
}
