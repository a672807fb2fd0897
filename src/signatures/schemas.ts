import * as z from 'zod';
import { longText, messageWith, readForm } from '../lib/form.js';
import type { FieldErrors } from '../lib/errors.js';
import { SIGNATURE_MAX, unknownPlaceholders } from './signatures.js';

/** One signature: Markdown, optional, placeholders only those signatures know (src/signatures/signatures.ts). */
function signatureText() {
  return longText({ required: false, max: SIGNATURE_MAX }).superRefine((value, ctx) => {
    const unknown = unknownPlaceholders(value);
    if (unknown.length > 0) ctx.addIssue({ code: 'custom', message: messageWith('signature.unknownPlaceholder', { name: `{{${unknown[0]!}}}` }) });
  });
}

export interface SignaturesInput {
  signature: string;
  /** Brand id → its override ('' = none: the general signature is used). */
  brands: [number, string][];
  /** The form's "Preview" button: show the rendered signatures, save nothing. */
  preview: boolean;
}

/** The signature form, for the brands that exist: `signature`, `brand_<id>`, and the preview button. */
export function readSignaturesForm(body: unknown, brandIds: number[]): { value: SignaturesInput; errors: FieldErrors } {
  const schema = z.object({
    signature: signatureText(),
    ...Object.fromEntries(brandIds.map((id) => [`brand_${id}`, signatureText()])),
  });
  const { value, errors } = readForm(schema, body);
  const raw = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const typed = value as Record<string, string>;
  return {
    value: { signature: typed.signature ?? '', brands: brandIds.map((id) => [id, typed[`brand_${id}`] ?? '']), preview: raw.preview === '1' },
    errors,
  };
}
