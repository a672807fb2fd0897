import { performance } from 'node:perf_hooks';
import { connect } from '../src/db/connect.js';
import { myTickets, parseMyTicketsQuery } from '../src/portal/my-tickets.js';
import { searchForAgent } from '../src/search/index.js';
import { toActor, type Actor } from '../src/users/actor.js';
import type { Db } from '../src/db/connect.js';

const RUNS = 30;

async function timed(label: string, run: () => Promise<unknown>): Promise<void> {
  await run();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const at = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!.toFixed(1);
  console.log(`${label.padEnd(44)} p50 ${at(0.5).padStart(6)} ms   p95 ${at(0.95).padStart(6)} ms`);
}

async function actorFor(db: Db, role: 'admin' | 'customer'): Promise<Actor> {
  let user = await db.selectFrom('users').selectAll().where('role', '=', role).orderBy('id').executeTakeFirst();
  if (!user) {
    const now = new Date().toISOString();
    await db.insertInto('users').values({ email: 'bench-admin@example.test', name: 'Bench Admin', role, state: 'active', password_hash: null,
      organization_id: null, created_at: now, updated_at: now }).execute();
    user = await db.selectFrom('users').selectAll().where('role', '=', role).orderBy('id').executeTakeFirstOrThrow();
  }
  return toActor(user);
}

/** p50/p95 over RUNS runs of each query, on a database made by `search.js build`. */
export async function timeQueries(file: string): Promise<void> {
  const { db, sqlite } = connect(file);
  const admin = await actorFor(db, 'admin');
  const customer = await actorFor(db, 'customer');
  sqlite.exec(`create virtual table temp.search_messages_v using fts5vocab(main, search_messages, 'row')`);
  const rare = (sqlite.prepare(`select term from search_messages_v where doc between 20 and 200 limit 1`).get() as { term: string } | undefined)?.term;
  const counts = (term: string) => (sqlite.prepare('select doc from search_messages_v where term = ?').get(term) as { doc: number } | undefined)?.doc ?? 0;
  console.log(`messages containing: please ${counts('please')}, invoice ${counts('invoice')}, ${rare} ${counts(rare ?? '')}`);
  const agent = (q: string) => () => searchForAgent(db, admin, q, 1, false);
  for (const q of ['please', 'invoice', rare ?? 'x', 'invo', 'pleas', '"please help"', 'invoice printer', 'invoice status:solved',
    'please assignee:me', 'status:open', `#${500_000}`]) {
    await timed(`agent  ${q}`, agent(q));
  }
  const portal = (q: string) => () => myTickets(db, customer, parseMyTicketsQuery({ q }));
  for (const q of ['please', 'invoice', rare ?? 'x', 'pleas']) await timed(`customer (My tickets) ${q}`, portal(q));
  await db.destroy();
}
