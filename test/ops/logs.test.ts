import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { ConfigError, loadConfig } from '../../src/config.js';
import { tempDir } from '../helpers/app.js';
import { BIN, built, spawnCli } from '../helpers/cli.js';
import { databaseEnv } from '../helpers/database.js';

/**
 * Logs a person can read: pretty lines at a terminal, JSON lines for a service manager or a pipe,
 * LOG_FORMAT to choose. Checked on the real `deskbell serve` (and under a real pseudo-terminal).
 */
const LISTENING = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/;
const stripColours = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '').replace(/\r/g, '');

t.test('the format: LOG_FORMAT wins; unset, a terminal gets pretty lines and anything else JSON', async (t) => {
  const base = { DATA_DIR: tempDir(t), SECRET_KEY: 'k'.repeat(64) };
  t.equal(loadConfig(base, {}, true).logFormat, 'pretty', 'stdout is a terminal');
  t.equal(loadConfig(base, {}, false).logFormat, 'json', 'stdout is a file or a pipe');
  t.equal(loadConfig({ ...base, LOG_FORMAT: 'json' }, {}, true).logFormat, 'json', 'LOG_FORMAT=json at a terminal');
  t.equal(loadConfig({ ...base, LOG_FORMAT: 'pretty' }, {}, false).logFormat, 'pretty', 'LOG_FORMAT=pretty into a pipe');
  const wrong = (() => { try { loadConfig({ ...base, LOG_FORMAT: 'xml' }); } catch (error) { return error; } })();
  t.ok(wrong instanceof ConfigError, 'a wrong value is a configuration error');
  t.match((wrong as Error).message, 'LOG_FORMAT must be one of json, pretty, got "xml"');
});

t.test('a wrong LOG_FORMAT stops `deskbell serve` with a message and exit code 2', { skip: !built() && 'needs `npm run build`' }, async (t) => {
  const result = await spawnCli(tempDir(t), ['serve'], { LOG_FORMAT: 'xml', PORT: '0' });
  t.equal(result.code, 2);
  t.match(result.err, 'deskbell: LOG_FORMAT must be one of json, pretty');
});

/** Start `deskbell serve` on a fresh data directory; resolves once it listens. */
async function serve(t: Test, env: Record<string, string>): Promise<{ base: string; output: () => string; stop: () => Promise<number | null> }> {
  const dir = tempDir(t);
  const database = await databaseEnv(dir, t);
  const server = spawn(process.execPath, [BIN, 'serve'], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: dir, DATA_DIR: dir, PORT: '0', LOG_LEVEL: 'info', ...database, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => { server.kill('SIGKILL'); });
  let out = '';
  server.stdout!.on('data', (chunk: Buffer) => { out += chunk.toString(); });
  server.stderr!.on('data', (chunk: Buffer) => { out += chunk.toString(); });
  const base = await listening(server, () => out);
  return { base, output: () => out, stop: () => stopped(server) };
}

function listening(child: ChildProcess, output: () => string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening" line in 20 s: ${output()}`)), 20_000);
    const look = () => {
      const match = LISTENING.exec(stripColours(output()));
      if (match) { clearTimeout(timer); resolve(match[1]!); }
    };
    child.stdout?.on('data', look);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`serve exited with ${code}: ${output()}`)); });
  });
}

function stopped(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

t.test('LOG_FORMAT=pretty: one readable line per entry, requests named by method, path, status and time', { skip: !built() && 'needs `npm run build`' }, async (t) => {
  const server = await serve(t, { LOG_FORMAT: 'pretty' });
  t.equal((await fetch(`${server.base}/healthz`)).status, 200);
  t.equal((await fetch(`${server.base}/no-such-page`)).status, 404);
  t.equal(await server.stop(), 0, 'SIGTERM ends it cleanly');
  const lines = server.output().split('\n');

  const listen = lines.find((line) => LISTENING.test(line));
  t.match(listen, /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: Server listening at http:\/\/127\.0\.0\.1:\d+$/, 'time, level and message, no JSON');
  t.notOk(lines.some((line) => line.startsWith('{')), 'no line is a JSON object');
  t.ok(lines.some((line) => /INFO: incoming request GET \/healthz \([\w-]+\)$/.test(line)), 'the request, with its id');
  t.ok(lines.some((line) => /INFO: request completed 200 in \d+\.\d ms \([\w-]+\)$/.test(line)), 'its status and time');
  t.ok(lines.some((line) => /INFO: request completed 404 in /.test(line)), 'a missing page');
  t.ok(lines.some((line) => /INFO: shutting down: finishing requests, stopping the worker \{"signal":"SIGTERM"\}$/.test(line)),
    'the last line is out before exit 0 (a synchronous stream)');
});

t.test('LOG_FORMAT unset and stdout a pipe (a service manager, a file): JSON lines', { skip: !built() && 'needs `npm run build`' }, async (t) => {
  const server = await serve(t, {});
  t.equal((await fetch(`${server.base}/healthz`)).status, 200);
  t.equal(await server.stop(), 0);
  const entries = server.output().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
  t.ok(entries.some((entry) => typeof entry.msg === 'string' && LISTENING.test(entry.msg) && entry.level === 30), 'the listening line is JSON');
  t.ok(entries.some((entry) => entry.msg === 'request completed' && (entry.res as { statusCode: number }).statusCode === 200 && typeof entry.reqId === 'string'));
});

// util-linux `script` runs the server on a pseudo-terminal, as `npm start` in a terminal does.
const script = spawnSync('script', ['--version']).status === 0;
t.test('at a terminal with LOG_FORMAT unset: pretty lines (util-linux `script` gives it a pseudo-terminal)', { skip: (!built() && 'needs `npm run build`') || (!script && 'needs util-linux `script`') }, async (t) => {
  const dir = tempDir(t);
  const database = await databaseEnv(dir, t);
  const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  const terminal = spawn('script', ['-qfec', `${quote(process.execPath)} ${quote(BIN)} serve`, '/dev/null'], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: dir, DATA_DIR: dir, PORT: '0', LOG_LEVEL: 'info', TERM: 'xterm', ...database },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  terminal.stdout!.on('data', (chunk: Buffer) => { out += chunk.toString(); });
  t.teardown(() => { terminal.kill('SIGKILL'); });
  const base = await listening(terminal, () => out);
  t.equal((await fetch(`${base}/healthz`)).status, 200);
  // The server, not `script`, gets the SIGTERM: its pid is in DATA_DIR/deskbell.pid once it listens.
  const pidFile = join(dir, 'deskbell.pid');
  await t.resolves(waitFor(() => existsSync(pidFile)));
  const exit = new Promise<number | null>((resolve) => terminal.once('exit', (code) => resolve(code)));
  process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGTERM');
  t.equal(await exit, 0, 'the server ended cleanly (script -e passes its exit code on)');

  const lines = stripColours(out).split('\n');
  t.ok(lines.some((line) => /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: Server listening at http:\/\/127\.0\.0\.1:\d+$/.test(line)), 'the listening line is pretty');
  t.ok(lines.some((line) => /INFO: request completed 200 in /.test(line)));
  t.notOk(lines.some((line) => line.startsWith('{')), 'no JSON line');
});

async function waitFor(ready: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
