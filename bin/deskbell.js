#!/usr/bin/env node
// The `deskbell` command: runs the built CLI (npm run build, or npm start, builds it).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const built = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'src');
const cli = join(built, 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write('deskbell: not built yet. Run `npm run build` first.\n');
  process.exit(1);
}
// Before the CLI's modules are loaded: src/compile-cache.ts.
const { enableCompileCache } = await import(pathToFileURL(join(built, 'compile-cache.js')).href);
enableCompileCache();
const { runCli } = await import(pathToFileURL(cli).href);
const code = await runCli(process.argv.slice(2), { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s), errTerminal: process.stderr.isTTY ? { columns: process.stderr.columns } : undefined });
if (code >= 0) process.exitCode = code;
