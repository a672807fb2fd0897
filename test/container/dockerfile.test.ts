import { readFileSync } from 'node:fs';
import t from 'tap';

// No Docker engine runs on these machines, so the image itself is not built here. What is checked:
// the image's shape, and that its build steps are the npm commands the rest of the suite runs.
const dockerfile = readFileSync('Dockerfile', 'utf8').replace(/\\\n/g, ' ');
const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
const stages = dockerfile.split(/^FROM /m).slice(1);

t.test('the image is built in one stage and run from a slim one', async (t) => {
  t.equal(stages.length, 2, 'two stages');
  t.match(stages[0], /^\S+ AS build/);
  t.match(stages[1], /^node:\d+-\S*slim\S* AS runtime/);
  const major = (stage: string) => Number(/^node:(\d+)/.exec(stage)?.[1]);
  t.equal(major(stages[0]!), 26, 'built on Node 26, the line CI runs the whole suite on');
  t.equal(major(stages[1]!), 26, 'and run on it');
});

t.test('the build stage only runs npm commands that exist, and installs no compiler', async (t) => {
  const runs = [...stages[0]!.matchAll(/^RUN (.+)$/gm)].map((m) => m[1]!.trim());
  const npm = runs.filter((r) => r.startsWith('npm '));
  t.same(npm, ['npm ci', 'npm run build', 'npm prune --omit=dev']);
  for (const step of npm) {
    const script = /^npm run (\S+)/.exec(step)?.[1];
    if (script) t.ok(scripts[script], `package.json has a "${script}" script`);
  }
  t.same(runs.filter((r) => !r.startsWith('npm ')), [], 'no other step (better-sqlite3 13 is prebuilt: no toolchain)');
  t.notMatch(dockerfile, /(^|\s)(g\+\+|gcc|make|python3|build-essential)(\s|$)/m, 'no C++ toolchain anywhere in the image');
});

t.test('the runtime stage is non-root, keeps data on /data, checks /healthz and stops on SIGTERM', async (t) => {
  const runtime = stages[1]!;
  const user = /^USER (\S+)/m.exec(runtime)?.[1];
  t.ok(user && user !== 'root' && user !== '0', `runs as ${user}`);
  t.match(runtime, /^VOLUME \/data$/m);
  t.match(runtime, /DATA_DIR=\/data/);
  t.match(runtime, /^HEALTHCHECK .*\/healthz/m);
  t.match(runtime, /^STOPSIGNAL SIGTERM$/m);
  t.notMatch(runtime, /npm (ci|install)/, 'no dependencies are installed in the runtime stage (dev ones were pruned)');
  t.match(runtime, /^CMD \["node", "dist\/src\/server\.js"\]$/m);
});
