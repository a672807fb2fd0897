// Copies the pinned front-end packages from node_modules into public/vendor (served from /public,
// never a CDN). Runs as part of `npm run build`.
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const htmxDir = dirname(require.resolve('htmx.org/package.json'));
const out = join(root, 'public', 'vendor');
mkdirSync(out, { recursive: true });
for (const file of ['htmx.min.js', 'htmx.js', 'ext/hx-sse.js', 'ext/hx-csp.js']) {
  copyFileSync(join(htmxDir, 'dist', file), join(out, file.replace('ext/', '')));
}

// Passkeys: the browser half of @simplewebauthn (its UMD bundle sets window.SimpleWebAuthnBrowser).
// (its exports name no package.json: found from its CommonJS entry, script/index.js)
const webauthnDir = join(dirname(require.resolve('@simplewebauthn/browser')), '..');
copyFileSync(join(webauthnDir, 'dist', 'bundle', 'index.umd.min.js'), join(out, 'simplewebauthn-browser.js'));
