import * as z from 'zod';
import { fieldInputs } from '../fields/fields.js';
import { email, longText, maybeId, parseForm, text } from '../lib/form.js';

/**
 * The portal's forms, read into typed input (src/lib/form.ts). What needs the database (the topics
 * a customer may choose, their brand and services, the topic's custom fields, who may be CC'd) the
 * verbs check, with the same message keys. A customer's answer and rating are domain verbs
 * (tickets/customer.ts): their schemas are in tickets/schemas.ts.
 */

export { submitSchema, readSubmitForm, type SubmitInput } from '../submissions/schemas.js';

/** "Save as draft": only a subject is needed; a topic, brand or service that is no choice is left out. */
export const draftSchema = z.object({
  subject: text({ max: 200 }),
  message: longText({ required: false }),
  typeId: maybeId(),
  brandId: maybeId(),
  serviceId: maybeId(),
});
export type DraftInput = z.output<typeof draftSchema> & { fields: Record<string, string> };

export function parseDraftForm(body: unknown): DraftInput {
  return { ...parseForm(draftSchema, body), fields: fieldInputs(body) };
}

/** The requester copies someone in by address, or takes a CC off again (`remove` holds their id). */
export const addCcSchema = z.object({ email: email() });
export type AddCcInput = z.output<typeof addCcSchema>;
export const removeCcSchema = z.object({ remove: maybeId() });
