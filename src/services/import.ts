import { recordAudit } from '../admin/audit.js';
import type { Db } from '../db/connect.js';
import { Forbidden, Invalid } from '../lib/errors.js';
import { nowIso } from '../lib/time.js';
import { Checker } from '../lib/validate.js';
import type { Actor } from '../users/actor.js';
import { checkService, type RawService } from './check.js';
import { findSameService, serviceChoices } from './queries.js';

export const IMPORT_LIMITS = { chars: 512 * 1024, rows: 2000 };

const COLUMNS: Record<string, keyof RawService> = {
  name: 'name', customer_email: 'customerEmail', organization: 'organizationName', provider_group: 'providerGroupName',
  state: 'state', starts_on: 'startsOn', ends_on: 'endsOn',
};
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
export async function importServices(db: Db, actor: Actor, text: unknown): Promise<ImportReport> {
  if (actor.role !== 'admin') throw new Forbidden();
  const rows = await readCsv(typeof text === 'string' ? text : '');
  const lookups = await serviceChoices(db);
  return db.transaction().execute(async (trx) => {
    const report: ImportReport = { created: [], rejected: [] };
    for (const { line, raw, width } of rows) {
      const check = new Checker();
      if (width !== undefined) check.add('row', 'admin.services.import.columns');
      const values = await checkService(trx, check, raw, lookups);
      if (Object.keys(check.errors).length === 0 && await findSameService(trx, values.name, values.customer_id, values.organization_id)) {
        check.add('name', 'admin.services.import.duplicate');
      }
      if (Object.keys(check.errors).length > 0) {
        const reasons = Object.entries(check.errors).map(([field, key]) => ({ column: COLUMN_OF[field] ?? field, key }));
        report.rejected.push({ line, name: raw.name ?? '', reasons });
        continue;
      }
      const row = await trx.insertInto('services').values({ ...values, created_at: nowIso() }).returning('id').executeTakeFirstOrThrow();
      await recordAudit(trx, actor, { action: 'service.created', subjectType: 'service', subjectId: row.id, after: values, details: { source: 'csv', line } });
      report.created.push({ line, id: row.id, name: values.name });
    }
    return report;
  });
}

/** The file as rows keyed by our field names; problems with the file as a whole are a 422 on the form. */
async function readCsv(text: string): Promise<{ line: number; raw: RawService; width?: number }[]> {
  if (!text.trim()) throw new Invalid({ csv: 'errors.required' });
  if (text.length > IMPORT_LIMITS.chars) throw new Invalid({ csv: 'admin.services.import.tooLarge' });
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // csv-parse's types do not model `info: true` (each record comes with its line).
    // Loaded on the first import, not at startup.
    const { parse } = await import('csv-parse/sync');
    records = parse(text, { info: true, bom: true, trim: true, skip_empty_lines: true, relax_column_count: true }) as unknown as typeof records;
  } catch {
    throw new Invalid({ csv: 'admin.services.import.unreadable' });
  }
  const [header, ...data] = records;
  const names = (header?.record ?? []).map((h) => h.toLowerCase());
  const unknown = names.some((n) => !(n in COLUMNS));
  const missing = !names.includes('name') || !names.includes('provider_group')
    || (!names.includes('customer_email') && !names.includes('organization'));
  if (unknown || missing) throw new Invalid({ csv: 'admin.services.import.header' });
  if (data.length === 0) throw new Invalid({ csv: 'admin.services.import.noRows' });
  if (data.length > IMPORT_LIMITS.rows) throw new Invalid({ csv: 'admin.services.import.tooManyRows' });
  return data.map(({ record, info }) => {
    const raw: RawService = {};
    names.forEach((column, i) => { raw[COLUMNS[column]!] = record[i] ?? ''; });
    return { line: info.lines, raw, ...(record.length !== names.length ? { width: record.length } : {}) };
  });
}
