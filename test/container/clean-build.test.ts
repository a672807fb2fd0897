import { execFile, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { tempDir } from '../helpers/app.js';
import { ROOT } from '../helpers/cli.js';
import { onPostgres } from '../helpers/database.js';

/**
 * The Dockerfile's steps, run outside Docker (no engine runs here) in a clean copy of the tree:
 *   build stage    COPY the tracked files, `npm ci`, `npm run build`, `npm prune --omit=dev`
 *   runtime stage  only the paths its `COPY --from=build` lines name, then its CMD with DATA_DIR on
 *                  an empty /data-like directory, and its HEALTHCHECK command against that server.
 * One difference, on purpose: `npm ci` is a network install, so the copy gets this checkout's
 * node_modules instead (hard-linked, so pruning the copy leaves the original alone). Its native
 * better-sqlite3 was compiled for this machine's Node, where the image compiles it for Node 22.
 */
const run = promisify(execFile);
t.setTimeout(10 * 60_000);

const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
const [, build, runtime] = dockerfile.split(/^FROM /m) as [string, string, string];

let tracked: string[] = [];
try {
  tracked = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
} catch {
  // not a git checkout
}
const modules = join(ROOT, 'node_modules');
if (tracked.length === 0 || !existsSync(join(modules, 'typescript'))) t.plan(0, 'needs a git checkout with node_modules installed');
else if (onPostgres) t.plan(0, 'SQLite only: the image\'s default desk is a SQLite file in /data (the build does not depend on the database)');
else imageSteps();

function imageSteps() {

  const root = tempDir(t, 'deskbell-image-');
  const app = join(root, 'build', 'app');
  const image = join(root, 'runtime', 'app');
  const data = join(root, 'data');
  const npm = (...args: string[]) => run('npm', args, { cwd: app, encoding: 'utf8', maxBuffer: 1 << 24, env: { ...process.env, npm_config_update_notifier: 'false' } });

  t.test('build stage: a clean copy of the tracked files builds, and pruning leaves no dev dependency', async (t) => {
    t.match(build, /^COPY \. \.$/m, 'the image copies the tree');
    for (const file of tracked) {
      if (!existsSync(join(ROOT, file))) continue; // deleted, not yet committed
      mkdirSync(dirname(join(app, file)), { recursive: true });
      copyFileSync(join(ROOT, file), join(app, file));
    }
    t.notOk(existsSync(join(app, 'dist')), 'nothing built is copied');
    // Stands in for `RUN npm ci` (see above).
    try {
      execFileSync('cp', ['-al', realpathSync(modules), join(app, 'node_modules')]);
    } catch {
      rmSync(join(app, 'node_modules'), { recursive: true, force: true });
      execFileSync('cp', ['-a', realpathSync(modules), join(app, 'node_modules')]); // another file system
    }
    // npm rewrites its hidden lockfile: give the copy a file of its own rather than a link.
    const hidden = join(app, 'node_modules', '.package-lock.json');
    if (existsSync(hidden)) { rmSync(hidden); copyFileSync(join(modules, '.package-lock.json'), hidden); }

    await npm('run', 'build');
    t.ok(existsSync(join(app, 'dist', 'src', 'server.js')), 'npm run build compiled the server');
    t.ok(existsSync(join(app, 'public', 'vendor', 'htmx.min.js')), 'and copied htmx into public/vendor');

    await npm('prune', '--omit=dev', '--offline', '--no-audit', '--no-fund');
    const pkg = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    for (const dev of Object.keys(pkg.devDependencies)) t.notOk(existsSync(join(app, 'node_modules', dev)), `no ${dev} after pruning`);
    for (const dep of Object.keys(pkg.dependencies)) t.ok(existsSync(join(app, 'node_modules', dep)), `${dep} is kept`);
    t.ok(existsSync(join(modules, 'typescript')), 'the original node_modules is untouched');
  });

  t.test('runtime stage: its copied paths alone start the app on an empty /data and pass the HEALTHCHECK', async (t) => {
    const copies = [...runtime.matchAll(/^COPY --from=build (?:--\S+ )*\/app\/(\S+) \.\/(\S*)$/gm)].map((m) => [m[1]!, m[2]!] as const);
    t.ok(copies.length >= 5, `the runtime stage copies ${copies.map(([from]) => from).join(', ')}`);
    for (const [from, to] of copies) cpSync(join(app, from), join(image, to || from), { recursive: true, verbatimSymlinks: true });
    mkdirSync(data);

    const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: root, LOG_LEVEL: 'info', PORT: '0' };
    for (const [, name, value] of (/^ENV (.+)$/m.exec(runtime)?.[1] ?? '').matchAll(/(\w+)=(\S+)/g)) env[name!] = value!;
    t.equal(env.DATA_DIR, '/data');
    t.equal(env.HOST, '0.0.0.0');
    Object.assign(env, { DATA_DIR: data, HOST: '127.0.0.1', PORT: '0' }); // a free port on loopback here

    const cmd = JSON.parse(/^CMD (\[.+\])$/m.exec(runtime)![1]!) as string[];
    t.equal(cmd[0], 'node');
    const server = spawn(process.execPath, cmd.slice(1), { cwd: image, env, stdio: ['ignore', 'pipe', 'pipe'] });
    t.teardown(() => { server.kill('SIGKILL'); });
    let out = '';
    const port = await new Promise<string>((resolve, reject) => {
      server.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
        if (match) resolve(match[1]!);
      });
      server.stderr!.on('data', (chunk: Buffer) => { out += chunk.toString(); });
      server.once('exit', (code) => reject(new Error(`the server exited with ${code}: ${out}`)));
      setTimeout(() => reject(new Error(`no "listening" line in 30 s: ${out}`)), 30_000);
    });
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    t.equal(health.status, 200, '/healthz answers 200');
    t.ok(existsSync(join(data, 'deskbell.db')), 'the database is created in DATA_DIR');
    t.ok(existsSync(join(data, 'secret.key')), 'and the generated secret key beside it');
    await new Promise((r) => setTimeout(r, 200));
    t.match(out, /Create the first one here \(the link works once\):\n\s+http:\S+\/setup\?token=/, 'the setup link is printed');

    const check = JSON.parse(/^HEALTHCHECK .*CMD (\[.+\])$/m.exec(runtime)![1]!) as string[];
    t.equal(check[0], 'node');
    const probe = await run(process.execPath, check.slice(1), { cwd: image, env: { ...env, PORT: port } }).then(() => 0, (e: { code: number }) => e.code);
    t.equal(probe, 0, 'the HEALTHCHECK command succeeds against the running server');

    const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
    server.kill('SIGTERM'); // the image's STOPSIGNAL
    t.equal(await exited, 0, 'SIGTERM ends the server cleanly');
    t.notOk(existsSync(join(data, 'deskbell.pid')), 'and it removed its pid file');
    const stopped = await run(process.execPath, check.slice(1), { cwd: image, env: { ...env, PORT: port } }).then(() => 0, (e: { code: number }) => e.code);
    t.equal(stopped, 1, 'the HEALTHCHECK fails once the server is gone');
  });
}
