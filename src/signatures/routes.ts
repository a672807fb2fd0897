import type { FastifyInstance } from 'fastify';
import { Invalid } from '../lib/errors.js';
import { allow } from '../plugins/guards.js';
import type { Actor } from '../users/actor.js';
import { readSignaturesForm } from './schemas.js';
import { previewSignature, saveSignatures, signatureBrands, signatureValues } from './signatures.js';

type Form = Record<string, string | undefined>;

/**
 * `/account/signature`: a staff member's own signature, and one per brand where it should differ.
 * "Preview" re-renders the page with the signatures as they will look (no JavaScript needed), saving nothing.
 */
export default async function signatureRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', allow('profile.signature'));

  function previews(actor: Actor, values: Record<string, string | undefined>, brands: { id: number; name: string; is_default: number }[]) {
    // {{brand.name}} in the general signature's preview: the default brand's.
    const general = (brands.find((b) => b.is_default === 1) ?? brands[0])?.name ?? '';
    return {
      signature: previewSignature(values.signature ?? '', actor, general),
      ...Object.fromEntries(brands.map((b) => [`brand_${b.id}`, previewSignature(values[`brand_${b.id}`] || values.signature || '', actor, b.name)])),
    };
  }

  app.get('/account/signature', async (request, reply) => {
    const brands = await signatureBrands(db);
    return reply.page('account/signature', { values: await signatureValues(db, request.actor!), errors: {}, brands, preview: null });
  });

  app.post<{ Body: Form }>('/account/signature', async (request, reply) => {
    const form = request.body ?? {};
    const actor = request.actor!;
    const brands = await signatureBrands(db);
    const { value, errors } = readSignaturesForm(form, brands.map((b) => b.id));
    try {
      if (Object.keys(errors).length > 0) throw new Invalid(errors);
      if (value.preview) {
        return reply.page('account/signature', { values: form, errors: {}, brands, preview: previews(actor, form, brands) });
      }
      await saveSignatures(db, actor, value);
      return reply.seeOther('/account/signature', 'signature.saved');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return reply.page('account/signature', { values: form, errors: error.fields, brands, preview: null }, { status: 422 });
    }
  });
}
