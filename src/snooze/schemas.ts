import * as z from 'zod';
import { Invalid } from '../lib/errors.js';
import { parseForm } from '../lib/form.js';
import { PRESETS, localToIso, presetTime, type Preset } from './presets.js';

/** The longest a ticket may sleep. */
const MAX_SNOOZE_MS = 366 * 24 * 3600_000;

/**
 * "Remind me": a preset button (`preset=tomorrow`), or `preset=custom` with a date and time typed in
 * the agent's zone (`until`, a datetime-local value).
 */
export const snoozeSchema = z.object({
  preset: z.preprocess((v) => (typeof v === 'string' ? v : ''), z.enum([...PRESETS, 'custom'], { error: 'errors.choice' })),
  until: z.preprocess((v) => (typeof v === 'string' ? v.trim() : ''), z.string().max(30, { error: 'snooze.errors.until' })),
});

/**
 * The form as the instant the ticket wakes, worked out in the agent's zone: a custom time must be a
 * real date and time ahead of now, at most a year on. Refusals name the `until` field.
 */
export function readSnooze(body: unknown, timeZone: string, now = Date.now()): { until: string } {
  const form = parseForm(snoozeSchema, body);
  if (form.preset !== 'custom') return { until: presetTime(form.preset as Preset, timeZone, now) };
  const iso = form.until === '' ? null : localToIso(form.until, timeZone);
  if (iso === null) {
    const key = form.until === '' ? 'errors.required' : 'snooze.errors.until';
    throw new Invalid({ until: key }, key);
  }
  const at = Date.parse(iso);
  if (at <= now || at > now + MAX_SNOOZE_MS) throw new Invalid({ until: 'snooze.errors.future' }, 'snooze.errors.future');
  return { until: iso };
}
