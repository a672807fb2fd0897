import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { loadConfig } from '../src/config.js';
import { connectDatabase, type Db } from '../src/db/connect.js';
import { MAX_PAGE, searchForAgent } from '../src/search/agent.js';
import { toActor } from '../src/users/actor.js';

/**
 * The SQL time of agent searches with and without a `tag:` filter (docs/benchmarks.md, "tags in
 * search"): every statement a request runs is timed (a Kysely plugin, from the statement's compile to
 * its result) and summed per request; the median and p95 over RUNS requests, after one warm-up.
 *   node dist/bench/tag-search.js DATABASE [QUERY...]
 * DATABASE is the desk's SQLite file or a postgres:// URL (a desk made by `deskbell demo`).
 */
const RUNS = 40;
const QUERIES = ['password', 'tag:billing password', 'tag:legal password'];

class StatementTimer implements KyselyPlugin {
  readonly #started = new Map<unknown, number>();
  total = 0;
  statements = 0;

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.#started.set(args.queryId, performance.now());
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const started = this.#started.get(args.queryId);
    if (started !== undefined) {
      this.total += performance.now() - started;
      this.statements++;
      this.#started.delete(args.queryId);
    }
    return args.result;
  }
}

const [target, ...asked] = process.argv.slice(2);
if (!target) {
  console.error('usage: tag-search.js DATABASE (SQLite file or postgres:// URL) [QUERY...]');
  process.exit(2);
}
const url = target.startsWith('postgres') ? target : `sqlite:${target}`;
const { db } = await connectDatabase(loadConfig({ ...process.env, DATABASE_URL: url }).database);
const timer = new StatementTimer();
const timed: Db = db.withPlugin(timer);
const admin = toActor(await db.selectFrom('users').selectAll().where('role', '=', 'admin').orderBy('id').executeTakeFirstOrThrow());

/** Every page of the results (ticket, and the message excerpted), as a short digest: equal before and after a change of plan. */
async function digest(q: string): Promise<string> {
  const shown: string[] = [];
  for (let page = 1; page <= MAX_PAGE; page++) {
    const result = await searchForAgent(db, admin, q, page, false);
    shown.push(...result.rows.map((r) => `${r.id}:${r.hit?.kind ?? ''}:${r.hit?.snippetHtml ?? ''}`));
    if (!result.more) break;
  }
  return `${shown.length} results, digest ${createHash('sha256').update(shown.join('\n')).digest('hex').slice(0, 12)}`;
}

const at = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!.toFixed(2);
for (const q of asked.length > 0 ? asked : QUERIES) {
  await searchForAgent(timed, admin, q, 1, false);
  const sqlTimes: number[] = [];
  const wallTimes: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    timer.total = 0;
    timer.statements = 0;
    const started = performance.now();
    await searchForAgent(timed, admin, q, 1, false);
    wallTimes.push(performance.now() - started);
    sqlTimes.push(timer.total);
  }
  sqlTimes.sort((a, b) => a - b);
  wallTimes.sort((a, b) => a - b);
  console.log(`${q.padEnd(24)} SQL p50 ${at(sqlTimes, 0.5).padStart(6)} ms  p95 ${at(sqlTimes, 0.95).padStart(6)} ms   `
    + `request p50 ${at(wallTimes, 0.5).padStart(6)} ms   ${timer.statements} statements; ${await digest(q)}`);
}
await db.destroy();
