import * as z from 'zod';
import { fieldInputs } from '../fields/fields.js';
import { choice, email, longText, maybeId, optionalId, readForm, text, type Checked } from '../lib/form.js';
import { VISIBILITIES } from '../tickets/schemas.js';
import { PRIORITIES } from '../tickets/tickets.js';

/**
 * How a new ticket comes in, read into typed input (src/lib/form.ts): a customer submits one (the
 * portal, the API), an agent opens one for a customer (the agent desk, the API). The verbs
 * (submit.ts, open-ticket.ts) are the domain's, so every channel calls the same ones.
 */

/** "Submit a ticket": topic and brand are looked up by the verb (an id that is no choice is no choice). */
export const submitSchema = z.object({
  typeId: maybeId(),
  subject: text({ max: 200 }),
  message: longText(),
  brandId: maybeId(),
  serviceId: optionalId(),
});
export type SubmitInput = z.output<typeof submitSchema> & {
  /** The topic's custom fields as typed (`field_<key>`): the verb reads them by the topic's definitions. */
  fields: Record<string, string>;
};

/** The submit form, mistakes and all: the verb adds what the database says, so one answer names every mistake. */
export function readSubmitForm(body: unknown): Checked<SubmitInput> {
  const { value, errors } = readForm(submitSchema, body);
  return { value: { ...value, fields: fieldInputs(body) }, errors };
}

/** "New ticket": no type or priority chosen means the desk's default type and that type's priority. */
export const openTicketSchema = z.object({
  requesterEmail: email(),
  requesterName: text({ required: false, max: 120 }),
  subject: text({ max: 200 }),
  message: longText(),
  typeId: maybeId(),
  priority: choice(PRIORITIES, { blank: null }),
  visibility: choice(VISIBILITIES, { blank: 'public' }),
});
export type OpenTicketInput = z.output<typeof openTicketSchema>;
