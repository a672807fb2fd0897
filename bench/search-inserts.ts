import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { connect } from '../src/db/connect.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { seedDefaults } from '../src/setup/defaults.js';
import { withSearchIndexPaused } from '../src/search/maintenance.js';
import { loadTickets, makeVocabulary, seeded, sentence } from './search-data.js';

/** One ticket and two messages per transaction (a portal submission and a reply), with and without the triggers. */
export async function timeInserts(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'deskbell-search-'));
  try {
    const { db, sqlite } = connect(join(dir, 'bench.db'));
    await migrateToLatest(db);
    await seedDefaults(db, 'example.test');
    await withSearchIndexPaused(db, async () => { loadTickets(sqlite, 50_000, 5, seeded(1)); });
    const random = seeded(7);
    const vocabulary = makeVocabulary(50_000, random);
    const user = (sqlite.prepare("select min(id) as id from users where role = 'customer'").get() as { id: number }).id;
    const ticket = sqlite.prepare(`insert into tickets (subject, type_id, brand_id, status_id, requester_id, channel,
      created_at, updated_at, last_activity_at) values (?, 1, 1, 1, ?, 'portal', ?, ?, ?)`);
    const message = sqlite.prepare(`insert into messages (ticket_id, author_id, kind, body_text, body_html, via, created_at)
      values (?, ?, 'reply', ?, '', 'web', ?)`);
    const one = sqlite.transaction(() => {
      const at = new Date().toISOString();
      const id = ticket.run(sentence(6, vocabulary, random), user, at, at, at).lastInsertRowid;
      message.run(id, user, sentence(25, vocabulary, random), at);
      message.run(id, user, sentence(25, vocabulary, random), at);
    });
    const rate = () => {
      const started = performance.now();
      for (let i = 0; i < 10_000; i++) one();
      return 10_000 / ((performance.now() - started) / 1000);
    };
    const withTriggers = rate();
    let without = 0;
    await withSearchIndexPaused(db, async () => { without = rate(); });
    console.log(`tickets (1 ticket + 2 messages, one transaction each): ${Math.round(withTriggers)}/s with the search triggers, `
      + `${Math.round(without)}/s without (${(without / withTriggers).toFixed(2)}x)`);
    await db.destroy();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
