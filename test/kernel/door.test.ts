// The write door (issue 17): only the kernel (src/kernel/) inserts into `tickets`, `messages` and
// `ticket_events`, whether through Kysely or raw SQL. Demo data (src/ops/demo*) is the one exception.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import t from 'tap';

const ROOT = join(import.meta.dirname, '..', '..');
const SRC = join(ROOT, 'src');
const TABLES = ['tickets', 'messages', 'ticket_events'];
const INSERT = new RegExp(String.raw`insertInto\(\s*['"\`](${TABLES.join('|')})['"\`]\s*\)|insert\s+(?:or\s+\w+\s+)?into\s+["\`]?(${TABLES.join('|')})["\`]?[\s(]`, 'i');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const allowed = (path: string) => path.startsWith('src/kernel/') || /^src\/ops\/demo[\w-]*\.ts$/.test(path);

t.test('only the kernel inserts tickets, messages and history lines', async (t) => {
  const offenders: string[] = [];
  let kernel = 0;
  for (const file of files(SRC)) {
    const path = relative(ROOT, file).split('\\').join('/');
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (!INSERT.test(line)) return;
      if (path.startsWith('src/kernel/')) kernel++;
      else if (!allowed(path)) offenders.push(`${path}:${i + 1}: ${line.trim()}`);
    });
  }
  t.same(offenders, [], 'no file outside src/kernel/ writes those tables');
  t.ok(kernel >= 3, 'the kernel itself does (the check would see an insert)');
});

t.test('the check catches the forms an insert takes', async (t) => {
  for (const line of ["await trx.insertInto('messages').values({", 'db.insertInto("ticket_events")', "sqlite.prepare('INSERT INTO tickets (subject) values (?)')"]) {
    t.ok(INSERT.test(line), line);
  }
  for (const line of ["trx.insertInto('ticket_ccs')", "insertInto('ticket_types')", 'insert into ticket_seen (ticket_id)']) {
    t.notOk(INSERT.test(line), line);
  }
});

// Mail is composed by the notifications consumer (src/notify/) from the event stream, never inside a
// verb: only the mail plumbing, the consumers' context, the app that builds it and the mail-in
// channel's own answers (a refusal, a bounce) hold a mail context.
const MAIL_CONTEXT_HOLDERS = /^src\/(mail|notify|mailin)\/|^src\/events\/consumer\.ts$|^src\/app\.ts$/;

t.test('no verb takes a mail context', async (t) => {
  const holders: string[] = [];
  const offenders: string[] = [];
  for (const file of files(SRC)) {
    const path = relative(ROOT, file).split('\\').join('/');
    if (!/\bMailContext\b/.test(readFileSync(file, 'utf8'))) continue;
    (MAIL_CONTEXT_HOLDERS.test(path) ? holders : offenders).push(path);
  }
  t.same(offenders, [], 'verbs record events; the consumer composes the mail');
  t.ok(holders.includes('src/notify/consumer.ts') || holders.some((p) => p.startsWith('src/notify/')), 'the check sees the consumer side');
});
