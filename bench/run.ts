// `npm run bench`: how fast the agent's main pages answer over a large desk. Prints its figures;
// nothing here asserts a time (speed targets live here, never in a timed test).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildApp } from '../src/app.js';
import { startSession } from '../src/auth/sessions.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/open.js';
import { openSqlite } from '../src/db/connect.js';
import { hashPassword } from '../src/lib/crypto.js';

const TICKETS = Number(process.argv[2] ?? 200_000);

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'deskbell-bench-'));
  try {
    const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent' });
    const { db } = await openDatabase(config);
    const hash = await hashPassword('bench password 1');
    const now = new Date().toISOString();
    const agent = await db.insertInto('users').values({ email: 'agent@bench.test', name: 'Bench Agent', role: 'agent', state: 'active',
      password_hash: hash, organization_id: null, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();

    const started = performance.now();
    fill(config.databasePath, TICKETS, agent.id);
    console.log(`filled ${TICKETS.toLocaleString('en')} tickets (+${(2 * TICKETS).toLocaleString('en')} messages) in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    const app = await buildApp({ config, db, logger: false });
    await app.ready();
    const cookie = `deskbell_session=${await startSession(db, agent.id, 3600_000)}`;
    const get = (url: string) => app.inject({ url, headers: { cookie } });

    const first = await get('/agent/tickets');
    const deepCursor = await cursorAfter(get, 40);
    const cases: [string, string][] = [
      ['list, first page (50 rows, menu with 8 capped counts)', '/agent/tickets'],
      ['list, 40 pages deep (keyset)', `/agent/tickets?after=${deepCursor}`],
      ['list, htmx table only', '/agent/tickets?priority=urgent'],
      ['list, filtered: unassigned + status category open', '/agent/tickets?assignee=unassigned&status=category:open'],
      ['list, sorted by priority', '/agent/tickets?sort=priority'],
      ['ticket details (General tab)', `/agent/tickets/${Math.floor(TICKETS / 2)}`],
      ['ticket details (History tab)', `/agent/tickets/${Math.floor(TICKETS / 2)}?tab=history`],
    ];
    if (first.statusCode !== 200) throw new Error(`list answered ${first.statusCode}`);
    console.log(`\n${'page'.padEnd(56)} ${'median'.padStart(9)} ${'p95'.padStart(9)}   req/s`);
    for (const [name, url] of cases) {
      const headers = url.includes('priority=urgent') ? { 'hx-request': 'true', 'hx-request-type': 'partial' } : {};
      const times: number[] = [];
      for (let i = 0; i < 200; i++) {
        const t0 = performance.now();
        const res = await app.inject({ url, headers: { cookie, ...headers } });
        times.push(performance.now() - t0);
        if (res.statusCode !== 200) throw new Error(`${url} answered ${res.statusCode}`);
      }
      times.sort((a, b) => a - b);
      const median = times[100]!;
      const p95 = times[190]!;
      console.log(`${name.padEnd(56)} ${median.toFixed(2).padStart(7)}ms ${p95.toFixed(2).padStart(7)}ms ${Math.round(1000 / median).toString().padStart(7)}`);
    }
    await app.close();
    await db.destroy();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Follow the "Older tickets" link `pages` times; returns the cursor of the last page. */
async function cursorAfter(get: (url: string) => Promise<{ body: string }>, pages: number): Promise<string> {
  let cursor = '';
  for (let i = 0; i < pages; i++) {
    const body = (await get(`/agent/tickets${cursor ? `?after=${cursor}` : ''}`)).body;
    cursor = decodeURIComponent(/after=([^"&]+)/.exec(body)?.[1] ?? '');
  }
  return encodeURIComponent(cursor);
}

/** Batch inserts straight through better-sqlite3: one transaction per 10,000 tickets. */
function fill(path: string, count: number, agentId: number) {
  const sqlite = openSqlite(path);
  const customers: number[] = [];
  const insertUser = sqlite.prepare(`insert into users (email, name, role, state, created_at, updated_at) values (?, ?, 'customer', 'active', ?, ?)`);
  const insertTicket = sqlite.prepare(`insert into tickets (subject, type_id, brand_id, status_id, priority, visibility, requester_id, assignee_id,
    group_id, channel, created_at, updated_at, last_activity_at) values (?, 1, 1, ?, ?, 'public', ?, ?, 1, 'email', ?, ?, ?)`);
  const insertMessage = sqlite.prepare(`insert into messages (ticket_id, author_id, kind, body_text, body_html, via, created_at) values (?, ?, 'reply', ?, ?, 'email', ?)`);
  const priorities = ['low', 'normal', 'normal', 'high', 'urgent'];
  const base = Date.parse('2025-01-01T00:00:00Z');
  sqlite.transaction(() => {
    for (let i = 0; i < 2000; i++) customers.push(Number(insertUser.run(`c${i}@bench.test`, `Customer ${i}`, new Date(base).toISOString(), new Date(base).toISOString()).lastInsertRowid));
  })();
  for (let start = 0; start < count; start += 10_000) {
    sqlite.transaction(() => {
      for (let i = start; i < Math.min(count, start + 10_000); i++) {
        const at = new Date(base + i * 60_000).toISOString();
        const requester = customers[i % customers.length]!;
        const id = insertTicket.run(`Ticket ${i}: printer on floor ${i % 7} is offline`, 1 + (i % 5), priorities[i % 5], requester,
          i % 3 === 0 ? null : agentId, at, at, at).lastInsertRowid;
        insertMessage.run(id, requester, 'It stopped working this morning.', '<p>It stopped working this morning.</p>', at);
        insertMessage.run(id, agentId, 'We are looking into it.', '<p>We are looking into it.</p>', at);
      }
    })();
  }
  sqlite.pragma('optimize');
  sqlite.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
