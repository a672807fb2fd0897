import * as z from 'zod';
import { choice, maybeId, optionalId, text } from '../lib/form.js';
import { CATEGORIES } from './presets.js';

/**
 * The workflow's forms, read into typed input (src/lib/form.ts). A name already taken, a status
 * that is not (or no longer) in the workflow, a preset's choices, the verbs check.
 */

export const statusSchema = z.object({
  name: text({ max: 80 }),
  /** Customers read this label in the portal, so a status never goes without one. */
  customerLabel: text({ max: 80 }),
  category: choice(CATEGORIES),
});
export type StatusInput = z.output<typeof statusSchema>;

/** The assignment status and the accepted-offer status: a status, or none. */
export const statusSettingsSchema = z.object({
  assignmentStatusId: optionalId(),
  offerAcceptedStatusId: optionalId(),
});
export type StatusSettingsInput = z.output<typeof statusSettingsSchema>;

export const positionSchema = z.object({ direction: choice(['up', 'down'] as const) });

/** Where a deleted status's tickets go (the verb looks it up; one that is no id is no choice). */
export const deleteSchema = z.object({ moveTo: maybeId() });
export type DeleteInput = z.output<typeof deleteSchema>;

/**
 * The preset form: for a current status (`map_<id>`), the place of the preset's status its tickets
 * go to, or null when what was sent is no place. A status the form leaves out (or empty) takes the
 * suggestion.
 */
export type PresetMapping = ReadonlyMap<number, number | null>;

export function readPresetMapping(body: unknown): PresetMapping {
  const mapping = new Map<number, number | null>();
  for (const [name, given] of Object.entries(body && typeof body === 'object' ? body : {})) {
    const status = /^map_([1-9]\d*)$/.exec(name);
    if (!status || given === undefined || given === '') continue;
    const index = Number(given);
    mapping.set(Number(status[1]), Number.isSafeInteger(index) && index >= 0 ? index : null);
  }
  return mapping;
}
