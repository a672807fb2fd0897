import type { Kysely } from 'kysely';
import { serialKey } from './dialect.js';

// Frozen in time. The API (issue 22, points 1 and 2). `api_tokens`: personal API tokens; only the
// SHA-256 of a token is kept (the token itself is shown once), with a short prefix to tell tokens
// apart in lists. `scope` is `read` or `write`; `expires_at` null means it does not expire.
// `api_idempotency`: the answer to a POST sent with an `Idempotency-Key`, kept a day per person and
// key, so a retried request gets the same answer instead of a second ticket or message. While the
// first request runs, `status` is null.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('api_tokens')
    .addColumn('id', 'integer', serialKey(db))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .addColumn('last_used_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('api_tokens_user').on('api_tokens').columns(['user_id']).execute();

  await db.schema.createTable('api_idempotency')
    .addColumn('id', 'integer', serialKey(db))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('status', 'integer')
    .addColumn('headers', 'text')
    .addColumn('body', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('api_idempotency_key').on('api_idempotency').columns(['user_id', 'key']).unique().execute();
  await db.schema.createIndex('api_idempotency_created').on('api_idempotency').columns(['created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('api_idempotency').execute();
  await db.schema.dropTable('api_tokens').execute();
}
