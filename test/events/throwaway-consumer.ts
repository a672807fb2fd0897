// A consumer added for a test, in one file, as a feature would add one (src/events/consumers.ts has
// the one line a real consumer adds). Loaded into the real server with `node --import` (see
// stream-crash.test.ts); it writes what it is handed into a table of its own, in the transaction
// that moves its position, so the table says exactly which events it saw and how often.
import { sql } from 'kysely';
import type { Consumer } from '../../src/events/consumer.js';

const { CONSUMERS } = await import(new URL('../../dist/src/events/consumers.js', import.meta.url).href) as { CONSUMERS: Consumer[] };

export const throwaway: Consumer = {
  name: 'test.throwaway',
  transactional: true,
  async handle(trx, event) {
    await sql`create table if not exists throwaway_seen (event_id integer not null, kind text not null, ticket_id integer, actor_id integer, payload text not null)`.execute(trx);
    await sql`insert into throwaway_seen (event_id, kind, ticket_id, actor_id, payload) values (${event.id}, ${event.kind}, ${event.ticketId}, ${event.actorId}, ${JSON.stringify(event.payload)})`.execute(trx);
  },
};

CONSUMERS.push(throwaway);
