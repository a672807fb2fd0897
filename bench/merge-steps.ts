// `node dist/bench/merge-steps.js COPY.db PAGES EVERY WRITES`: how FTS5 merge steps of PAGES pages,
// run after every EVERY single-row writes to the messages' index, keep up with WRITES such writes
// (src/search/merging.ts), on a COPY of a bench desk (it writes to it). Prints the steps' and the
// writes' times, and the writes that waited more than 100 ms. In-process, no HTTP: what a write
// transaction and a merge step cost, apart from the server's other work.
import SQLite from 'better-sqlite3';

const [path, pagesArg, everyArg, writesArg] = process.argv.slice(2);
const [pages, every, writes] = [Number(pagesArg), Number(everyArg), Number(writesArg)];
if (!path || !(pages > 0) || !(every > 0) || !(writes > 0)) {
  process.stderr.write('usage: node dist/bench/merge-steps.js COPY.db PAGES EVERY WRITES\n');
  process.exit(2);
}

const db = new SQLite(path, { fileMustExist: true });
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
// As a serving desk is set (takeOverMerging): no merge inside writes until a level has 64 segments.
db.exec(`insert into search_messages(search_messages, rank) values ('automerge', 0);
  insert into search_messages(search_messages, rank) values ('crisismerge', 64)`);
const first = (db.prepare('select max(id) as id from messages').get() as { id: number }).id + 1000;
const insert = db.prepare('insert into search_messages(rowid, body_text) values (?, ?)');
const merge = db.prepare(`insert into search_messages(search_messages, rank) values ('merge', ${pages})`);
const write = db.transaction((n: number) => insert.run(first + n, `The printer on floor ${n % 9} stopped at ${n}: password reset, request ${n}.`));

const timed = (run: () => unknown) => {
  const started = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - started) / 1e6;
};
const steps: number[] = [];
const writeTimes: number[] = [];
const waits: string[] = [];
for (let n = 0; n < writes; n++) {
  const ms = timed(() => write(n));
  writeTimes.push(ms);
  if (ms > 100) waits.push(`write ${n}: ${ms.toFixed(0)} ms`);
  if (n % every === every - 1) {
    const step = timed(() => merge.run());
    steps.push(step);
    if (step > 100) waits.push(`step after write ${n}: ${step.toFixed(0)} ms`);
  }
}
db.close();

const summary = (label: string, values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(2);
  const total = values.reduce((sum, v) => sum + v, 0);
  return `${label}: ${values.length}, ${total.toFixed(0)} ms in all, p50 ${at(0.5)} p90 ${at(0.9)} p99 ${at(0.99)} max ${at(1)} ms`;
};
process.stdout.write(`${pages} pages every ${every} writes\n${summary('steps', steps.length ? steps : [0])}\n${summary('writes', writeTimes)}\n`
  + `over 100 ms: ${waits.length ? waits.join('; ') : 'none'}\n`);
