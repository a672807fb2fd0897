import * as z from 'zod';
import { choice, text } from '../lib/form.js';
import type { TokenScope } from './schema.js';

/**
 * The token forms (the profile's "API tokens" page, `deskbell token create`), read into typed input
 * (src/lib/form.ts). The API's own request and response shapes are in api/shapes.ts.
 */

export const TOKEN_SCOPES = ['read', 'write'] as const satisfies readonly TokenScope[];
export const TOKEN_NAME_MAX = 80;

/** A new token: a name to recognise it by, read-only unless asked, an optional last day (YYYY-MM-DD). */
export const newTokenSchema = z.object({
  name: text({ max: TOKEN_NAME_MAX }),
  scope: choice(TOKEN_SCOPES, { blank: 'read' }),
  expiresOn: text({ required: false, max: 10, format: { pattern: /^\d{4}-\d{2}-\d{2}$/, error: 'errors.date' } }),
});
export type NewTokenInput = z.output<typeof newTokenSchema>;
