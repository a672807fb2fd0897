import * as z from 'zod';
import { email, flag, longText, text, withBlank } from '../lib/form.js';

/** The brand form, read into typed input (src/lib/form.ts). A name already taken, and the default flag's rule, the verbs check. */
export const brandSchema = z.object({
  name: text({ max: 100 }),
  fromName: text({ max: 100 }),
  fromAddress: email(),
  portalTitle: text({ max: 100 }),
  /** The portal's colour as #rrggbb (lower-cased), or null for the house colour. */
  colour: withBlank(text({ required: false, max: 7, format: { pattern: /^#[0-9a-f]{6}$/i, error: 'admin.brands.colourFormat' } })
    .transform((typed) => typed.toLowerCase() || null), null),
  /** Markdown at the bottom of every ticket mail of the brand ('' = none). */
  mailFooter: longText({ required: false, max: 2000 }),
  isDefault: flag(),
});
export type BrandInput = z.output<typeof brandSchema>;
