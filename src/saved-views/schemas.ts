import * as z from 'zod';
import { Invalid } from '../lib/errors.js';
import { flag, text, withBlank } from '../lib/form.js';
import { parseSavedQuery } from './filter-check.js';

/**
 * "Save view", read into typed input (src/lib/form.ts). Whether the filter names something that no
 * longer exists, and who may share a view, the verbs check.
 */
export const viewSchema = z.object({
  name: text({ max: 80 }),
  /** A list address or query string, read as the list reads it (null when it cannot be). */
  query: withBlank(z.preprocess((value) => (typeof value === 'string' ? value : ''), z.string().transform((typed, ctx) => {
    try {
      return parseSavedQuery(typed);
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      ctx.addIssue({ code: 'custom', message: error.fields.query! });
      return null;
    }
  })), null),
  shared: flag(['1', 'on']),
});
export type ViewInput = z.output<typeof viewSchema>;
