import type { Kysely } from 'kysely';

// Frozen in time. "Show quoted text" (issue 25, point 1): a message that came by mail keeps the
// whole text the mail carried (the quoted history, the attribution, the signature) next to the text
// Deskbell stored from it, so agents can expand what the reply extraction cut. NULL when nothing was
// cut (and for every message that did not come by mail).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('messages').addColumn('quoted_text', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('messages').dropColumn('quoted_text').execute();
}
