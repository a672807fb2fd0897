// `node --import ./test/helpers/ts-loader.mjs`: runs the TypeScript sources and tests straight from
// .ts files, transpiled one by one with esbuild (types stripped, nothing checked: `npm run typecheck`
// does that). scripts/test-run.sh uses it for `npm run test:fast` and `test:node-lines` in place of
// tap's ts-node, which spends about two seconds of CPU per test file compiling src/ again.
//
// Imports name the compiled file (`./app.js`, as Node will run it from dist/); here a relative
// `.js` that does not exist is looked for as `.ts`.
import { readFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';

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
    const file = fileURLToPath(url);
    const { code } = transformSync(readFileSync(file, 'utf8'), {
      loader: 'ts', format: 'esm', target: 'es2022', sourcemap: 'inline', sourcefile: file,
    });
    return { format: 'module', source: code, shortCircuit: true };
  },
});
