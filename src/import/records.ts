import type { Db } from '../db/connect.js';
import { nowIso } from '../lib/time.js';
import { domainsOf, storedDomains } from '../organizations/domains.js';
import { findOrganizationByName, otherOrganizationsDomains } from '../organizations/queries.js';
import type { SourceOrganization } from './model.js';
import type { ImportKind, ImportSource } from './schema.js';
import './schema.js';

/** The queries of the import: what an export's row became (import_records), and organisations. */

export async function findImported(db: Db, source: ImportSource, kind: ImportKind, externalId: string): Promise<number | undefined> {
  const row = await db.selectFrom('import_records').select('local_id')
    .where('source', '=', source).where('kind', '=', kind).where('external_id', '=', externalId).executeTakeFirst();
  return row?.local_id;
}

/** Every original id of one kind already imported from a source, with what it became. */
export async function importedIds(db: Db, source: ImportSource, kind: ImportKind): Promise<Map<string, number>> {
  const rows = await db.selectFrom('import_records').select(['external_id', 'local_id']).where('source', '=', source).where('kind', '=', kind).execute();
  return new Map(rows.map((r) => [r.external_id, r.local_id]));
}

export async function recordImported(db: Db, source: ImportSource, kind: ImportKind, externalId: string, localId: number): Promise<void> {
  await db.insertInto('import_records').values({ source, kind, external_id: externalId, local_id: localId, imported_at: nowIso() }).execute();
}

/** An organisation of the desk by the export's name, if there is one. */
export async function organizationNamed(db: Db, name: string): Promise<number | undefined> {
  return (await findOrganizationByName(db, name))?.id;
}

/** A new organisation; the export's domains that another organisation already claims are left out. */
export async function insertOrganization(db: Db, org: SourceOrganization): Promise<number> {
  const claimed = new Set((await otherOrganizationsDomains(db, null)).flatMap((o) => domainsOf(o.domains)));
  const domains = [...new Set(org.domains.map((d) => d.trim().toLowerCase()).filter((d) => d && !claimed.has(d)))];
  const row = await db.insertInto('organizations').values({
    name: org.name.slice(0, 200), domains: storedDomains(domains), members_see_all_tickets: 0, notes: org.notes, created_at: nowIso(),
  }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}
