import { sql, type Kysely } from 'kysely';
import { createNocaseCollation, nowText, serialKey } from './dialect.js';

// Frozen in time: this file never imports application code and is never edited once landed.
// The whole first-cut data model of DESIGN.md; later issues add screens on top of it.

export async function up(db: Kysely<any>): Promise<void> {
  const now = nowText(db);
  const id = serialKey(db);
  await createNocaseCollation(db);

  await db.schema.createTable('organizations')
    .addColumn('id', 'integer', id)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('domains', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('members_see_all_tickets', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('notes', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'text', (c) => c.notNull().defaultTo(now))
    .execute();
  await sql`create unique index organizations_name on organizations (name collate nocase)`.execute(db);

  await db.schema.createTable('users')
    .addColumn('id', 'integer', id)
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('admin','supervisor','agent','customer')`))
    .addColumn('password_hash', 'text')
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('invited','active','disabled')`))
    .addColumn('organization_id', 'integer', (c) => c.references('organizations.id').onDelete('set null'))
    .addColumn('is_org_manager', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locale', 'text', (c) => c.notNull().defaultTo('en'))
    .addColumn('time_zone', 'text')
    .addColumn('notify_prefs', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', 'text', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'text', (c) => c.notNull().defaultTo(now))
    .addColumn('last_login_at', 'text')
    .execute();
  await sql`create unique index users_email on users (email collate nocase)`.execute(db);
  await db.schema.createIndex('users_role').on('users').columns(['role', 'name']).execute();
  await db.schema.createIndex('users_organization').on('users').column('organization_id').execute();

  await db.schema.createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('csrf_secret', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .execute();
  await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();
  await db.schema.createIndex('sessions_expiry').on('sessions').column('expires_at').execute();

  await db.schema.createTable('user_tokens')
    .addColumn('id', 'integer', id)
    .addColumn('user_id', 'integer', (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('setup','invite','reset')`))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('user_tokens_user').on('user_tokens').columns(['user_id', 'kind']).execute();

  await db.schema.createTable('login_attempts')
    .addColumn('id', 'integer', id)
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('login_attempts_email').on('login_attempts').columns(['email', 'created_at']).execute();
  await db.schema.createIndex('login_attempts_ip').on('login_attempts').columns(['ip', 'created_at']).execute();

  await db.schema.createTable('groups')
    .addColumn('id', 'integer', id)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('is_restricted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull().defaultTo(now))
    .execute();
  await sql`create unique index groups_name on groups (name collate nocase)`.execute(db);

  await db.schema.createTable('group_members')
    .addColumn('group_id', 'integer', (c) => c.notNull().references('groups.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('group_members_pk', ['group_id', 'user_id'])
    .execute();
  await db.schema.createIndex('group_members_user').on('group_members').column('user_id').execute();

  await db.schema.createTable('brands')
    .addColumn('id', 'integer', id)
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('from_name', 'text', (c) => c.notNull())
    .addColumn('from_address', 'text', (c) => c.notNull())
    .addColumn('portal_title', 'text', (c) => c.notNull())
    .addColumn('is_default', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema.createTable('statuses')
    .addColumn('id', 'integer', id)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('customer_label', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull().check(
      sql`category in ('draft','new','open','pending','on_hold','solved','closed','cancelled')`))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('is_default_for_category', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('retired_at', 'text')
    .execute();

  await db.schema.createTable('ticket_types')
    .addColumn('id', 'integer', id)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('default_group_id', 'integer', (c) => c.references('groups.id').onDelete('set null'))
    .addColumn('default_priority', 'text', (c) => c.notNull().defaultTo('normal'))
    .addColumn('customer_can_choose', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('initial_status_id', 'integer', (c) => c.references('statuses.id').onDelete('set null'))
    .addColumn('customer_facing', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('dispatch_policy', 'text', (c) => c.notNull().defaultTo('none'))
    .addColumn('dispatch_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('members_needed', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('retired_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull().defaultTo(now))
    .execute();
  await sql`create unique index ticket_types_name on ticket_types (name collate nocase)`.execute(db);

  await db.schema.createTable('fields')
    .addColumn('id', 'integer', id)
    .addColumn('key', 'text', (c) => c.notNull().unique())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(
      sql`kind in ('text','textarea','number','date','dropdown','checkbox','email','url')`))
    .addColumn('options', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('required_for_customer', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('required_for_agent', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('required_before_category', 'text')
    .addColumn('customer_visible', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('retired_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema.createTable('ticket_type_fields')
    .addColumn('type_id', 'integer', (c) => c.notNull().references('ticket_types.id').onDelete('cascade'))
    .addColumn('field_id', 'integer', (c) => c.notNull().references('fields.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('ticket_type_fields_pk', ['type_id', 'field_id'])
    .execute();

  await db.schema.createTable('services')
    .addColumn('id', 'integer', id)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'integer', (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('organization_id', 'integer', (c) => c.references('organizations.id').onDelete('cascade'))
    .addColumn('provider_group_id', 'integer', (c) => c.references('groups.id').onDelete('set null'))
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('starts_on', 'text')
    .addColumn('ends_on', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema.createIndex('services_customer').on('services').column('customer_id').execute();
  await db.schema.createIndex('services_organization').on('services').column('organization_id').execute();

  await db.schema.createTable('tickets')
    .addColumn('id', 'integer', id)
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('type_id', 'integer', (c) => c.notNull().references('ticket_types.id'))
    .addColumn('brand_id', 'integer', (c) => c.notNull().references('brands.id'))
    .addColumn('status_id', 'integer', (c) => c.notNull().references('statuses.id'))
    .addColumn('priority', 'text', (c) => c.notNull().defaultTo('normal')
      .check(sql`priority in ('low','normal','high','urgent')`))
    .addColumn('visibility', 'text', (c) => c.notNull().defaultTo('public')
      .check(sql`visibility in ('internal','public')`))
    .addColumn('requester_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('organization_id', 'integer', (c) => c.references('organizations.id').onDelete('set null'))
    .addColumn('assignee_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('group_id', 'integer', (c) => c.references('groups.id').onDelete('set null'))
    .addColumn('service_id', 'integer', (c) => c.references('services.id').onDelete('set null'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('created_by_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('last_activity_at', 'text', (c) => c.notNull())
    .addColumn('last_replier_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('first_response_at', 'text')
    .addColumn('solved_at', 'text')
    .addColumn('closed_at', 'text')
    .execute();
  // One index per list the agent and portal screens page through (keyset on last_activity_at, id).
  for (const col of [null, 'status_id', 'assignee_id', 'group_id', 'requester_id', 'organization_id', 'type_id', 'brand_id']) {
    const name = col ? `tickets_${col}_activity` : 'tickets_activity';
    await db.schema.createIndex(name).on('tickets')
      .columns([...(col ? [col] : []), 'last_activity_at', 'id']).execute();
  }
  await db.schema.createIndex('tickets_created').on('tickets').columns(['created_at', 'id']).execute();

  await db.schema.createTable('ticket_field_values')
    .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
    .addColumn('field_id', 'integer', (c) => c.notNull().references('fields.id').onDelete('cascade'))
    .addColumn('value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('ticket_field_values_pk', ['ticket_id', 'field_id'])
    .execute();

  await db.schema.createTable('ticket_ccs')
    .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('ticket_ccs_pk', ['ticket_id', 'user_id'])
    .execute();
  await db.schema.createIndex('ticket_ccs_user').on('ticket_ccs').column('user_id').execute();

  await db.schema.createTable('ticket_members')
    .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('assigned','requested')`))
    .addColumn('offer_state', 'text')
    .addColumn('offered_at', 'text')
    .addColumn('offer_expires_at', 'text')
    .addColumn('responded_at', 'text')
    .addColumn('is_primary', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('ticket_members_pk', ['ticket_id', 'user_id'])
    .execute();
  await db.schema.createIndex('ticket_members_user').on('ticket_members').columns(['user_id', 'role']).execute();

  await db.schema.createTable('ticket_seen')
    .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('seen_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('ticket_seen_pk', ['user_id', 'ticket_id'])
    .execute();

  await db.schema.createTable('messages')
    .addColumn('id', 'integer', id)
    .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
    .addColumn('author_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('reply','chat','note','update')`))
    .addColumn('body_text', 'text', (c) => c.notNull())
    .addColumn('body_html', 'text', (c) => c.notNull())
    .addColumn('via', 'text', (c) => c.notNull())
    .addColumn('email_message_id', 'text')
    .addColumn('match_reason', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('messages_ticket').on('messages').columns(['ticket_id', 'created_at']).execute();
  await db.schema.createIndex('messages_email_id').on('messages').column('email_message_id').execute();

  await db.schema.createTable('attachments')
    .addColumn('id', 'integer', id)
    .addColumn('message_id', 'integer', (c) => c.references('messages.id').onDelete('cascade'))
    .addColumn('uploader_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('storage_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('attachments_message').on('attachments').column('message_id').execute();

  await db.schema.createTable('ticket_events')
    .addColumn('id', 'integer', id)
    .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
    .addColumn('actor_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('from_value', 'text')
    .addColumn('to_value', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ticket_events_ticket').on('ticket_events').columns(['ticket_id', 'id']).execute();

  await db.schema.createTable('ratings')
    .addColumn('id', 'integer', id)
    .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('score', 'text', (c) => c.notNull().check(sql`score in ('good','bad')`))
    .addColumn('comment', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ratings_ticket').on('ratings').column('ticket_id').execute();

  await db.schema.createTable('jobs')
    .addColumn('id', 'integer', id)
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('queued').check(sql`state in ('queued','done','dead')`))
    .addColumn('run_at', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('locked_until', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema.createIndex('jobs_due').on('jobs').columns(['state', 'run_at']).execute();
  await db.schema.createIndex('jobs_kind').on('jobs').columns(['kind', 'id']).execute();

  await db.schema.createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await db.schema.createTable('texts')
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('texts_pk', ['key', 'locale'])
    .execute();

  await db.schema.createTable('video_sessions')
    .addColumn('id', 'integer', id)
    .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
    .addColumn('created_by_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('video_sessions_ticket').on('video_sessions').column('ticket_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['video_sessions', 'texts', 'settings', 'jobs', 'ratings', 'ticket_events', 'attachments',
    'messages', 'ticket_seen', 'ticket_members', 'ticket_ccs', 'ticket_field_values', 'tickets', 'services',
    'ticket_type_fields', 'fields', 'ticket_types', 'statuses', 'brands', 'group_members', 'groups',
    'login_attempts', 'user_tokens', 'sessions', 'users', 'organizations']) {
    await db.schema.dropTable(table).execute();
  }
}
