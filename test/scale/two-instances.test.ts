// Several identical app instances over one PostgreSQL database (issue 18): two real servers, any
// request to either. A session made on one works on the other; a chat line posted on A is pushed
// live to a page served by B (the event stream + LISTEN/NOTIFY), and who is viewing a ticket on A is
// shown on B (presence, NOTIFY on its own channel); queued jobs run once each whatever
// worker takes them (FOR UPDATE SKIP LOCKED); a sign-in limit counts tries made on both.
import t, { type Test } from 'tap';
import { logIn, type Session } from '../../bench/session.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/open.js';
import { queueMail } from '../../src/mail/outbox.js';
import { tempDir } from '../helpers/app.js';
import { postgresDatabase } from '../helpers/database.js';
import { makeTickets, makeUser, PASSWORD } from '../helpers/factories.js';
import { header, TestSmtpServer } from '../helpers/smtp.js';
import { built } from '../helpers/cli.js';
import { serverDesk, sleep, type ServerDesk } from '../reliability/desk.js';

async function form(desk: ServerDesk, session: Session, path: string, body: Record<string, string>) {
  const res = await fetch(desk.url + path, {
    method: 'POST', redirect: 'manual',
    headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: session.csrf, ...body }).toString(),
  });
  await res.arrayBuffer();
  return res.status;
}

/** A server-sent event stream read into a string; `waitFor` resolves true once the text matches. */
async function stream(t: Test, url: string, cookie: string) {
  const controller = new AbortController();
  t.teardown(() => controller.abort());
  const res = await fetch(url, { headers: { cookie, accept: 'text/event-stream' }, signal: controller.signal });
  let text = '';
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  void (async () => {
    for (;;) {
      const chunk = await reader.read().catch(() => ({ done: true as const, value: undefined }));
      if (chunk.done) return;
      text += decoder.decode(chunk.value, { stream: true });
    }
  })();
  return {
    status: res.status,
    /** What arrived so far. */
    text: () => text,
    async waitFor(pattern: RegExp, ms = 5000, from = 0) {
      for (const end = Date.now() + ms; Date.now() < end; await sleep(20)) if (pattern.test(text.slice(from))) return true;
      return pattern.test(text.slice(from));
    },
    close: () => controller.abort(),
  };
}

/** Wait until the page at `path` matches (or not): what a person reloading it would see. */
async function pageShows(url: string, cookie: string, pattern: RegExp, shown = true, ms = 10_000) {
  for (const end = Date.now() + ms; ;) {
    const body = await fetch(url, { headers: { cookie } }).then((r) => r.text());
    if (pattern.test(body) === shown || Date.now() > end) return pattern.test(body) === shown;
    await sleep(100);
  }
}

