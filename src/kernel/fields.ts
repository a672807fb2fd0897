import type { Trx } from '../db/connect.js';

/**
 * Store custom field values of a ticket (field id → value; '' removes the stored one). Which values
 * changed, and how they read in the history, is the caller's (fields/fields.ts, `fieldChanges`).
 * Returns them as a `ticket.changed` event carries them: `{ [fieldId]: value or null }`.
 */
export async function writeFieldValues(trx: Trx, ticketId: number, values: ReadonlyMap<number, string>): Promise<Record<number, string | null>> {
  const written: Record<number, string | null> = {};
  const removed: number[] = [];
  const stored: { ticket_id: number; field_id: number; value: string }[] = [];
  for (const [fieldId, value] of values) {
    if (value === '') removed.push(fieldId);
    else stored.push({ ticket_id: ticketId, field_id: fieldId, value });
    written[fieldId] = value === '' ? null : value;
  }
  // Two statements at most, whatever the number of fields: each is a round trip inside the writer lock.
  if (removed.length > 0) await trx.deleteFrom('ticket_field_values').where('ticket_id', '=', ticketId).where('field_id', 'in', removed).execute();
  if (stored.length > 0) {
    await trx.insertInto('ticket_field_values').values(stored)
      .onConflict((oc) => oc.columns(['ticket_id', 'field_id']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value') }))).execute();
  }
  return written;
}
