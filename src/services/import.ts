import { recordAudit } from '../admin/audit.js';
import type { Db } from '../db/connect.js';
import { Forbidden, type FieldErrors } from '../lib/errors.js';
import { nowIso } from '../lib/time.js';
import { can } from '../policy/can.js';
import type { Actor } from '../users/actor.js';
import { checkService } from './check.js';
import { findSameService, serviceChoices } from './queries.js';
import type { ImportRow } from './schemas.js';

/** How the form's field names read in a CSV report. */
const COLUMN_OF: Record<string, string> = {
  name: 'name', customerEmail: 'customer_email', organizationId: 'organization', providerGroupId: 'provider_group',
  state: 'state', startsOn: 'starts_on', endsOn: 'ends_on', row: '',
};

export interface ImportReport {
  created: { line: number; id: number; name: string }[];
  rejected: { line: number; name: string; reasons: { column: string; key: string }[] }[];
}

/**
 * Services from a CSV file (seed 004's orders, exported from a billing system). Each row stands on
 * its own: good rows are created, bad rows are reported with their line and reasons, so a fixed file
 * can be imported again. A row that matches an existing service (same name for the same customer or
 * organisation) is refused as a duplicate, which makes importing the same file twice harmless.
 * The whole import is one transaction (with an audit entry per service created).
 */
export async function importServices(db: Db, actor: Actor, rows: ImportRow[]): Promise<ImportReport> {
  if (!can(actor, 'services.manage')) throw new Forbidden();
  const lookups = await serviceChoices(db);
  return db.transaction().execute(async (trx) => {
    const report: ImportReport = { created: [], rejected: [] };
    for (const { line, name, service, width } of rows) {
      const errors: FieldErrors = width !== undefined ? { row: 'admin.services.import.columns' } : {};
      const values = await checkService(trx, service, lookups, errors);
      if (Object.keys(errors).length === 0 && await findSameService(trx, values.name, values.customer_id, values.organization_id)) {
        errors.name = 'admin.services.import.duplicate';
      }
      if (Object.keys(errors).length > 0) {
        const reasons = Object.entries(errors).map(([field, key]) => ({ column: COLUMN_OF[field] ?? field, key }));
        report.rejected.push({ line, name, reasons });
        continue;
      }
      const row = await trx.insertInto('services').values({ ...values, created_at: nowIso() }).returning('id').executeTakeFirstOrThrow();
      await recordAudit(trx, actor, { action: 'service.created', subjectType: 'service', subjectId: row.id, after: values, details: { source: 'csv', line } });
      report.created.push({ line, id: row.id, name: values.name });
    }
    return report;
  });
}
