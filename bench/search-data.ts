import type SQLite from 'better-sqlite3';

/**
 * Synthetic help-desk text for the search benchmark: a Zipf-like vocabulary, so a few words are in
 * most messages ("please", "thanks"), some in a few percent ("invoice", "printer") and most are rare.
 */
const COMMON = ['please', 'thanks', 'hello', 'issue', 'ticket', 'help', 'update', 'customer', 'problem', 'again'];
const MEDIUM = ['invoice', 'printer', 'password', 'network', 'billing', 'laptop', 'refund', 'delivery', 'account', 'screen'];

export function makeVocabulary(size: number, random: () => number): string[] {
  const syllables = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'to', 'vi', 'ze', 'por', 'tan', 'del', 'gru', 'fin', 'bex'];
  const words = new Set<string>();
  while (words.size < size) {
    let word = '';
    for (let n = 2 + Math.floor(random() * 3); n > 0; n--) word += syllables[Math.floor(random() * syllables.length)];
    words.add(word);
  }
  return [...words];
}

/** A deterministic generator (mulberry32), so two runs build the same database. */
export function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0; a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function sentence(words: number, vocabulary: string[], random: () => number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) {
    const r = random();
    if (r < 0.25) out.push(COMMON[Math.floor(random() * COMMON.length)]!);
    else if (r < 0.27) out.push(MEDIUM[Math.floor(random() * MEDIUM.length)]!);
    // Skewed towards the front of the vocabulary: word k is chosen about 1/k as often.
    else out.push(vocabulary[Math.floor(Math.exp(random() * Math.log(vocabulary.length))) - 1]!);
  }
  return out.join(' ');
}

/** Tickets, users and messages in batched transactions straight through better-sqlite3 (the fast path). */
export function loadTickets(sqlite: SQLite.Database, tickets: number, messagesPerTicket: number, random: () => number) {
  const vocabulary = makeVocabulary(50_000, random);
  const now = '2026-01-01T00:00:00.000Z';
  const users = 20_000;
  const insertUser = sqlite.prepare(`insert into users (email, name, role, state, created_at, updated_at)
    values (?, ?, 'customer', 'active', ?, ?)`);
  sqlite.transaction(() => {
    for (let i = 0; i < users; i++) insertUser.run(`customer${i}@example.test`, `${sentence(2, vocabulary, random)} ${i}`, now, now);
  })();
  const firstUser = (sqlite.prepare('select min(id) as id from users where role = ?').get('customer') as { id: number }).id;
  const insertTicket = sqlite.prepare(`insert into tickets (subject, type_id, brand_id, status_id, requester_id, channel,
    created_at, updated_at, last_activity_at) values (?, 1, 1, ?, ?, 'portal', ?, ?, ?)`);
  const insertMessage = sqlite.prepare(`insert into messages (ticket_id, author_id, kind, body_text, body_html, via, created_at)
    values (?, ?, ?, ?, '', 'web', ?)`);
  const batch = sqlite.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const at = new Date(Date.parse('2020-01-01T00:00:00Z') + i * 60_000).toISOString();
      const requester = firstUser + Math.floor(random() * users);
      const ticket = Number(insertTicket.run(sentence(6, vocabulary, random), 1 + (i % 5), requester, at, at, at).lastInsertRowid);
      for (let m = 0; m < messagesPerTicket; m++) {
        insertMessage.run(ticket, requester, m % 4 === 3 ? 'note' : 'reply', sentence(25, vocabulary, random), at);
      }
    }
  });
  for (let i = 0; i < tickets; i += 5000) batch(i, Math.min(tickets, i + 5000));
  return vocabulary;
}
