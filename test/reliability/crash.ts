// Crash safety, parameterised by size: customers submit tickets (some with a file) and agents reply,
// concurrently, against the real server; it is SIGKILLed at a random moment, checked, restarted.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { readFacts } from '../../bench/facts.js';
import { logIn, type Session } from '../../bench/session.js';
import { removeAbandonedUploads } from '../../src/attachments/cleanup.js';
import { connect } from '../../src/db/connect.js';
import { header, TestSmtpServer } from '../helpers/smtp.js';
import { busyLines, demoData, inspect, serverDesk, sleep, uploadFiles } from './desk.js';

export interface CrashOptions {
  rounds: number;
  /** Concurrent writers (half customers submitting, half agents replying). */
  writers: number;
  /** The kill comes this long after the writers start, at random within [min, max] ms. */
  killAfterMs: [number, number];
}

export interface CrashResult {
  rounds: number;
  submits: number;
  replies: number;
  withFiles: number;
  mails: number;
  duplicates: number;
  orphansBeforeCleanup: number;
  tempBeforeCleanup: number;
}

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), Buffer.from('IHDR'), randomBytes(2000)]);

export async function crashRounds(t: Test, options: CrashOptions): Promise<CrashResult> {
  const dir = mkdtempSync(join(tmpdir(), 'deskbell-crash-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const smtp = new TestSmtpServer();
  await smtp.start(0);
  t.teardown(() => smtp.stop());
  const password = await demoData(dir, 40);
  const desk = await serverDesk(dir, { SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, MAIL_DOMAIN: 'desk.test' });
  t.teardown(() => desk.kill());
  const facts = readFacts(desk.database);
  await desk.start();
  const customer = await logIn(desk.url, 'customer@acme.test', password);
  const agent = await logIn(desk.url, 'agent@demo.test', password);

  const acked = { submits: new Map<number, string>(), replies: new Set<string>(), withFiles: 0 };
  let n = 0;
  const submit = async (session: Session, token: string, withFile: boolean) => {
    const form = new FormData();
    form.append('_csrf', session.csrf); // first, as the real form sends it
    form.append('typeId', String(facts.portalTypeId));
    form.append('subject', `Crash test ${token}`);
    form.append('message', `Please help: ${token}`);
    if (withFile) form.append('files', new Blob([PNG], { type: 'image/png' }), 'screen.png');
    const res = await fetch(`${desk.url}/portal/tickets`, { method: 'POST', body: form, redirect: 'manual', headers: { cookie: session.cookie } });
    const id = /\/portal\/tickets\/(\d+)/.exec(res.headers.get('location') ?? '')?.[1];
    if (res.status === 303 && id) {
      acked.submits.set(Number(id), token);
      if (withFile) acked.withFiles++;
    }
    await res.arrayBuffer();
  };
  const reply = async (session: Session, token: string) => {
    const ticket = facts.replyTicketIds[n % facts.replyTicketIds.length]!;
    const res = await fetch(`${desk.url}/agent/tickets/${ticket}/messages`, {
      method: 'POST', redirect: 'manual',
      headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: session.csrf, kind: 'reply', body: `On it: ${token}` }).toString(),
    });
    if (res.status === 303) acked.replies.add(token);
    await res.arrayBuffer();
  };

  for (let round = 1; round <= options.rounds; round++) {
    if (round > 1) await desk.start();
    let writing = true;
    const writers = Array.from({ length: options.writers }, async (_, w) => {
      let submits = 0; // each submitter's first ticket of a round, and every other one, carries a file
      while (writing) {
        const token = `tok${round}x${++n}x`;
        try {
          if (w % 2 === 0) await submit(customer, token, submits++ % 2 === 0);
          else await reply(agent, token);
        } catch { /* the server died under this request: it was never acknowledged */ }
      }
    });
    const [min, max] = options.killAfterMs;
    await sleep(min + Math.random() * (max - min));
    await desk.kill();
    writing = false;
    await Promise.all(writers);

    const problems = inspect(desk.database, (db) => {
      const found: string[] = [];
      const integrity = db.pragma('integrity_check', { simple: true });
      if (integrity !== 'ok') found.push(`integrity_check: ${String(integrity)}`);
      const subjects = new Map((db.prepare("select id, subject from tickets where subject like 'Crash test %'").all() as { id: number; subject: string }[]).map((r) => [r.id, r.subject]));
      for (const [id, token] of acked.submits) if (subjects.get(id) !== `Crash test ${token}`) found.push(`acknowledged ticket ${id} (${token}) is missing`);
      const replies = new Set((db.prepare("select body_text from messages where body_text like 'On it: tok%'").all() as { body_text: string }[])
        .map((r) => /tok\d+x\d+x/.exec(r.body_text)?.[0]));
      for (const token of acked.replies) if (!replies.has(token)) found.push(`acknowledged reply ${token} is missing`);
      const bare = db.prepare('select count(*) as n from tickets t where not exists (select 1 from messages m where m.ticket_id = t.id)').get() as { n: number };
      if (bare.n > 0) found.push(`${bare.n} tickets have no first message`);
      const dangling = db.prepare('select count(*) as n from attachments a where a.message_id is not null and not exists (select 1 from messages m where m.id = a.message_id)').get() as { n: number };
      if (dangling.n > 0) found.push(`${dangling.n} attachments point at no message`);
      return found;
    });
    t.same(problems, [], `round ${round}: after SIGKILL the database is sound and holds every acknowledged write (${acked.submits.size} tickets, ${acked.replies.size} replies so far)`);
    if (problems.length) break;
  }

  // The last restart: the queue drains, every queued mail reaches the SMTP server.
  await desk.start();
  // Generous: on a machine busy with other disk-heavy work the drain took over a minute (CI).
  const deadline = Date.now() + 180_000;
  let waiting = Infinity;
  while (Date.now() < deadline) {
    waiting = inspect(desk.database, (db) => (db.prepare("select count(*) as n from jobs where kind in ('mail', 'notify') and state = 'queued'").get() as { n: number }).n);
    if (waiting === 0) break;
    await sleep(250);
  }
  t.equal(waiting, 0, 'after the restart the mail queue drains (no job waits out a dead process\'s lease)');
  t.equal(await desk.stop(), 0, 'the server stops gracefully');
  t.same(busyLines(desk.log()), [], 'no SQLITE_BUSY in the server log');

  const queued = inspect(desk.database, (db) => ({
    jobs: db.prepare("select state, payload from jobs where kind = 'mail'").all() as { state: string; payload: string }[],
    twice: (db.prepare('select count(*) as n from (select 1 from mail_log where message_ref is not null group by message_ref, recipient, kind having count(*) > 1)').get() as { n: number }).n,
  }));
  const received = new Map<string, number>();
  for (const mail of smtp.received) {
    const id = header(mail.raw, 'Message-ID') ?? '';
    received.set(id, (received.get(id) ?? 0) + 1);
  }
  const missing = queued.jobs.filter((j) => !received.has((JSON.parse(j.payload) as { messageId: string }).messageId));
  t.same(queued.jobs.filter((j) => j.state !== 'done').length, 0, 'every mail job is done (none dead)');
  t.same(missing.length, 0, 'every queued mail arrived, under the Message-ID chosen when it was queued');
  t.equal(queued.twice, 0, 'no notification was queued twice for the same message and person');
  const duplicates = [...received.values()].reduce((sum, count) => sum + count - 1, 0);
  t.ok(duplicates <= options.rounds, `at most one duplicate per crash (${duplicates} in ${options.rounds} crashes), with the same Message-ID`);
  t.ok(queued.jobs.length > 0, `mail was sent (${queued.jobs.length} mails)`);

  // Files: none without a row once the clean-up has run (the hourly job, here with no grace period:
  // the server is stopped, nothing is in flight), and no temporary file.
  const before = uploadFiles(desk.uploads);
  const known = inspect(desk.database, (db) => new Set((db.prepare('select storage_key from attachments').all() as { storage_key: string }[]).map((r) => r.storage_key)));
  const orphansBeforeCleanup = before.stored.filter((key) => !known.has(key)).length;
  const { db } = connect(desk.database);
  try {
    await removeAbandonedUploads(db, desk.uploads, 0);
  } finally {
    await db.destroy();
  }
  const after = uploadFiles(desk.uploads);
  const stillKnown = inspect(desk.database, (db) => new Set((db.prepare('select storage_key from attachments').all() as { storage_key: string }[]).map((r) => r.storage_key)));
  t.same(after.stored.filter((key) => !stillKnown.has(key)), [], 'no stored file without its row');
  t.same(after.temp, [], 'no temporary file');
  t.ok(acked.withFiles > 0, `some acknowledged tickets carried a file (${acked.withFiles})`);

  return {
    rounds: options.rounds, submits: acked.submits.size, replies: acked.replies.size, withFiles: acked.withFiles,
    mails: queued.jobs.length, duplicates, orphansBeforeCleanup, tempBeforeCleanup: before.temp.length,
  };
}
