import type { Kysely } from 'kysely';

// Frozen in time. Two reads that walked rows they did not want, found at 1M tickets with a desk's
// mail piling up (SMTP_URL unset: mail waits in the outbox, as designed):
// - the worker's lease looked for the next due job of the kinds it runs along (state, run_at), so
//   it passed over every queued job of a kind it does not run: 29,234 waiting mails made each
//   poll 30–345 ms. `jobs_lease` finds the next due job of one kind in one seek; `jobs_leased`
//   holds only the jobs out on a lease, for the sweep of lost leases;
// - the mail caps counted an address's automatic mails of the last hour along (recipient,
//   created_at), reading every mail to it (26,000 replies to one busy customer) to check
//   `automatic`: 4 ms a mail, 46 ms on a busy machine. Both counts now read only automatic mail.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('jobs_lease').on('jobs').columns(['kind', 'state', 'run_at', 'id']).execute();
  await db.schema.createIndex('jobs_leased').on('jobs').column('locked_until').where('locked_until', 'is not', null).execute();
  await db.schema.dropIndex('mail_log_recipient').execute();
  await db.schema.createIndex('mail_log_automatic_recipient').on('mail_log').columns(['recipient', 'automatic', 'created_at']).execute();
  await db.schema.createIndex('mail_log_automatic_ticket').on('mail_log').columns(['ticket_id', 'automatic', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('mail_log_automatic_ticket').execute();
  await db.schema.dropIndex('mail_log_automatic_recipient').execute();
  await db.schema.createIndex('mail_log_recipient').on('mail_log').columns(['recipient', 'created_at']).execute();
  await db.schema.dropIndex('jobs_leased').execute();
  await db.schema.dropIndex('jobs_lease').execute();
}
