import type { Kysely } from 'kysely';
import { serialKey } from './dialect.js';

// Frozen in time. Two-factor sign-in with an authenticator app (issue 24, point 1):
// - two_factor: a person's TOTP secret (base32); enabled_at null while the set-up waits for its first
//   code; last_step, the time step of the last code accepted (a code is taken once);
// - two_factor_recovery: ten single-use recovery codes, only their hashes;
// - two_factor_devices: browsers remembered for 30 days (the hash of the cookie's token), revocable;
// - two_factor_challenges: a password checked, the second step still to come (the hash of the
//   cookie's token), for a few minutes; `purpose` is 'verify' (enter a code) or 'enrol' (set up
//   first, when admins require it).
// Sessions you can see (issue 24, point 4): sessions.last_seen_at, when the session was last used
// (written at most every few minutes; null for sessions older than this migration); known_devices,
// the browsers (browser and system) a person has signed in with, so that a new one is mailed about,
// unless users.new_device_mail is 0.
// Plain text and integers, the same on SQLite and PostgreSQL.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sessions').addColumn('last_seen_at', 'text').execute();
  await db.schema.alterTable('users').addColumn('new_device_mail', 'integer', (c) => c.notNull().defaultTo(1)).execute();
  await db.schema.createTable('known_devices')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('known_devices_pk', ['user_id', 'fingerprint'])
    .execute();
  await db.schema.createTable('two_factor')
    .addColumn('user_id', 'integer', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('enabled_at', 'text')
    .addColumn('last_step', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createTable('two_factor_recovery')
    .addColumn('id', 'integer', serialKey(db))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('two_factor_recovery_user').on('two_factor_recovery').columns(['user_id', 'code_hash']).execute();
  await db.schema.createTable('two_factor_devices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('two_factor_devices_user').on('two_factor_devices').column('user_id').execute();
  await db.schema.createTable('two_factor_challenges')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('next', 'text')
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('two_factor_challenges_user').on('two_factor_challenges').column('user_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('two_factor_challenges').execute();
  await db.schema.dropTable('two_factor_devices').execute();
  await db.schema.dropTable('two_factor_recovery').execute();
  await db.schema.dropTable('two_factor').execute();
  await db.schema.dropTable('known_devices').execute();
  await db.schema.alterTable('users').dropColumn('new_device_mail').execute();
  await db.schema.alterTable('sessions').dropColumn('last_seen_at').execute();
}
