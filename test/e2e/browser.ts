// Browser-test plumbing: Debian's Chromium through playwright-core, and the REAL server
// (`node dist/src/server.js`) as a child process on a free port with a fresh data directory (and
// with DESKBELL_TEST_DB=postgres a fresh PostgreSQL database, test/helpers/database.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Test } from 'tap';
import { freshPostgresDatabase, onPostgres } from '../helpers/database.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CHROMIUM = '/usr/bin/chromium';
export const SERVER_ENTRY = join(ROOT, 'dist', 'src', 'server.js');
export const CLI_ENTRY = join(ROOT, 'bin', 'deskbell.js');
export const SCREENSHOTS = join(ROOT, 'screenshots');

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic',
];

/**
 * One Chromium for the whole file, closed at teardown. Without /usr/bin/chromium: fail on CI
 * (CI=true), otherwise say why in a comment and return null so the caller registers no tests.
 */
export async function launchBrowser(t: Test): Promise<Browser | null> {
  if (!existsSync(CHROMIUM)) {
    const reason = `browser tests need Chromium at ${CHROMIUM} (apt-get install chromium); it is missing`;
    if (process.env.CI === 'true') {
      t.fail(reason);
      return null;
    }
    t.comment(`not running the browser tests: ${reason}`);
    return null;
  }
  if (!existsSync(SERVER_ENTRY)) {
    throw new Error(`${SERVER_ENTRY} is missing: run \`npm run build\` before the browser tests (npm test does it)`);
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  t.teardown(() => browser.close());
  return browser;
}

/** A port nobody listens on right now: bind port 0, read what the OS gave, release it. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => (port ? resolvePort(port) : reject(new Error('no free port'))));
    });
  });
}

export interface RunningDesk {
  baseUrl: string;
  dataDir: string;
  /** The extra environment the server was started with (the CLI gets it too; DATABASE_URL on PostgreSQL). */
  env: Record<string, string>;
  /** The one-time `/setup?token=...` link the server printed (absolute URL). */
  setupLink: string;
  /** Everything the server wrote so far (stdout and stderr), for failure messages. */
  output(): string;
  /** SIGTERM, wait for the exit, assert the graceful exit code 0. */
  stop(t: Test): Promise<void>;
}

/** The environment for the server and the CLI: nothing inherited may point them at other data or mail. */
function deskEnv(vars: Record<string, string>): NodeJS.ProcessEnv {
  return {
    ...process.env,
    LOG_LEVEL: 'warn', NODE_ENV: 'production',
    BASE_URL: '', DATABASE_URL: '', SMTP_URL: '', SMTP_LISTEN: '', IMAP_URL: '', SECRET_KEY: '',
    ...vars,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface DeskOptions {
  /** More environment for the server and the CLI (e.g. SMTP_URL of a test SMTP server). */
  env?: Record<string, string>;
  /**
   * The host name the browser uses (and BASE_URL names); the server still listens on 127.0.0.1.
   * `localhost` for passkeys: WebAuthn takes a domain as the relying party, never an IP address.
   */
  host?: 'localhost';
}

/**
 * Start `node dist/src/server.js` on a fresh data dir (on PostgreSQL, a fresh database dropped once
 * the server has stopped); resolves once /healthz answers 200.
 */
export async function startDesk(t: Test, options: DeskOptions = {}): Promise<RunningDesk> {
  const dataDir = mkdtempSync(join(tmpdir(), 'deskbell-e2e-'));
  const database = onPostgres ? await freshPostgresDatabase({ migrated: true }) : null;
  const port = await freePort();
  const baseUrl = `http://${options.host ?? '127.0.0.1'}:${port}`;
  const env = { ...options.env, ...(database ? { DATABASE_URL: database.url } : {}), ...(options.host ? { BASE_URL: baseUrl } : {}) };
  const child = spawn(process.execPath, [SERVER_ENTRY], {
    cwd: ROOT,
    env: deskEnv({ ...env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((r) => child.once('exit', (code, signal) => r(code ?? (signal ? -1 : null))));
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const output = () => `--- server stdout ---\n${stdout}\n--- server stderr ---\n${stderr}`;

  t.teardown(async () => {
    if (exitCode === undefined) {
      child.kill('SIGKILL');
      await exited;
    }
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  // Generous: a loaded CI machine may take long to start a server; this waits for it, it measures nothing.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exitCode !== undefined) throw new Error(`the server exited early with code ${exitCode}\n${output()}`);
    if (Date.now() > deadline) throw new Error(`the server did not answer GET /healthz within 60 s\n${output()}`);
    const status = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status, () => 0);
    if (status === 200 && /\/setup\?token=/.test(stdout)) break;
    await sleep(50);
  }
  const path = /(\/setup\?token=[^\s]+)/.exec(stdout)![1]!;

  return {
    baseUrl,
    dataDir,
    env,
    setupLink: baseUrl + path,
    output,
    async stop(t: Test) {
      if (exitCode === undefined) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 12_000);
      const code = await exited;
      clearTimeout(timer);
      t.equal(code, 0, 'the server shuts down gracefully on SIGTERM (exit code 0)', { output: code === 0 ? undefined : output() });
    },
  };
}

/** `deskbell <args>` against the desk's data directory and database (works while the server runs: SQLite WAL, or PostgreSQL). */
export function runCli(desk: RunningDesk, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolveRun, reject) => {
    const child: ChildProcess = spawn(process.execPath, [CLI_ENTRY, ...args], {
      cwd: ROOT,
      env: deskEnv({ ...desk.env, DATA_DIR: desk.dataDir, BASE_URL: desk.baseUrl }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.on('error', reject);
    child.on('exit', (code) => resolveRun({ code, out }));
  });
}

/**
 * Collects what should never happen on a page: console errors (CSP violations are reported there
 * as "Refused to ...") and uncaught exceptions. A "Failed to load resource" error is accepted
 * only for a status the test said it expects (e.g. 404 for a used link, 422 for a rejected form).
 */
export class PageProblems {
  readonly problems: string[] = [];
  /** Kept apart: the browser asks for /favicon.ico on its own, so a 404 there is its own finding. */
  readonly favicon: string[] = [];
  readonly #expectedStatuses = new Set<number>();

  constructor(page: Page) {
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      const text = message.text();
      const where = message.location().url || page.url();
      const status = /Failed to load resource: the server responded with a status of (\d+)/.exec(text);
      if (status && new URL(where, page.url()).pathname === '/favicon.ico') {
        this.favicon.push(`console error: ${text} (${where})`);
        return;
      }
      if (status && this.#expectedStatuses.has(Number(status[1]))) return;
      this.problems.push(`console error: ${text} (${where})`);
    });
    page.on('pageerror', (error) => this.problems.push(`uncaught exception: ${error.message}`));
  }

  /** The next steps expect responses with this status; the browser's console notice about them is fine. */
  expectStatus(status: number): void {
    this.#expectedStatuses.add(status);
  }

  clearExpected(): void {
    this.#expectedStatuses.clear();
  }
}

/** A small viewport screenshot in screenshots/ (git-ignored). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // caret: 'initial' -- the default 'hide' makes Playwright leave style="" attributes behind, which
  // htmx 4 then copies with setAttribute during the next swap: a CSP (style-src) violation of our own making.
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), caret: 'initial' });
}
