import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, type ReadStream, type WriteStream } from 'node:fs';
import { copyFile, link, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { finished } from 'node:stream/promises';

/**
 * Files on disk. A file lives at `uploadsDir/ab/cd/<key>` where the key is 128 random bits: never
 * anything the user chose, so a filename cannot climb out of the directory or collide. It is written
 * under a temporary name first and renamed once complete, so a half-written file is never served.
 * The file and its directory are flushed to the disk before the store returns: the caller then
 * commits a row naming the file, and that commit is durable, so the file must be too.
 */

/**
 * How the store flushes to the disk. An object rather than bare functions so that a test can watch
 * the calls go by (and still let them do the real work): fsync cannot be observed any other way.
 */
export const disk = {
  /** The file's bytes on the disk, not only in the page cache. */
  async syncFile(path: string): Promise<void> {
    const handle = await open(path, 'r+');
    try { await handle.sync(); } finally { await handle.close(); }
  },
  /** A directory's entries (a name renamed or made in it) on the disk. Windows has no such call. */
  async syncDir(path: string): Promise<void> {
    if (process.platform === 'win32') return;
    const handle = await open(path, 'r');
    try { await handle.sync(); } finally { await handle.close(); }
  },
};

export interface StoredFile<K> {
  storageKey: string;
  size: number;
  sha256: string;
  kind: K;
}

export type Refusal = 'type' | 'size' | 'empty';

export type StoreOutcome<K> = { ok: true; file: StoredFile<K> } | { ok: false; reason: Refusal };

export interface StoreOptions<K> {
  /** More bytes than this and the file is refused: what is written is deleted, the rest is read and dropped. */
  maxBytes: number;
  /** How many leading bytes `accept` needs to see. */
  headBytes: number;
  /** Decides from the head (or the whole of a shorter file) whether to keep the file; null refuses it. */
  accept: (head: Buffer) => K | null;
}

const KEY = /^[0-9a-f]{32}$/;

export function storagePath(uploadsDir: string, key: string): string {
  if (!KEY.test(key)) throw new Error(`not a storage key: ${JSON.stringify(key)}`);
  return join(uploadsDir, key.slice(0, 2), key.slice(2, 4), key);
}

const tempDir = (uploadsDir: string) => join(uploadsDir, 'tmp');

/**
 * Stream `source` to disk, hashing and counting as it goes. A refused file is read to its end (the
 * parts after it in a form must still arrive) but not kept. Whatever happens, including the source
 * failing mid-way (an aborted upload), no partial file stays behind.
 */
export async function storeStream<K>(uploadsDir: string, source: AsyncIterable<Buffer>, options: StoreOptions<K>): Promise<StoreOutcome<K>> {
  const hash = createHash('sha256');
  const tmp = join(tempDir(uploadsDir), `${randomBytes(16).toString('hex')}.part`);
  let out: TempFile | null = null;
  let size = 0;
  let head: Buffer[] = [];
  let headSize = 0;
  let kind: K | null = null;
  let refused: Refusal | null = null;

  const decide = async (): Promise<void> => {
    const bytes = Buffer.concat(head);
    head = [];
    kind = options.accept(bytes);
    if (kind === null) { refused = 'type'; return; }
    out = await TempFile.open(tmp);
    await out.write(bytes);
  };

  try {
    for await (const chunk of source) {
      if (refused) continue;
      size += chunk.length;
      if (size > options.maxBytes) { refused = 'size'; continue; }
      hash.update(chunk);
      if (kind !== null) {
        await out!.write(chunk);
      } else {
        head.push(chunk);
        headSize += chunk.length;
        if (headSize >= options.headBytes) await decide();
      }
    }
    if (!refused && size === 0) refused = 'empty';
    if (!refused && kind === null) await decide();
    if (refused) return { ok: false, reason: refused };
    await out!.close();
    const storageKey = randomBytes(16).toString('hex');
    const path = storagePath(uploadsDir, storageKey);
    const made = await mkdir(dirname(path), { recursive: true });
    await disk.syncFile(tmp);
    await rename(tmp, path);
    // Without this a power cut can lose the new name (or a directory made for it) while the row stays.
    for (const dir of dirsToSync(dirname(path), made)) await disk.syncDir(dir);
    return { ok: true, file: { storageKey, size, sha256: hash.digest('hex'), kind: kind! } };
  } finally {
    (out as TempFile | null)?.destroy();
    await rm(tmp, { force: true });
  }
}

/** The file's directory, and the parent of every directory `mkdir` just made (`made`: the first one). */
function dirsToSync(dir: string, made: string | undefined): string[] {
  const dirs = [dir];
  if (made === undefined) return dirs;
  for (let d = dir; d !== dirname(made) && d !== dirname(d);) dirs.push(d = dirname(d));
  return dirs;
}

/** A write stream that is open before it is used (so a delete cannot race its creation) and never throws unheard. */
class TempFile {
  #error: Error | null = null;

  private constructor(private readonly stream: WriteStream) {
    stream.on('error', (error) => { this.#error = error; });
  }

  static async open(path: string): Promise<TempFile> {
    await mkdir(dirname(path), { recursive: true });
    const stream = createWriteStream(path, { flags: 'wx', mode: 0o600 });
    const file = new TempFile(stream);
    await Promise.race([once(stream, 'ready'), once(stream, 'close').then(() => { throw file.#error ?? new Error('temp file closed'); })]);
    return file;
  }

  async write(chunk: Buffer): Promise<void> {
    if (this.#error) throw this.#error;
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    if (this.#error) throw this.#error;
    this.stream.end();
    await finished(this.stream);
  }

  destroy(): void {
    if (!this.stream.destroyed) this.stream.destroy();
  }
}

/** The stored file for download with its size on disk, or null when it is missing. */
export async function openStoredFile(uploadsDir: string, key: string): Promise<{ stream: ReadStream; size: number } | null> {
  const path = storagePath(uploadsDir, key);
  try {
    const info = await stat(path);
    return info.isFile() ? { stream: createReadStream(path), size: info.size } : null;
  } catch {
    return null;
  }
}

/**
 * A second stored file with the same bytes under a new random key (a macro's file sent with a
 * message): a hard link where the file system allows one, else a copy written under a temporary name
 * first. Removing either key later leaves the other's file whole. Throws when `key` has no file.
 */
export async function duplicateStoredFile(uploadsDir: string, key: string): Promise<string> {
  const source = storagePath(uploadsDir, key);
  const storageKey = randomBytes(16).toString('hex');
  const path = storagePath(uploadsDir, storageKey);
  const made = await mkdir(dirname(path), { recursive: true });
  try {
    await link(source, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw error;
    // No hard links here (another file system, or none at all): a real copy, renamed into place when whole.
    const tmp = join(tempDir(uploadsDir), `${randomBytes(16).toString('hex')}.part`);
    await mkdir(tempDir(uploadsDir), { recursive: true });
    try {
      await copyFile(source, tmp);
      await disk.syncFile(tmp);
      await rename(tmp, path);
    } finally {
      await rm(tmp, { force: true });
    }
  }
  for (const dir of dirsToSync(dirname(path), made)) await disk.syncDir(dir);
  return storageKey;
}

/** Delete stored files; a file already gone is not an error. */
export async function removeStoredFiles(uploadsDir: string, keys: string[]): Promise<void> {
  await Promise.all(keys.filter((k) => KEY.test(k)).map((k) => rm(storagePath(uploadsDir, k), { force: true })));
}

/** Temporary files a crash left behind (a finished or aborted write removes its own). */
export async function sweepTempFiles(uploadsDir: string, olderThanMs: number, now = Date.now()): Promise<number> {
  let names: string[];
  try {
    names = await readdir(tempDir(uploadsDir));
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const path = join(tempDir(uploadsDir), name);
    try {
      if ((await stat(path)).mtimeMs < now - olderThanMs) { await rm(path, { force: true }); removed++; }
    } catch { /* raced with its own clean-up */ }
  }
  return removed;
}

/**
 * Stored files that no attachments row names: a crash after the file was renamed into place and
 * before its row was committed. Only files older than `olderThanMs` go: a younger one may belong to
 * a request (or a `mail receive`) that is about to commit its row.
 */
export async function sweepUnreferencedFiles(uploadsDir: string, isReferenced: (keys: string[]) => Promise<Set<string>>, olderThanMs: number, now = Date.now()): Promise<number> {
  const candidates: { key: string; path: string }[] = [];
  const list = async (dir: string) => readdir(dir).catch(() => [] as string[]);
  for (const a of await list(uploadsDir)) {
    if (!/^[0-9a-f]{2}$/.test(a)) continue;
    for (const b of await list(join(uploadsDir, a))) {
      for (const key of await list(join(uploadsDir, a, b))) {
        if (!KEY.test(key)) continue;
        const path = storagePath(uploadsDir, key);
        try {
          if ((await stat(path)).mtimeMs < now - olderThanMs) candidates.push({ key, path });
        } catch { /* removed meanwhile */ }
      }
    }
  }
  let removed = 0;
  for (let i = 0; i < candidates.length; i += 500) {
    const batch = candidates.slice(i, i + 500);
    const known = await isReferenced(batch.map((c) => c.key));
    for (const file of batch) {
      if (known.has(file.key)) continue;
      await rm(file.path, { force: true });
      removed++;
    }
  }
  return removed;
}
