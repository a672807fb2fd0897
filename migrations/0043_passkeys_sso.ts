import type { Kysely } from 'kysely';
import { serialKey } from './dialect.js';

// Frozen in time. Passkeys and single sign-on (issue 24, points 2 and 3):
// - passkeys: a person's WebAuthn credentials (the credential id and COSE public key as base64url,
//   the signature counter, the transports the browser named, the name the person gave it);
// - webauthn_challenges: a challenge handed to a browser, by its hash, single use, for a few minutes;
//   `purpose` is 'register' (a signed-in person adds a passkey), 'login' (sign in without a password,
//   no person yet) or 'second' (the second step after the password);
// - sso_providers: OpenID Connect providers set up by admins (the client secret is never shown again);
// - sso_flows: a sign-in sent to a provider and not yet back (state, nonce and PKCE verifier), by the
//   hash of the browser's cookie;
// - sso_identities: which provider subject is which person (linked once by verified address).
// Plain text and integers, the same on SQLite and PostgreSQL.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('passkeys')
    .addColumn('id', 'integer', serialKey(db))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('credential_id', 'text', (c) => c.notNull().unique())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('counter', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('transports', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .execute();
  await db.schema.createIndex('passkeys_user').on('passkeys').column('user_id').execute();
  await db.schema.createTable('webauthn_challenges')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createTable('sso_providers')
    .addColumn('id', 'integer', serialKey(db))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('client_secret', 'text', (c) => c.notNull())
    .addColumn('email_domains', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('for_staff', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('for_customers', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('new_role', 'text', (c) => c.notNull().defaultTo('none'))
    .addColumn('password_allowed', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createTable('sso_flows')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('provider_id', 'integer', (c) => c.notNull().references('sso_providers.id').onDelete('cascade'))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('verifier', 'text', (c) => c.notNull())
    .addColumn('next', 'text')
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createTable('sso_identities')
    .addColumn('provider_id', 'integer', (c) => c.notNull().references('sso_providers.id').onDelete('cascade'))
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addPrimaryKeyConstraint('sso_identities_pk', ['provider_id', 'subject'])
    .execute();
  await db.schema.createIndex('sso_identities_user').on('sso_identities').column('user_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('sso_identities').execute();
  await db.schema.dropTable('sso_flows').execute();
  await db.schema.dropTable('sso_providers').execute();
  await db.schema.dropTable('webauthn_challenges').execute();
  await db.schema.dropTable('passkeys').execute();
}
