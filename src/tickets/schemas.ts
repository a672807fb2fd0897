import * as z from 'zod';
import { fieldInputs } from '../fields/fields.js';
import { Invalid } from '../lib/errors.js';
import { assignee, checkbox, choice, email, id, list, longText, maybeId, optionalId, readForm, refuse, text, unchanged, type Checked } from '../lib/form.js';
import { isEmail, positiveInt } from '../lib/validate.js';
import { REASON_MAX } from './cancel.js';
import { SCORES } from './customer.js';
import { tagName } from '../tags/schemas.js';
import { PRIORITIES } from './tickets.js';

/**
 * The ticket forms, read into typed input (src/lib/form.ts): the agent desk's, and a customer's
 * answer and rating (the portal's forms, mail in, the rating link). The verbs get these types; what
 * needs the database (a retired type, a requester who is staff, custom fields) they check
 * themselves, with the same message keys.
 */

export const VISIBILITIES = ['public', 'internal'] as const;

/** Addresses typed into the CC box: commas, semicolons or new lines between them; at most 20. */
function addresses({ max = 20 } = {}) {
  const split = (value: string) => [...new Set(value.split(/[,;\s]+/).map((s) => s.trim().toLowerCase()).filter(Boolean))];
  return z.preprocess((value) => (typeof value === 'string' ? value : ''), z.string().transform(split)
    .pipe(z.array(z.string().refine(isEmail, { error: 'errors.email' })).max(max, { error: 'errors.tooLong' })));
}

/** "Updating Ticket": every field of the ticket; a missing assignee is nobody. */
export const editSchema = (meId: number) => z.object({
  subject: text({ max: 200 }),
  priority: choice(PRIORITIES),
  visibility: choice(VISIBILITIES),
  typeId: maybeId(),
  statusId: id(),
  assigneeId: assignee(meId).default(null),
  groupId: optionalId(),
  requesterEmail: email(),
  ccs: addresses(),
});
export type EditInput = z.output<ReturnType<typeof editSchema>> & {
  /** The type's custom fields as typed (`field_<key>`): the verb reads them by the type's definitions. */
  fields: Record<string, string>;
};

/** The edit form, mistakes and all: the verb adds what the database says, so one answer names every mistake. */
export function readEditForm(body: unknown, meId: number): Checked<EditInput> {
  const { value, errors } = readForm(editSchema(meId), body);
  return { value: { ...value, fields: fieldInputs(body) }, errors };
}

/** The status bar, and the assignee picker ("Assign to me" sends `me`). */
export const statusSchema = z.object({ statusId: id() });
export type StatusInput = z.output<typeof statusSchema>;
export const assignSchema = (meId: number) => z.object({ assigneeId: assignee(meId) });
export type AssignInput = z.output<ReturnType<typeof assignSchema>>;

export const cancelSchema = z.object({ reason: longText({ max: REASON_MAX }) });
export type CancelInput = z.output<typeof cancelSchema>;

/** A customer's answer on their ticket (the portal's form, and mail from a customer). */
export const customerReplySchema = z.object({ body: longText() });
export type CustomerReplyInput = z.output<typeof customerReplySchema>;

/** Good or Bad, with an optional comment (the portal's ticket page and the rating link of a "solved" mail). */
export const ratingSchema = z.object({ score: choice(SCORES), comment: longText({ required: false, max: 2000 }) });
export type RatingInput = z.output<typeof ratingSchema>;

/** More than two pages of the list at once is not a selection but a script. */
export const BULK_MAX = 100;

/** The list's bulk form: an empty choice leaves that property as it is; `none` clears the assignee or group. */
export const bulkSchema = (meId: number) => z.object({
  ids: list(),
  /** "Select all on this page": then `page` holds the page's ids (one field, separated by spaces). */
  all: checkbox(),
  page: list(),
  assignee: unchanged(assignee(meId)),
  status: unchanged(id()),
  priority: unchanged(choice(PRIORITIES)),
  group: unchanged(z.preprocess((value) => (value === 'none' ? null : value), id().nullable())),
  /** A tag to put on every selected ticket, one to take off (blank: none). */
  tagAdd: unchanged(z.preprocess((value) => (typeof value === 'string' ? value.trim() : value), tagName())),
  tagRemove: unchanged(z.preprocess((value) => (typeof value === 'string' ? value.trim() : value), tagName())),
});

export interface BulkInput {
  ids: number[];
  changes: { assigneeId?: number | null; statusId?: number; priority?: (typeof PRIORITIES)[number]; groupId?: number | null; tagAdd?: string; tagRemove?: string };
}

/** The chosen tickets and changes: the selection is judged first, with its own message, then the choices. */
export function parseBulkForm(body: unknown, meId: number): BulkInput {
  const { value, errors } = readForm(bulkSchema(meId), body);
  const chosen = value.all ? value.page.flatMap((v) => v.split(/[\s,]+/)).filter(Boolean) : value.ids;
  const ids = [...new Set(chosen.map((v) => positiveInt(v)))];
  if (ids.length === 0) throw new Invalid({ ids: 'bulk.errors.noneSelected' }, 'bulk.errors.noneSelected');
  if (ids.some((id) => id === null) || ids.length > BULK_MAX) throw new Invalid({ ids: 'errors.choice' }, 'bulk.errors.badSelection');
  refuse(errors);
  const changes: BulkInput['changes'] = Object.fromEntries(Object.entries({
    assigneeId: value.assignee, statusId: value.status, priority: value.priority, groupId: value.group,
    tagAdd: value.tagAdd, tagRemove: value.tagRemove,
  }).filter(([, change]) => change !== undefined));
  if (Object.keys(changes).length === 0) throw new Invalid({ action: 'bulk.errors.noChange' }, 'bulk.errors.noChange');
  return { ids: ids as number[], changes };
}
