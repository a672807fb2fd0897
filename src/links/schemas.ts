import * as z from 'zod';
import { choice, flag, maybeId, withBlank } from '../lib/form.js';

/** A ticket number as agents type it: `123` or `#123`, spaces around allowed. */
export function ticketNumber() {
  const schema = z.string().trim()
    .min(1, { error: 'errors.required' })
    .regex(/^#?\s*\d{1,12}$/, { error: 'links.errors.number' })
    .transform((value) => Number(value.replace(/^#\s*/, '')))
    .refine((n) => Number.isSafeInteger(n) && n > 0, { error: 'links.errors.number' });
  return withBlank(z.preprocess((v) => (typeof v === 'string' ? v : ''), schema), 0);
}

/** Merge another ticket into this one: its number, and (tickets of two brands) the agent's consent. */
export const mergeSchema = z.object({ other: ticketNumber(), acrossBrands: flag() });
export type MergeForm = z.output<typeof mergeSchema>;

/** "Split from here" on a message. */
export const splitSchema = z.object({ messageId: maybeId() });

/** The kinds an agent picks, read from this ticket: `child` is stored as the other ticket's `parent`. */
export const LINK_CHOICES = ['related', 'duplicate', 'parent', 'child'] as const;
export type LinkChoice = (typeof LINK_CHOICES)[number];

export const linkSchema = z.object({ kind: choice(LINK_CHOICES), other: ticketNumber() });
export type LinkForm = z.output<typeof linkSchema>;

export const unlinkSchema = z.object({ linkId: maybeId() });

/** Solving a parent whose children are still open: the agent ticked "solve it anyway". */
export const openChildrenSchema = z.object({ confirmOpenChildren: flag() });
