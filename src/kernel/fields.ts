import type { Trx } from '../db/connect.js';

/**
 * Store custom field values of a ticket (field id → value; '' removes the stored one). Which values
 * changed, and how they read in the history, is the caller's (fields/fields.ts, `fieldChanges`).
 * Returns them as a `ticket.changed` event carries them: `{ [fieldId]: value or null }`.
 */
export async function writeFieldValues(trx: Trx, ticketId: number, values: ReadonlyMap<number, string>): Promise<Record<number, string | null>> {
  const written: Record<number, string | null> = {};
  for (const [fieldId, value] of values) {
    if (value === '') {
      await trx.deleteFrom('ticket_field_values').where('ticket_id', '=', ticketId).where('field_id', '=', fieldId).execute();
    } else {
      await trx.insertInto('ticket_field_values').values({ ticket_id: ticketId, field_id: fieldId, value })
        .onConflict((oc) => oc.columns(['ticket_id', 'field_id']).doUpdateSet({ value })).execute();
    }
    written[fieldId] = value === '' ? null : value;
  }
  return written;
}
