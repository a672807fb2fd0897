// `node --import ./test/helpers/ts-loader.mjs`: runs the TypeScript sources and tests straight from
// .ts files, transpiled one by one with esbuild (types stripped, nothing checked: `npm run typecheck`
// does that). scripts/test-run.sh uses it for `npm run test:fast` and `test:node-lines` in place of
// tap's ts-node, which spends about two seconds of CPU per test file compiling src/ again.
//
// Imports name the compiled file (`./app.js`, as Node will run it from dist/); here a relative
// `.js` that does not exist is looked for as `.ts`.
//
// The output is kept in node_modules/.cache/deskbell-ts (named by a hash of esbuild's version, the
// file's path and its text): a test process loads about 300 files, and asking esbuild for each took
// over a second per test file; the suite's later files, and later runs, read them back.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync, version } from 'esbuild';

const CACHE = join(dirname(fileURLToPath(import.meta.url)), '../../node_modules/.cache/deskbell-ts');
mkdirSync(CACHE, { recursive: true });

function transpile(file) {
  const text = readFileSync(file, 'utf8');
  const key = createHash('sha256').update(`${version}\0${file}\0`).update(text).digest('hex').slice(0, 32);
  const cached = join(CACHE, `${key}.mjs`);
  try {
    return readFileSync(cached, 'utf8');
  } catch {
    // not cached yet
  }
  const { code } = transformSync(text, {
    loader: 'ts', format: 'esm', target: 'es2022', sourcemap: 'inline', sourcefile: file,
  });
  // Written whole, then renamed: a parallel test process never reads half a file.
  const temporary = `${cached}.${process.pid}`;
  writeFileSync(temporary, code);
  renameSync(temporary, cached);
  return code;
}

registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context);
    } catch (error) {
      const relative = specifier.startsWith('./') || specifier.startsWith('../');
      if (!relative || !specifier.endsWith('.js') || error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
      return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
    }
  },
  load(url, context, nextLoad) {
    if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
    return { format: 'module', source: transpile(fileURLToPath(url)), shortCircuit: true };
  },
});