t.test('two instances over one PostgreSQL database behave as one desk', { skip: !built() && 'needs `npm run build`' }, async (t) => {
  const url = await postgresDatabase(t);
  const smtp = new TestSmtpServer();
  await smtp.start(0);
  t.teardown(() => smtp.stop());

  // The desk: schema, an agent, a customer and her ticket, written once before the instances start.
  const dirA = tempDir(t);
  const { db } = await openDatabase(loadConfig({ DATA_DIR: dirA, DATABASE_URL: url, LOG_LEVEL: 'silent' }));
  const kim = await makeUser(db, 'agent', { name: 'Kim Agent', email: 'kim@desk.test' });
  const cora = await makeUser(db, 'customer', { name: 'Cora Customer', email: 'cora@example.test' });
  const [id] = await makeTickets(db, 1, { requesterId: cora.id, subject: 'Printer offline', groupId: 1 });

  const env = { DATABASE_URL: url, DATABASE_POOL_SIZE: '4', SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, MAIL_DOMAIN: 'desk.test' };
  const a = await serverDesk(dirA, env);
  // B polls once a minute: what reaches it within seconds came by LISTEN/NOTIFY, not by its poll.
  const b = await serverDesk(tempDir(t), { ...env, JOB_POLL_MS: '60000' });
  t.teardown(async () => { await a.stop(); await b.stop(); await db.destroy(); });
  await Promise.all([a.start(), b.start()]);

  await t.test('a session made on A works on B', async (t) => {
    const agent = await logIn(a.url, kim.email, PASSWORD);
    const page = await fetch(`${b.url}/agent/tickets/${id}`, { headers: { cookie: agent.cookie }, redirect: 'manual' });
    t.equal(page.status, 200, 'B knows the session');
    t.match(await page.text(), 'Printer offline');
    t.equal(await form(b, agent, `/agent/tickets/${id}/chat`, { body: 'Written on B' }), 303, 'and its CSRF token');
  });

  await t.test('a chat line posted on A appears live on the agent\'s page served by B', async (t) => {
    const agent = await logIn(b.url, kim.email, PASSWORD);
    const customer = await logIn(a.url, cora.email, PASSWORD);
    await fetch(`${b.url}/agent/tickets/${id}`, { headers: { cookie: agent.cookie } }).then((r) => r.arrayBuffer());
    const live = await stream(t, `${b.url}/agent/tickets/${id}/live`, agent.cookie);
    t.equal(live.status, 200);
    t.equal(await form(a, customer, `/portal/tickets/${id}/chat`, { body: 'Hello from instance A' }), 303);
    t.ok(await live.waitFor(/Hello from instance A/), 'the line reached the stream on B');
  });

  await t.test('an agent viewing a ticket on A is shown as viewing it to an agent on B, until the page closes', async (t) => {
    const yara = await makeUser(db, 'agent', { name: 'Yara Agent', email: 'yara@desk.test' });
    const onB = await logIn(b.url, yara.email, PASSWORD);
    const onA = await logIn(a.url, kim.email, PASSWORD);
    const viewing = /<li class="presence-viewing">Kim Agent is viewing<\/li>/;
    t.ok(await pageShows(`${b.url}/agent/tickets/${id}`, onB.cookie, viewing, false), 'Kim has no page of the ticket open yet');
    const yaraStream = await stream(t, `${b.url}/agent/tickets/${id}/live`, onB.cookie);
    t.equal(yaraStream.status, 200);
    const kimStream = await stream(t, `${a.url}/agent/tickets/${id}/live`, onA.cookie);
    t.equal(kimStream.status, 200);
    t.ok(await yaraStream.waitFor(viewing, 10_000), 'Yara\'s stream on B shows Kim, who is on A');
    t.ok(await pageShows(`${b.url}/agent/tickets/${id}`, onB.cookie, viewing), 'and so does the ticket page served by B');
    t.ok(await kimStream.waitFor(/Yara Agent is viewing/, 10_000), 'Kim on A sees Yara on B');

    const seen = yaraStream.text().length;
    kimStream.close();
    t.ok(await yaraStream.waitFor(/hx-target="#presence" hx-swap="innerHTML">(\s|data:)*<\/hx-partial>/, 10_000, seen),
      'Kim closed the page: the presence line on B empties');
    t.ok(await pageShows(`${b.url}/agent/tickets/${id}`, onB.cookie, viewing, false), 'and B\'s page no longer lists Kim');
  });

  await t.test('wrong passwords on A and B count together toward the wait', async (t) => {
    const wrong = async (desk: ServerDesk) => {
      const page = await fetch(`${desk.url}/login`);
      const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
      const res = await fetch(`${desk.url}/login`, {
        method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrf, email: cora.email, password: 'not her password' }).toString(),
      });
      await res.arrayBuffer();
      return res.status;
    };
    // Five free failures per address and account (LOGIN_POLICY): three on A, two on B.
    for (const desk of [a, a, a, b, b]) t.equal(await wrong(desk), 422);
    t.equal(await wrong(a), 429, 'the sixth try waits, though A saw only three');
  });
  await t.test('200 queued mails are each sent exactly once by the two workers', async (t) => {
    await b.stop();
    const b2 = await serverDesk(tempDir(t), env); // polling as often as A now
    t.teardown(() => b2.stop());
    await b2.start();
    const before = smtp.received.length;
    for (let i = 0; i < 200; i++) {
      await queueMail(db, { from: 'Support <support@desk.test>', to: [`c${i}@example.test`], subject: `Batch ${i}`, text: `Mail ${i}` });
    }
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const queued = await db.selectFrom('jobs').select('id').where('kind', '=', 'mail').where('state', '=', 'queued').execute();
      if (queued.length === 0) break;
      await sleep(100);
    }
    const batch = smtp.received.slice(before).filter((m) => /^Batch \d+$/.test(header(m.raw, 'Subject') ?? ''));
    const subjects = batch.map((m) => header(m.raw, 'Subject'));
    t.equal(batch.length, 200, 'two hundred arrived');
    t.equal(new Set(subjects).size, 200, 'none twice');
    const done = await db.selectFrom('jobs').select((eb) => eb.fn.countAll<number>().as('n')).where('kind', '=', 'mail').where('state', '=', 'done').executeTakeFirstOrThrow();
    t.ok(done.n >= 200, 'every job is done');
  });

});
