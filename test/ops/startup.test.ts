// Start-up (issue 26: the server answers within a second of being started). What only some requests
// or some desks need is loaded when first needed, not at start: each of these packages is tens of
// milliseconds of module loading (docs/benchmarks.md, "Start-up"). Passkeys, single sign-on and the
// two-factor set-up's QR code load with their first use, readable logs only for LOG_FORMAT=pretty,
// mail in and out with the first mail, the CSV parser with an import, and the PostgreSQL driver only
// on a desk that runs on PostgreSQL. Fastify's JSON-schema compiler (ajv) is never loaded: requests
// are checked with zod.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import { tempDir } from '../helpers/app.js';
import { built } from '../helpers/cli.js';
import { databaseEnv, onPostgres } from '../helpers/database.js';
import { serverDesk } from '../reliability/desk.js';

const RECORDER = pathToFileURL(join(import.meta.dirname, 'loaded-modules.ts')).href;

const LOADED_WHEN_USED = [
  '@simplewebauthn/server', 'openid-client', 'qrcode', 'pino-pretty',
  'nodemailer', 'mailparser', 'imapflow', 'sanitize-html', 'smtp-server', 'csv-parse',
];

/** The npm package a module address belongs to (`@scope/name` or `name`), or null for our own and Node's. */
function packageOf(url: string): string | null {
  return /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1] ?? null;
}

t.test('a server started on a new desk answers /healthz without loading what only some requests need', { skip: !built() && 'needs `npm run build`' }, async (t) => {
  const dir = tempDir(t, 'deskbell-startup-');
  const list = join(dir, 'loaded-modules.txt');
  const desk = await serverDesk(dir, { ...await databaseEnv(dir, t), NODE_OPTIONS: `--import=${RECORDER}`, LOADED_MODULES: list });
  t.teardown(() => desk.kill());
  await desk.start();
  t.equal((await fetch(`${desk.url}/healthz`)).status, 200, 'the server answers');
  t.equal(await desk.stop(), 0, 'and stops cleanly');

  const packages = new Set(readFileSync(list, 'utf8').split('\n').map(packageOf));
  t.ok(packages.has('fastify') && packages.has('kysely'), 'the list holds the packages the server did load');
  t.same(LOADED_WHEN_USED.filter((name) => packages.has(name)), [], 'none of these is loaded at start');
  t.notOk(packages.has('ajv'), 'nor the JSON-schema compiler of Fastify');
  if (onPostgres) t.ok(packages.has('pg'), 'a desk on PostgreSQL loads its driver');
  else t.notOk(packages.has('pg'), 'a desk on SQLite does not load the PostgreSQL driver');
});
