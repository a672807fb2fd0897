import { performance } from 'node:perf_hooks';
import { connect } from '../src/db/connect.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { seedDefaults } from '../src/setup/defaults.js';
import { withSearchIndexPaused } from '../src/search/maintenance.js';
import { loadTickets, seeded } from './search-data.js';
import { timeInserts } from './search-inserts.js';
import { timeQueries } from './search-queries.js';

/**
 * The search benchmark (docs/search.md has the numbers):
 *   node dist/bench/search.js build FILE [TICKETS]   a synthetic desk, 5 messages per ticket
 *   node dist/bench/search.js query FILE             p50/p95 of agent and customer searches
 *   node dist/bench/search.js inserts                insert cost with and without the sync triggers
 */
const [command, file, count] = process.argv.slice(2);

if (command === 'build' && file) {
  const { db, sqlite } = connect(file);
  await migrateToLatest(db);
  await seedDefaults(db, 'example.test');
  const tickets = Number(count ?? 1_000_000);
  const started = performance.now();
  let loaded = 0;
  await withSearchIndexPaused(db, async () => {
    loadTickets(sqlite, tickets, 5, seeded(42));
    loaded = performance.now();
  });
  const done = performance.now();
  sqlite.exec('analyze');
  console.log(`${tickets} tickets, ${tickets * 5} messages: load ${((loaded - started) / 1000).toFixed(1)} s, `
    + `rebuildSearchIndex ${((done - loaded) / 1000).toFixed(1)} s`);
  await db.destroy();
} else if (command === 'query' && file) {
  await timeQueries(file);
} else if (command === 'inserts') {
  await timeInserts();
} else {
  console.error('usage: search.js build FILE [TICKETS] | query FILE | inserts');
  process.exit(2);
}
