// The write door (issue 17): only the kernel (src/kernel/) writes `tickets`, `messages` and
// `ticket_events` (and a ticket's CCs, custom field values and tags, which changeTicket owns): no other file
// inserts, updates or deletes their rows, whether through Kysely or raw SQL. Demo data (src/ops/demo*)
// is the one exception.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import t from 'tap';

const ROOT = join(import.meta.dirname, '..', '..');
const SRC = join(ROOT, 'src');
const TABLES = ['tickets', 'messages', 'ticket_events', 'ticket_ccs', 'ticket_field_values', 'ticket_tags', 'ticket_links'];
const NAME = `(?:${TABLES.join('|')})`;
const WRITE = new RegExp([
  String.raw`(?:insertInto|updateTable|deleteFrom)\(\s*['"\`]${NAME}(?:\s+as\s+\w+)?['"\`]\s*\)`,
  String.raw`insert\s+(?:or\s+\w+\s+)?into\s+["\`]?${NAME}["\`]?[\s(]`,
  String.raw`\bupdate\s+(?:or\s+\w+\s+)?["\`]?${NAME}["\`]?\s+(?:as\s+\w+\s+)?set\b`,
  String.raw`delete\s+from\s+["\`]?${NAME}["\`]?(?:[\s;'"\`)]|$)`,
].join('|'), 'i');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const allowed = (path: string) => path.startsWith('src/kernel/') || /^src\/ops\/demo[\w-]*\.ts$/.test(path);

t.test('only the kernel writes tickets, messages, history lines, CCs and field values', async (t) => {
  const offenders: string[] = [];
  let kernel = 0;
  for (const file of files(SRC)) {
    const path = relative(ROOT, file).split('\\').join('/');
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (!WRITE.test(line)) return;
      if (path.startsWith('src/kernel/')) kernel++;
      else if (!allowed(path)) offenders.push(`${path}:${i + 1}: ${line.trim()}`);
    });
  }
  t.same(offenders, [], 'no file outside src/kernel/ writes those tables');
  t.ok(kernel >= 10, 'the kernel itself does (the check would see a write)');
});

t.test('the check catches the forms a write takes', async (t) => {
  const writes = [
    "await trx.insertInto('messages').values({", 'db.insertInto("ticket_events")', "sqlite.prepare('INSERT INTO tickets (subject) values (?)')",
    "await trx.updateTable('tickets').set({ subject })", "trx.updateTable('tickets as t')", "await db.deleteFrom('messages').where('id', '=', id)",
    "trx.insertInto('ticket_ccs')", "trx.deleteFrom( 'ticket_field_values' )", 'sql`update tickets set subject = ${s}`',
    'UPDATE "ticket_events" SET actor_id = 1', "sqlite.exec('DELETE FROM tickets')", 'sql`delete from ticket_ccs where user_id = ${id}`',
    "sqlite.exec('delete from messages')",
  ];
  for (const line of writes) t.ok(WRITE.test(line), line);
  const others = [
    "insertInto('ticket_types')", 'insert into ticket_seen (ticket_id)', "trx.updateTable('ticket_members')", "deleteFrom('ticket_seen')",
    'update ticket_seen set', 'delete from messages_fts', "selectFrom('tickets')", 'on conflict (key) do update set value = excluded.value',
    '// Updated tickets set the pace', "deleteFrom('tickets_archive')",
  ];
  for (const line of others) t.notOk(WRITE.test(line), line);
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
