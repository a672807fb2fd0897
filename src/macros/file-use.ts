import type { Db } from '../db/connect.js';
import { insertUploads } from '../attachments/queries.js';
import { duplicateStoredFile, removeStoredFiles } from '../attachments/store.js';
import type { StoredUpload } from '../attachments/uploads.js';
import { Invalid, NotFound } from '../lib/errors.js';
import { nowIso } from '../lib/time.js';
import type { Actor } from '../users/actor.js';
import { listMacroFiles } from './files.js';
import { findUsableMacro, findVisibleMacro } from './macros.js';

/** A macro's file as the compose box lists it: "will be attached", ticked unless the agent left it out. */
export interface ComposeMacroFile {
  id: number;
  filename: string;
  size: number;
  chosen: boolean;
}

/**
 * The files of a macro the compose box carries. `chosen`: the ids the form sent back (its ticked
 * boxes), or 'all' when the macro was just applied. Ids of other macros' files are not listed.
 */
export async function composeMacroFiles(db: Db, macroId: number, chosen: readonly number[] | 'all'): Promise<ComposeMacroFile[]> {
  return (await listMacroFiles(db, macroId)).map((f) => ({ id: f.id, filename: f.filename, size: Number(f.size), chosen: chosen === 'all' || chosen.includes(f.id) }));
}

/**
 * Send: the chosen files of the macro the agent applied become pending uploads of the agent, each a
 * new stored file with its own key (a hard link, or a copy), which the message then binds like any
 * upload (its size counted in the message's total). Deleting the message or purging the ticket then
 * removes only those copies; removing the macro or its file leaves the message's copy whole. Only a
 * macro the agent may use, and only its own files: any other id refuses the message. On failure the
 * caller discards what came back (discardUploads); a crash between is swept as an unreferenced file.
 */
export async function copyMacroFilesForMessage(db: Db, uploadsDir: string, actor: Actor, macroId: number, fileIds: readonly number[]): Promise<StoredUpload[]> {
  const ids = [...new Set(fileIds)];
  if (ids.length === 0) return [];
  try {
    await findUsableMacro(db, actor, macroId);
  } catch (error) {
    if (error instanceof NotFound) throw new Invalid({ macro: 'macros.errors.gone' }, 'macros.errors.gone');
    throw error;
  }
  const rows = await db.selectFrom('macro_attachments').selectAll().where('macro_id', '=', macroId).where('id', 'in', ids).orderBy('id').execute();
  if (rows.length !== ids.length) throw new Invalid({ macro: 'macros.errors.fileGone' }, 'macros.errors.fileGone');
  const keys: string[] = [];
  try {
    for (const row of rows) {
      try {
        keys.push(await duplicateStoredFile(uploadsDir, row.storage_key));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Invalid({ macro: 'macros.errors.fileGone' }, 'macros.errors.fileGone');
        throw error;
      }
    }
    const now = nowIso();
    const values = rows.map((row, i) => ({
      message_id: null, uploader_id: actor.id, filename: row.filename, content_type: row.content_type,
      size: row.size, sha256: row.sha256, storage_key: keys[i]!, created_at: now,
    }));
    const inserted = await insertUploads(db, values);
    return values.map((v, i) => ({ id: inserted[i]!, filename: v.filename, contentType: v.content_type, size: v.size, sha256: v.sha256, storageKey: v.storage_key }));
  } catch (error) {
    await removeStoredFiles(uploadsDir, keys);
    throw error;
  }
}

/** A macro's file for download: only for whoever may see the macro (NotFound otherwise, as for attachments). */
export async function findDownloadableMacroFile(db: Db, actor: Actor, id: number) {
  const file = await db.selectFrom('macro_attachments').selectAll().where('id', '=', id).executeTakeFirst();
  if (!file) throw new NotFound();
  await findVisibleMacro(db, actor, file.macro_id);
  return file;
}
