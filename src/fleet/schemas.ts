import * as z from 'zod';
import { maybeId } from '../lib/form.js';

/** The Fleet tab's forms, read into typed input (src/lib/form.ts): the person picked (the verb judges whether they could work the ticket). */
export const fleetPersonSchema = z.object({ userId: maybeId() });
export type FleetPersonInput = z.output<typeof fleetPersonSchema>;
