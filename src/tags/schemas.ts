import * as z from 'zod';
import { withBlank } from '../lib/form.js';

/** A tag's longest name. */
export const TAG_MAX = 40;
/** Letters, digits, `-`, `_` and `.`: a tag is one word, so `tag:billing` and `tag=` need no quoting. */
const TAG_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N}_.-]*$/u;

/**
 * A tag as typed: trimmed and lower-cased (so "Billing " and "billing" are one tag), then required,
 * at most TAG_MAX characters and one word. The same rule serves the ticket page, bulk and the admin page.
 */
export function tagName() {
  const schema = z.string().trim().toLowerCase()
    .min(1, { error: 'errors.required' })
    .max(TAG_MAX, { error: 'tags.errors.tooLong' })
    .refine((value) => value === '' || value.length > TAG_MAX || TAG_PATTERN.test(value), { error: 'tags.errors.format' });
  return withBlank(z.preprocess((v) => (typeof v === 'string' ? v : ''), schema), '');
}

/** The same rule for a value that is not a form field (a `tag=` filter, a `tag:` term): the tag, or null. */
export function normaliseTag(value: string): string | null {
  const result = tagName().safeParse(value);
  return result.success ? result.data : null;
}

/** Put a tag on a ticket, or take one off it. */
export const ticketTagSchema = z.object({ tag: tagName() });
export type TicketTagInput = z.output<typeof ticketTagSchema>;

/** Admin page: a new managed tag, a tag's new name, the tag another is merged into. */
export const newTagSchema = z.object({ name: tagName() });
export const renameTagSchema = z.object({ name: tagName() });
export const mergeTagSchema = z.object({ into: tagName() });
