// `npm run dev`: recompile on change (tsc --watch) and restart the server when the build changes.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (args, env = {}) => spawn(process.execPath, args, { stdio: 'inherit', cwd: root, env: { ...process.env, ...env } });

run([join(root, 'scripts', 'copy-vendor.mjs')]).on('exit', () => {
  const tsc = run([join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json', '--watch', '--preserveWatchOutput']);
  // Give the first compile a head start, then serve with views re-read on every render.
  setTimeout(() => {
    const server = run(['--watch-path=dist', '--watch-path=locales', join(root, 'dist', 'src', 'server.js')], { NODE_ENV: 'development' });
    for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => { tsc.kill(signal); server.kill(signal); process.exit(0); });
  }, 4000);
});
