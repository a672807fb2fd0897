// Pages above features (issue 17 point 5): screens that combine features are assembled in the page
// layers (src/agent/, src/portal/), so the arrows between folders point one way. Read from the
// source: the ticket domain imports no fleet, chat, video or saved views; nothing outside the page
// layers (src/portal/, src/agent/) reaches into them but the route list; and the mail-in pipeline has no import circle.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import t from 'tap';

const ROOT = join(import.meta.dirname, '..', '..');

/** Every .ts file under a folder of the repository, as repository paths (`src/tickets/list.ts`). */
function files(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = `${dir}/${name}`;
    return statSync(join(ROOT, path)).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  }).sort();
}

// `import … from '…'` and `export … from '…'` (also over several lines), `import '…'`, `import('…')`.
const IMPORT = /^\s*(?:import|export)\s[^;]*?\bfrom\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm;

/** The repository paths a file imports by a relative path (type-only imports too: they are arrows as well). */
function relativeImports(path: string, source: string): string[] {
  return [...source.matchAll(IMPORT)]
    .map((m) => m[1] ?? m[2] ?? m[3] ?? '')
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => relative(ROOT, resolve(ROOT, dirname(path), spec)).split('\\').join('/').replace(/\.js$/, '.ts'));
}

const importsOf = (path: string) => relativeImports(path, readFileSync(join(ROOT, path), 'utf8'));

/** One circle in a graph of imports (`a.ts -> b.ts -> a.ts`), or null when the arrows run one way. */
function findCycle(graph: Map<string, string[]>): string[] | null {
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (node: string): string[] | null => {
    const at = path.indexOf(node);
    if (at >= 0) return [...path.slice(at), node];
    if (done.has(node)) return null;
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    done.add(node);
    return null;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return null;
}

const SIDEWAYS = ['src/fleet/', 'src/chat/', 'src/video/', 'src/saved-views/'];

t.test('the ticket domain imports no fleet, chat, video or saved views (the agent layer does)', async (t) => {
  const offenders: string[] = [];
  const domain = files('src/tickets');
  for (const path of domain) {
    for (const target of importsOf(path)) {
      if (SIDEWAYS.some((folder) => target.startsWith(folder))) offenders.push(`${path} imports ${target}`);
    }
  }
  t.same(offenders, [], 'src/tickets/ stays below the features beside it');
  t.ok(domain.length > 5, 'the check reads the ticket domain');
});

for (const layer of ['src/portal/', 'src/agent/']) {
  t.test(`nothing outside ${layer} imports from it but the route list`, async (t) => {
    const offenders = files('src')
      .filter((path) => !path.startsWith(layer) && path !== 'src/features.ts')
      .flatMap((path) => importsOf(path).filter((target) => target.startsWith(layer)).map((target) => `${path} imports ${target}`));
    t.same(offenders, [], 'features and channels reach verbs in the domain; only the page layer assembles pages');
    t.ok(importsOf('src/features.ts').some((target) => target.startsWith(layer)), 'the route list does (the check would see it)');
  });
}

t.test('the imports inside src/mailin/ run one way', async (t) => {
  const graph = new Map(files('src/mailin').map((path) => [path, importsOf(path).filter((target) => target.startsWith('src/mailin/'))]));
  t.ok([...graph.values()].flat().length > 20, 'the check sees the pipeline\'s imports');
  const cycle = findCycle(graph);
  t.equal(cycle?.join(' -> ') ?? null, null, 'no import circle');
});

t.test('the checks catch the forms an import takes, and a circle', async (t) => {
  const source = [
    "import { a } from './a.js';",
    "import type { B } from '../fleet/b.js';",
    'import {\n  c,\n  d,\n} from "./c.js";',
    "export { e } from './e.js';",
    "export type { F } from './f.js';",
    "import './schema.js';",
    "const g = await import('./g.js');",
    "import t from 'tap';",
    "const text = 'not an import from \\'./h.js\\'';",
  ].join('\n');
  t.same(relativeImports('src/tickets/x.ts', source), [
    'src/tickets/a.ts', 'src/fleet/b.ts', 'src/tickets/c.ts', 'src/tickets/e.ts', 'src/tickets/f.ts', 'src/tickets/schema.ts', 'src/tickets/g.ts',
  ]);
  t.same(findCycle(new Map([['a', ['b']], ['b', ['c', 'd']], ['c', []], ['d', ['b']]])), ['b', 'd', 'b']);
  t.equal(findCycle(new Map([['a', ['b', 'c']], ['b', ['c']], ['c', []]])), null, 'a diamond is no circle');
});
