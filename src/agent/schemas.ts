import * as z from 'zod';
import { Invalid } from '../lib/errors.js';
import { assignee, choice, id, optionalId, parseForm } from '../lib/form.js';
import type { PropertyChange } from '../tickets/properties.js';
import { PRIORITIES } from '../tickets/tickets.js';

/**
 * The agent channel's own forms, read into typed input (src/lib/form.ts); the ticket forms the
 * agent pages share with the domain are in tickets/schemas.ts.
 */

export { openTicketSchema, type OpenTicketInput } from '../submissions/schemas.js';

/** The ticket page's side panel: one property per form, named by `property` (tickets/properties.ts). */
export const PANEL_PROPERTIES = ['statusId', 'priority', 'assigneeId', 'groupId', 'typeId'] as const;

const propertySchemas = (meId: number) => ({
  statusId: z.object({ statusId: id() }),
  priority: z.object({ priority: choice(PRIORITIES) }),
  assigneeId: z.object({ assigneeId: assignee(meId) }),
  groupId: z.object({ groupId: optionalId() }),
  typeId: z.object({ typeId: id() }),
});

/** A custom field's form name (`field_<key>`): its value is read by the verb, which knows the field's kind. */
const FIELD_NAME = /^field_[a-z0-9_]{1,64}$/;

/** The panel form as a change: which property, and its new value; anything else is Invalid. */
export function parsePropertyForm(body: unknown, meId: number): PropertyChange {
  const form = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const property = form.property;
  if (typeof property === 'string' && FIELD_NAME.test(property)) {
    const value = form[property];
    return { property: 'field', name: property, value: typeof value === 'string' ? value : '' };
  }
  if (!PANEL_PROPERTIES.includes(property as (typeof PANEL_PROPERTIES)[number])) throw new Invalid({ property: 'errors.choice' }, 'errors.choice');
  const schemas = propertySchemas(meId);
  switch (property as (typeof PANEL_PROPERTIES)[number]) {
    case 'statusId': return { property: 'status', statusId: parseForm(schemas.statusId, form).statusId };
    case 'priority': return { property: 'priority', priority: parseForm(schemas.priority, form).priority };
    case 'assigneeId': return { property: 'assignee', assigneeId: parseForm(schemas.assigneeId, form).assigneeId };
    case 'groupId': return { property: 'group', groupId: parseForm(schemas.groupId, form).groupId };
    case 'typeId': return { property: 'type', typeId: parseForm(schemas.typeId, form).typeId };
  }
}
