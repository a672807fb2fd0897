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
  /** The host name its help center answers on (lower case), or null: the default brand's help center answers the rest. */
  host: withBlank(text({ required: false, max: 253, format: { pattern: /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i, error: 'admin.brands.hostFormat' } })
    .transform((typed) => typed.toLowerCase() || null), null),
});
export type BrandInput = z.output<typeof brandSchema>;
