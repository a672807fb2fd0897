import type { FastifyInstance } from 'fastify';
import { NotFound } from '../lib/errors.js';
import { positiveInt } from '../lib/validate.js';
import { allow } from '../plugins/guards.js';
import { findDownloadableAttachment } from './access.js';
import { attachmentHref } from './names.js';
import { sendStoredFile } from './send.js';
import { isInlineImage } from './sniff.js';
import { readMultipartForm } from './uploads.js';

export default async function attachmentRoutes(app: FastifyInstance) {
  const { db } = app;
  const anyone = allow('account.use');

  // A download, never a page: the type we sniffed, no sniffing by the browser, and inline only for raster images.
  app.get<{ Params: { id: string; filename: string }; Querystring: { inline?: string } }>(
    '/attachments/:id/:filename', { preHandler: anyone }, async (request, reply) => {
      const id = positiveInt(request.params.id);
      if (!id) throw new NotFound();
      const attachment = await findDownloadableAttachment(db, request.actor!, id);
      const inline = request.query.inline === '1' && isInlineImage(attachment.content_type);
      return sendStoredFile(reply, attachment, inline ? 'inline' : 'attachment');
    });

  // Pending uploads for script-driven uploaders: the files wait (a day at most) for the message that binds them.
  app.post('/attachments', { config: { multipartCsrf: true }, preHandler: anyone }, async (request, reply) => {
    const form = await readMultipartForm(request, request.actor!);
    const status = form.uploads.length > 0 ? 201 : form.rejected.length > 0 ? 422 : 200;
    return reply.code(status).header('Cache-Control', 'no-store').type('application/json; charset=utf-8').send({
      uploads: form.uploads.map((u) => ({ id: u.id, filename: u.filename, size: u.size, contentType: u.contentType, href: attachmentHref(u.id, u.filename) })),
      rejected: form.rejected.map((r) => ({ filename: r.filename, reason: r.reason, message: r.message })),
    });
  });
}
