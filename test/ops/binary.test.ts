import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { tempDir } from '../helpers/app.js';
import { ROOT } from '../helpers/cli.js';
import { onPostgres, sqliteOnly } from '../helpers/database.js';

/**
 * `npm run build:binary` makes dist/deskbell; copied ALONE into an empty directory and run with
 * an empty PATH (no node, no node_modules within reach), it must serve the whole app and run every
 * command. (npm test has already built dist/ and public/vendor, which the binary embeds.)
 */
const run = promisify(execFile);
// The first build on a machine fetches Node 26 from the npm registry (cached in .cache/node/26
// afterwards); with bundling and injecting the blob, more than the suite's 120 s.
t.setTimeout(10 * 60_000);
const dir = tempDir(t, 'deskbell-binary-');
const env = { PATH: '', HOME: dir, LOG_LEVEL: 'info' };
const deskbell = (...args: string[]) => run('./deskbell', args, { cwd: dir, env, encoding: 'utf8' });

const ONE_FILE = sqliteOnly('the single executable is the desk in one file, on its SQLite database');

t.before(async () => {
  if (onPostgres) return;
  await run(process.execPath, [join(ROOT, 'scripts', 'build-binary.mjs')], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 24 });
  copyFileSync(join(ROOT, 'dist', 'deskbell'), join(dir, 'deskbell'));
});

t.test('the executable runs the CLI with no Node.js on the PATH', ONE_FILE, async (t) => {
  t.same(readdirSync(dir), ['deskbell'], 'the directory holds the executable only');
  t.ok(statSync(join(dir, 'deskbell')).size > 50e6, 'Node itself is inside');
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  t.match((await deskbell('--version')).stdout, new RegExp(`^deskbell ${version.replaceAll('.', '\\.')} \\(Node\\.js 26\\.\\d+\\.\\d+\\)\n$`), 'it embeds Node 26 from the npm registry');
  t.match((await deskbell('migrate')).stdout, /Applied 0001_initial/);
  t.ok(existsSync(join(dir, 'data', 'deskbell.db')), 'data lives in ./data');
  t.match((await deskbell('user', 'add', '--email', 'ann@example.test', '--name', 'Ann Admin', '--role', 'admin', '--password', 'correct horse battery')).stdout, 'Added ann@example.test (admin)');
  t.match((await deskbell('user', 'add', '--email', 'cy@example.test', '--name', 'Cy Customer', '--role', 'customer', '--password', 'correct horse battery')).stdout, 'Added cy@example.test (customer)');
  t.match((await deskbell('demo', '--tickets', '30')).stdout, /Demo data added: 30 tickets/);
  t.match((await deskbell('backup', 'copy.db')).stdout, /Backup written to .*copy\.db/);
  const wrong = await deskbell('frobnicate').catch((error: { code: number; stderr: string }) => error);
  t.equal((wrong as { code: number }).code, 2, 'a wrong command exits with 2');
  const extracted = readdirSync(join(dir, '.cache', 'deskbell'));
  t.ok(extracted.length === 1, 'files were extracted once, to ~/.cache/deskbell/<hash>');
  const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
  t.equal(sha(join(dir, '.cache', 'deskbell', extracted[0]!, 'better_sqlite3.node')), sha(join(ROOT, 'node_modules', 'better-sqlite3', 'prebuilds', 'linux-x64.node')),
    "the SQLite addon inside is better-sqlite3's prebuilt one (nothing was compiled)");
});

