// `npm start`: build when the sources are newer than the build, then serve.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'src', 'server.js');

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

const stale = !existsSync(built) || !existsSync(join(root, 'public', 'vendor', 'htmx.min.js'))
  || Math.max(newest(join(root, 'src')), newest(join(root, 'migrations'))) > statSync(built).mtimeMs;
if (stale) {
  process.stdout.write('Building Deskbell...\n');
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { stdio: 'inherit', cwd: root });
  execFileSync(process.execPath, [join(root, 'scripts', 'copy-vendor.mjs')], { stdio: 'inherit', cwd: root });
}
const child = spawn(process.execPath, [built], { stdio: 'inherit', cwd: root });
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
