import * as z from 'zod';
import { text } from '../lib/form.js';
import { localTimeToIso } from './video.js';

/**
 * "New video session", read into typed input (src/lib/form.ts): a title, and a start the agent
 * typed in their own time zone (a datetime-local field), as an instant or null when left empty.
 */
export const videoSessionSchema = (timeZone: string | null) => z.object({
  title: text({ max: 200 }),
  startsAt: z.preprocess((value) => (typeof value === 'string' ? value.trim() : ''), z.string().transform((value, ctx) => {
    if (!value) return null;
    const iso = localTimeToIso(value, timeZone);
    if (iso === null) ctx.addIssue({ code: 'custom', message: 'video.errors.startsAt' });
    return iso;
  })),
});
export type VideoSessionInput = z.output<ReturnType<typeof videoSessionSchema>>;
