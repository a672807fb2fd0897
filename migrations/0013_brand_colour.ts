import type { Kysely } from 'kysely';

// Frozen in time. A brand's accent colour (#rrggbb), shown in its portal; null means the desk's own.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('brands').addColumn('colour', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('brands').dropColumn('colour').execute();
}
