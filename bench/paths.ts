import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, from bench/ (tests) or dist/bench/ (the built benchmark). */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}

export const ROOT = findRoot();
export const SERVER = join(ROOT, 'dist', 'src', 'server.js');
export const FLOOR_SERVER = join(ROOT, 'dist', 'bench', 'floor-server.js');
