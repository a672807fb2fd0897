// `npm run bench [-- --tickets N --seconds S --connections 10,50 --cache DIR --only NAMES]`: how fast the real
// server answers over a large desk, next to a bare Fastify floor. `--db postgres` moves the desk into
// PostgreSQL first (`--pg URL`: the bench's own database, made and dropped by the run), and
// `--instances 2` then measures the same cases through nginx in front of one instance and of two.
// Prints figures and pass/miss per target; nothing here fails on a slow machine (speed targets live
// here, never in a timed test).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runBench } from './bench.js';
import { ROOT } from './paths.js';
import { DEFAULT_BENCH_PG, isBenchDatabaseUrl } from './postgres.js';
import { formatReport } from './report.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    tickets: { type: 'string', default: '1000000' },
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '10,50' },
    cache: { type: 'string', default: join(ROOT, '.bench') },
    db: { type: 'string', default: 'sqlite' },
    pg: { type: 'string', default: DEFAULT_BENCH_PG },
    instances: { type: 'string', default: '1' },
    nginx: { type: 'string' },
    'keep-db': { type: 'boolean', default: false },
    only: { type: 'string' },
    'in-place': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
const tickets = Number(positionals[0] ?? values.tickets);
const seconds = Number(values.seconds);
const connections = values.connections.split(',').map(Number);
const db = values.db;
const instances = Number(values.instances);
if (values.help || !Number.isSafeInteger(tickets) || tickets < 100 || !(seconds > 0) || connections.some((c) => !Number.isSafeInteger(c) || c < 1)
  || (db !== 'sqlite' && db !== 'postgres') || (instances !== 1 && instances !== 2) || (instances === 2 && db !== 'postgres') || !isBenchDatabaseUrl(values.pg)) {
  process.stderr.write('usage: npm run bench -- [N | --tickets N (>= 100)] [--seconds S] [--connections 10,50] [--cache DIR]\n'
    + '         [--db sqlite|postgres] [--pg postgres://…/deskbell_bench…] [--keep-db] [--instances 1|2 (2: PostgreSQL only)] [--nginx PATH]\n'
    + '         [--only "part of a case name,another"] [--in-place (SQLite: on the cached desk itself, not a copy; PostgreSQL: on the database --keep-db kept)]\n');
  process.exit(values.help ? 0 : 2);
}
mkdirSync(values.cache, { recursive: true });
const started = Date.now();
runBench({
  tickets, seconds, connections, cacheDir: values.cache, log: (line) => process.stderr.write(`bench: ${line}\n`),
  db, postgresUrl: values.pg, instances: instances === 2 ? 2 : 1, keepDatabase: values['keep-db'], ...(values.nginx ? { nginx: values.nginx } : {}),
  inPlace: values['in-place'],
  ...(values.only ? { only: values.only.split(',').map((part) => part.trim()).filter(Boolean) } : {}),
})
  .then((report) => {
    process.stdout.write(`${formatReport(report)}\nwhole run: ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  })
  .catch((error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
