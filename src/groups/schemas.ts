import * as z from 'zod';
import { flag, longText, maybeId, text } from '../lib/form.js';

/** The group forms, read into typed input (src/lib/form.ts). A name already taken, and who may join, the verbs check. */

export const groupSchema = z.object({
  name: text({ max: 100 }),
  description: longText({ required: false, max: 2000 }),
  isRestricted: flag(),
});
export type GroupInput = z.output<typeof groupSchema>;

/** "Add member": the person picked (the verb looks them up: one that is no id is no choice). */
export const memberSchema = z.object({ userId: maybeId() });
export type MemberInput = z.output<typeof memberSchema>;
