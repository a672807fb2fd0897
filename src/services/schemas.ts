import * as z from 'zod';
import { Invalid } from '../lib/errors.js';
import { optionalEmail, readForm, text, withBlank, type Checked } from '../lib/form.js';
import { positiveInt } from '../lib/validate.js';
import type { ServiceState } from './queries.js';

/**
 * A service as the admin's form or one row of a CSV file gives it, read into typed input
 * (src/lib/form.ts). Who the customer is, which organisation and group a name or id means, and
 * whether the row exists already, the verbs check (check.ts).
 */

const trimmed = (value: unknown) => (typeof value === 'string' ? value.trim() : '');

/** An organisation or group by id (the form): undefined when none is given, null when what was given is no id. */
const lookupId = () => z.preprocess(trimmed, z.string().transform((typed) => (typed === '' ? undefined : positiveInt(typed))));
/** ... or by name (a CSV file): undefined when none is given. */
const lookupName = () => z.preprocess(trimmed, z.string().transform((typed) => (typed === '' ? undefined : typed)));

const STATE_WORDS: Record<string, ServiceState> = { active: 'active', inactive: 'ended', ended: 'ended' };

/** "active" (or nothing), "inactive" or "ended", in any case. */
const stateWord = () => withBlank(z.preprocess(trimmed, z.string().transform((typed, ctx) => {
  const word = typed.toLowerCase() || 'active';
  if (Object.hasOwn(STATE_WORDS, word)) return STATE_WORDS[word]!;
  ctx.addIssue({ code: 'custom', message: 'admin.services.badState' });
  return 'active';
})), 'active');

/** A day as YYYY-MM-DD, or null when none is given. */
const day = () => withBlank(z.preprocess(trimmed, z.string().transform((typed, ctx) => {
  if (!typed) return null;
  const ms = Date.parse(`${typed}T00:00:00Z`);
  // Date.parse rolls 2026-02-30 over to March: the round trip catches it.
  if (/^\d{4}-\d{2}-\d{2}$/.test(typed) && !Number.isNaN(ms) && new Date(ms).toISOString().startsWith(typed)) return typed;
  ctx.addIssue({ code: 'custom', message: 'errors.date' });
  return null;
})), null);

export const serviceSchema = z.object({
  name: text({ max: 200 }),
  /** The customer's address, null when none is typed. */
  customerEmail: optionalEmail(),
  organizationId: lookupId(),
  organizationName: lookupName(),
  providerGroupId: lookupId(),
  providerGroupName: lookupName(),
  state: stateWord(),
  startsOn: day(),
  endsOn: day(),
});
export type ServiceInput = z.output<typeof serviceSchema>;

/** The admin's form picks the organisation and group by id; names are what a CSV file gives. */
const FORM_FIELDS = ['name', 'customerEmail', 'organizationId', 'providerGroupId', 'state', 'startsOn', 'endsOn'] as const;

export function readServiceForm(body: unknown): Checked<ServiceInput> {
  const raw = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  return readForm(serviceSchema, Object.fromEntries(FORM_FIELDS.map((field) => [field, raw[field]])));
}

export const IMPORT_LIMITS = { chars: 512 * 1024, rows: 2000 };

/** The file's columns and the form's fields they stand for. */
const COLUMNS: Record<string, keyof ServiceInput> = {
  name: 'name', customer_email: 'customerEmail', organization: 'organizationName', provider_group: 'providerGroupName',
  state: 'state', starts_on: 'startsOn', ends_on: 'endsOn',
};

export interface ImportRow {
  line: number;
  /** The name as written, for the report. */
  name: string;
  service: Checked<ServiceInput>;
  /** Its number of columns, when it is not the header's. */
  width?: number;
}

/**
 * A CSV file of services (seed 004's orders, exported from a billing system), row by row; problems
 * with the file as a whole are a 422 on the form.
 */
export async function readServicesCsv(text: unknown): Promise<ImportRow[]> {
  const csv = typeof text === 'string' ? text : '';
  if (!csv.trim()) throw new Invalid({ csv: 'errors.required' });
  if (csv.length > IMPORT_LIMITS.chars) throw new Invalid({ csv: 'admin.services.import.tooLarge' });
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // csv-parse's types do not model `info: true` (each record comes with its line).
    // Loaded on the first import, not at startup.
    const { parse } = await import('csv-parse/sync');
    records = parse(csv, { info: true, bom: true, trim: true, skip_empty_lines: true, relax_column_count: true }) as unknown as typeof records;
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
    const raw: Record<string, string> = {};
    names.forEach((column, i) => { raw[COLUMNS[column]!] = record[i] ?? ''; });
    return { line: info.lines, name: raw.name ?? '', service: readForm(serviceSchema, raw), ...(record.length !== names.length ? { width: record.length } : {}) };
  });
}
