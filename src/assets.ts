import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seaRoot } from './sea.js';

/**
 * Everything the app reads at run time besides the database (views, public files, the catalogue)
 * is reached through here, so a packaged build can point it elsewhere in one place.
 */
function findRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'views'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`Deskbell's files (views/, public/) were not found above ${start}`);
    dir = parent;
  }
}

const root = seaRoot() ?? findRoot(dirname(fileURLToPath(import.meta.url)));

export const assets = {
  root,
  views: join(root, 'views'),
  public: join(root, 'public'),
  locales: join(root, 'locales'),
  path: (...parts: string[]) => resolve(root, ...parts),
  readJson<T>(...parts: string[]): T {
    return JSON.parse(readFileSync(resolve(root, ...parts), 'utf8')) as T;
  },
};
