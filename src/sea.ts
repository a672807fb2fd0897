import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as sea from 'node:sea';

/**
 * Inside the single executable (`npm run build:binary`), the views, public files, locales,
 * package.json and better-sqlite3's native addon travel as SEA assets. They are written once to a
 * cache directory named after the hash of their manifest (so two versions never mix, and a second
 * start finds them ready), then read from there like in a normal install.
 */
export const MANIFEST = 'deskbell-manifest.json';
export const ADDON = 'better_sqlite3.node';

interface Manifest {
  /** Asset keys, relative paths under the extracted root. */
  files: string[];
}

let extracted: string | null | undefined;

/** The directory holding the extracted files, or null when not running as the single executable. */
export function seaRoot(): string | null {
  if (extracted !== undefined) return extracted;
  extracted = isSea() ? extract() : null;
  return extracted;
}

function isSea(): boolean {
  try {
    return sea.isSea();
  } catch {
    return false;
  }
}

function extract(): string {
  const manifestText = sea.getAsset(MANIFEST, 'utf8');
  const hash = createHash('sha256').update(manifestText).digest('hex').slice(0, 16);
  const dir = join(cacheBase(), hash);
  if (existsSync(join(dir, MANIFEST))) return dir;
  const manifest = JSON.parse(manifestText) as Manifest;
  // Written beside the final name and renamed into place, so a crash or a second process starting
  // at the same moment never leaves or sees a half-written directory.
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  for (const key of [...manifest.files, ADDON]) {
    const target = join(partial, key);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, new Uint8Array(sea.getAsset(key)));
  }
  writeFileSync(join(partial, MANIFEST), manifestText);
  try {
    renameSync(partial, dir);
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(join(dir, MANIFEST))) throw error; // not "another process won the race"
  }
  return dir;
}

/** $XDG_CACHE_HOME/deskbell, ~/.cache/deskbell, or the temporary directory when there is no home. */
function cacheBase(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  if (xdg) return join(xdg, 'deskbell');
  try {
    const home = homedir();
    if (home) return join(home, '.cache', 'deskbell');
  } catch {
    // no home directory (a bare container user): fall through
  }
  return join(tmpdir(), 'deskbell-cache');
}

/** Load better-sqlite3's addon from the extracted files (a single executable cannot `require` it). */
export function loadSeaAddon(root: string): object {
  const module = { exports: {} };
  process.dlopen(module, join(root, ADDON));
  return module.exports;
}
