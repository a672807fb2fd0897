import type { Kysely } from 'kysely';
import { nowText, serialKey } from './dialect.js';

// Frozen in time. Triggers and automations (issue 21, points 3 and 4).
// - rules: one row per trigger (`kind` = 'trigger', runs on events) or automation ('automation',
//   runs on time); ordered by `position`; `events` (JSON list, triggers), `conditions` and
//   `actions` (JSON) are checked by the app when saved. `builtin` names a default automation.
// - rule_chains: which triggers already fired on the chain an event belongs to, and how deep it is
//   (an event a trigger's actions wrote carries its chain on), so no trigger fires twice on one chain.
// - consumer_positions: the triggers consumer starts at the newest event (no replay of the past).
// - rule_runs: the last time an automation acted on a ticket, with the ticket's stamp then, so it
//   acts once per ticket until the ticket changes.
// The hard-coded auto-close of before becomes three default automations, enabled, whose days are
// still read from the settings `autoclose.*` (0 days: off, as before), so a desk behaves the same.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('rules')
    .addColumn('id', 'integer', serialKey(db))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('events', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('conditions', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('actions', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('builtin', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('rules_kind_position').on('rules').columns(['kind', 'position']).execute();
  await db.schema.createTable('rule_chains')
    .addColumn('event_id', 'integer', (c) => c.primaryKey())
    .addColumn('depth', 'integer', (c) => c.notNull())
    .addColumn('fired', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
  await db.schema.createTable('rule_runs')
    .addColumn('rule_id', 'integer', (c) => c.notNull().references('rules.id').onDelete('cascade'))
    .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
    .addColumn('stamp', 'text', (c) => c.notNull())
    .addColumn('ran_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('rule_runs_pk', ['rule_id', 'ticket_id'])
    .execute();

  // The triggers consumer (src/rules/triggers.ts) starts at the end of the stream: rules made from now
  // on act on changes from now on, never on a desk's past.
  await db.insertInto('consumer_positions')
    .columns(['consumer', 'last_event_id', 'updated_at'])
    .expression((eb) => eb.selectFrom('events').select((s) => [
      s.val('rules.triggers').as('consumer'), s.fn.coalesce(s.fn.max('id'), s.lit(0)).as('last_event_id'), nowText(db).as('updated_at'),
    ]))
    .execute();

  const now = nowText(db);
  const automation = (name: string, position: number, builtin: string, conditions: object, actions: object) => ({
    kind: 'automation', name, position, enabled: 1, events: '[]', conditions: JSON.stringify(conditions), actions: JSON.stringify(actions),
    builtin, created_at: now, updated_at: now,
  });
  await db.insertInto('rules').values([
    automation('Close solved tickets', 10, 'autoclose.solved',
      { categories: ['solved'], solvedHours: { setting: 'autoclose.solved_days' } }, { close: true }),
    automation('Remind customers who have not answered', 20, 'autoclose.remind',
      { categories: ['pending'], idleHours: { setting: 'autoclose.pending_days' }, unreminded: true }, { remind: true }),
    automation('Close tickets the customer did not answer', 30, 'autoclose.unanswered',
      { categories: ['pending'], remindedHours: { setting: 'autoclose.pending_grace_days' } }, { close: true, tellRequester: true }),
  ]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rule_runs').execute();
  await db.schema.dropTable('rule_chains').execute();
  await db.schema.dropTable('rules').execute();
}
