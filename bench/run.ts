// `npm run bench [-- --tickets N --seconds S --connections 10,50 --cache DIR]`: how fast the real
// server answers over a large desk, next to a bare Fastify floor. Prints figures and pass/miss per
// target; nothing here fails on a slow machine (speed targets live here, never in a timed test).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runBench } from './bench.js';
import { ROOT } from './paths.js';
import { formatReport } from './report.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    tickets: { type: 'string', default: '1000000' },
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '10,50' },
    cache: { type: 'string', default: join(ROOT, '.bench') },
  },
});
const tickets = Number(positionals[0] ?? values.tickets);
const seconds = Number(values.seconds);
const connections = values.connections.split(',').map(Number);
if (!Number.isSafeInteger(tickets) || tickets < 100 || !(seconds > 0) || connections.some((c) => !Number.isSafeInteger(c) || c < 1)) {
  process.stderr.write('usage: npm run bench -- [N | --tickets N (>= 100)] [--seconds S] [--connections 10,50] [--cache DIR]\n');
  process.exit(2);
}
mkdirSync(values.cache, { recursive: true });
const started = Date.now();
runBench({ tickets, seconds, connections, cacheDir: values.cache, log: (line) => process.stderr.write(`bench: ${line}\n`) })
  .then((report) => {
    process.stdout.write(`${formatReport(report)}\nwhole run: ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  })
  .catch((error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