t.test('./deskbell serve: health, the login page, a login and a new ticket', ONE_FILE, async (t) => {
  const server = spawn('./deskbell', ['serve'], { cwd: dir, env: { ...env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => { server.kill('SIGKILL'); });
  let out = '';
  const base = await new Promise<string>((resolve, reject) => {
    server.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    server.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
    setTimeout(() => reject(new Error(`no "listening" line in 20 s: ${out}`)), 20_000);
  });

  const health = await fetch(`${base}/healthz`);
  t.equal(health.status, 200);
  t.same(await health.json(), { status: 'ok' });

  let cookie = '';
  const remember = (response: Response) => {
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';')[0]!;
      const name = pair.split('=')[0]!;
      cookie = [...cookie.split('; ').filter((c) => c && !c.startsWith(`${name}=`)), pair].join('; ');
    }
    return response;
  };
  const get = async (path: string) => remember(await fetch(`${base}${path}`, { headers: { cookie }, redirect: 'manual' }));
  const csrfIn = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;

  const login = await get('/login');
  const loginPage = await login.text();
  t.equal(login.status, 200);
  t.match(loginPage, '<title>Log in · Deskbell</title>');
  t.equal((await get('/public/vendor/htmx.min.js')).status, 200, 'public files are served from the executable');

  const body = new URLSearchParams({ _csrf: csrfIn(loginPage), email: 'cy@example.test', password: 'correct horse battery' });
  const loggedIn = remember(await fetch(`${base}/login`, { method: 'POST', body, headers: { cookie }, redirect: 'manual' }));
  t.equal(loggedIn.status, 303);
  t.equal(loggedIn.headers.get('location'), '/portal');

  const form = await (await get('/portal/tickets/new')).text();
  const typeId = /<option value="(\d+)" selected>/.exec(form)?.[1] ?? /name="typeId"[^>]*>\s*<option value="(\d+)"/.exec(form)?.[1];
  t.ok(typeId, 'the submit form offers a topic');
  const ticket = new FormData();
  ticket.append('_csrf', csrfIn(form));
  ticket.append('typeId', typeId!);
  ticket.append('subject', 'Sent from the single executable');
  ticket.append('message', 'No Node.js installed here.');
  const created = remember(await fetch(`${base}/portal/tickets`, { method: 'POST', body: ticket, headers: { cookie }, redirect: 'manual' }));
  t.equal(created.status, 303, await created.clone().text());
  const location = created.headers.get('location')!;
  const id = /^\/portal\/tickets\/(\d+)/.exec(location)?.[1];
  t.ok(id, `redirected to the new ticket (${location})`);
  const page = await (await get(`/portal/tickets/${id}`)).text();
  t.match(page, 'Sent from the single executable');
  t.match(page, 'No Node.js installed here.');

  server.kill('SIGTERM');
  const [code] = await new Promise<[number | null]>((resolve) => server.once('exit', (c) => resolve([c])));
  t.equal(code, 0, 'SIGTERM ends it cleanly');
  t.ok(out.split('\n').some((line) => line.startsWith('{') && /^Server listening at /.test((JSON.parse(line) as { msg: string }).msg)),
    'stdout is a pipe here, so the log is JSON lines');
});

t.test('./deskbell serve with LOG_FORMAT=pretty: readable lines from inside the executable (no worker thread, no module lookup)', ONE_FILE, async (t) => {
  const server = spawn('./deskbell', ['serve'], { cwd: dir, env: { ...env, PORT: '0', LOG_FORMAT: 'pretty' }, stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => { server.kill('SIGKILL'); });
  let out = '';
  server.stdout!.on('data', (chunk: Buffer) => { out += chunk.toString(); });
  server.stderr!.on('data', (chunk: Buffer) => { out += chunk.toString(); });
  const base = await new Promise<string>((resolve, reject) => {
    server.stdout!.on('data', () => {
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    server.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
    setTimeout(() => reject(new Error(`no "listening" line in 20 s: ${out}`)), 20_000);
  });
  t.equal((await fetch(`${base}/healthz`)).status, 200);
  server.kill('SIGTERM');
  const [code] = await new Promise<[number | null]>((resolve) => server.once('exit', (c) => resolve([c])));
  t.equal(code, 0, 'SIGTERM ends it cleanly');
  const lines = out.split('\n');
  t.ok(lines.some((line) => /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: Server listening at http:\/\/127\.0\.0\.1:\d+$/.test(line)), 'the listening line is pretty');
  t.ok(lines.some((line) => /INFO: request completed 200 in \d+\.\d ms/.test(line)), 'so is the request line');
  t.notOk(lines.some((line) => line.startsWith('{')), 'no JSON line');
});
