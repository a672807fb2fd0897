// `npm run build:binary`: the single executable dist/deskbell (Node's single executable
// application). The app is bundled into one CommonJS file; views, public files, locales,
// package.json and better-sqlite3's native addon are embedded as assets and extracted on first
// start (src/sea.ts). It embeds the Node that runs this script. Run after `npm run build`.
import { execFileSync } from 'node:child_process';
import { copyFileSync, chmodSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const work = join(root, 'dist', 'sea');
const output = join(root, 'dist', 'deskbell');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

const started = Date.now();
await build({
  entryPoints: [join(root, 'src', 'sea-main.ts')],
  outfile: join(work, 'deskbell.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: `node${process.versions.node.split('.')[0]}`,
  // Only read when not inside the executable (src/assets.ts, the CLI's "am I the main module").
  define: { 'import.meta.url': '"file:///deskbell-single-executable/"', 'import.meta.dirname': '"/deskbell-single-executable"' },
  logLevel: 'warning',
  legalComments: 'none',
});

const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else files.push(relative(root, path));
  }
};
for (const dir of ['views', 'public', 'locales']) walk(join(root, dir));
files.push('package.json');
if (!files.some((f) => f.startsWith(join('public', 'vendor')))) throw new Error('public/vendor is empty: run `npm run build` first');

const manifest = { files: files.sort() };
writeFileSync(join(work, 'deskbell-manifest.json'), JSON.stringify(manifest));
const assets = Object.fromEntries(files.map((f) => [f, join(root, f)]));
assets['deskbell-manifest.json'] = join(work, 'deskbell-manifest.json');
assets['better_sqlite3.node'] = require.resolve('better-sqlite3/build/Release/better_sqlite3.node');
writeFileSync(join(work, 'sea-config.json'), JSON.stringify({
  main: join(work, 'deskbell.cjs'),
  output: join(work, 'deskbell.blob'),
  disableExperimentalSEAWarning: true,
  assets,
}, null, 2));
execFileSync(process.execPath, ['--experimental-sea-config', join(work, 'sea-config.json')], { stdio: 'inherit' });

rmSync(output, { force: true });
copyFileSync(process.execPath, output);
chmodSync(output, 0o755);
const postject = join(dirname(require.resolve('postject/package.json')), 'dist', 'cli.js');
execFileSync(process.execPath, [postject, output, 'NODE_SEA_BLOB', join(work, 'deskbell.blob'),
  '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'], { stdio: ['ignore', 'ignore', 'inherit'] });
const size = (statSync(output).size / 1e6).toFixed(0);
process.stdout.write(`dist/deskbell: ${size} MB, Node ${process.versions.node}, ${files.length} embedded files, built in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
