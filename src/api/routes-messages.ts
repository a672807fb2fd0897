import { findDownloadableAttachment } from '../attachments/access.js';
import { contentDisposition } from '../attachments/names.js';
import { openStoredFile } from '../attachments/store.js';
import { discardUploads, readMultipartForm, type StoredUpload } from '../attachments/uploads.js';
import type { Db } from '../db/connect.js';
import { Forbidden, Invalid, NotFound } from '../lib/errors.js';
import { parseForm } from '../lib/form.js';
import { postAgentMessage } from '../messages/messages.js';
import { parseAgentMessage } from '../messages/schemas.js';
import { can } from '../policy/can.js';
import { postCustomerReply } from '../tickets/customer.js';
import { findVisibleTicket } from '../tickets/queries.js';
import { customerReplySchema } from '../tickets/schemas.js';
import type { Define } from './define.js';
import { presentAttachment, presentMessages } from './present.js';
import { newestMessageBy } from './queries.js';
import { IdParam, Message, MessageList, NewMessage, Uploads } from './shapes.js';
import { idText } from './ticket-input.js';

/** A ticket's conversation (customers never read notes), new messages with files, the files themselves. */
export function messageRoutes(define: Define, db: Db, uploadsDir: string) {
  define({
    method: 'GET', path: '/v1/tickets/:id/messages', operationId: 'listMessages', tag: 'Messages', access: 'read',
    summary: 'List a ticket\'s messages', description: 'Oldest first, with their files. Customers read replies, updates and chat lines; internal notes are staff-only.',
    params: IdParam, problems: [404],
    response: { status: 200, description: 'The messages.', schema: MessageList },
    handler: async ({ actor, params }) => {
      if (!(await findVisibleTicket(db, actor, params.id))) throw new NotFound();
      return { items: await presentMessages(db, actor, params.id) };
    },
  });

  define({
    method: 'POST', path: '/v1/tickets/:id/messages', operationId: 'addMessage', tag: 'Messages', access: 'write', idempotent: true, multipart: true,
    summary: 'Write on a ticket',
    description: 'Staff write a reply (public, mailed to the requester and CCs), an update (public service record) or a note (internal), optionally moving the ticket to a status. Customers answer on their tickets (a reply). Files come as multipart parts, or as `uploadIds` from POST /api/v1/uploads.',
    params: IdParam, body: NewMessage, problems: [404, 409, 413, 422],
    response: { status: 201, description: 'The new message.', schema: Message },
    handler: async ({ request, reply, actor, params, body }) => {
      let input: { kind?: string; body: string; statusId?: number | null; uploadIds: number[] };
      let stored: StoredUpload[] = [];
      if (request.isMultipart()) {
        const form = await readMultipartForm(request, actor);
        stored = form.uploads;
        if (form.rejected.length > 0) {
          await discardUploads(db, uploadsDir, stored);
          throw new Invalid({ files: 'attachments.errors.rejected' }, 'attachments.errors.rejected');
        }
        const statusId = form.fields.statusId ? Number(form.fields.statusId) : null;
        input = { kind: form.fields.kind, body: form.fields.body ?? '', statusId: Number.isSafeInteger(statusId) ? statusId : null, uploadIds: [] };
      } else {
        input = { ...body!, uploadIds: body!.uploadIds ?? [] };
      }
      const uploadIds = [...input.uploadIds, ...stored.map((u) => u.id)];
      let messageId: number | undefined;
      try {
        if (can(actor, 'ticket.write')) {
          const message = parseAgentMessage({ kind: input.kind ?? 'reply', body: input.body, statusId: idText(input.statusId) });
          messageId = (await postAgentMessage(db, actor, params.id, { ...message, uploadIds, via: 'api' })).id;
        } else if (can(actor, 'portal.use')) {
          if (input.kind !== undefined && input.kind !== 'reply') throw new Invalid({ kind: 'api.errors.customerKind' });
          if (input.statusId !== undefined && input.statusId !== null) throw new Invalid({ statusId: 'api.errors.staffOnly' });
          await postCustomerReply(db, actor, params.id, parseForm(customerReplySchema, { body: input.body }), uploadIds);
          messageId = await newestMessageBy(db, params.id, actor.id);
        } else {
          throw new Forbidden();
        }
      } catch (error) {
        await discardUploads(db, uploadsDir, stored);
        throw error;
      }
      const [message] = await presentMessages(db, actor, params.id, messageId);
      reply.code(201);
      return message;
    },
  });

  define({
    method: 'POST', path: '/v1/uploads', operationId: 'upload', tag: 'Messages', access: 'write', multipart: true,
    summary: 'Upload files', description: 'Files as multipart parts, kept a day for the message or ticket that names their ids (`uploadIds`). Each file is checked by its bytes; refused files are listed with the reason.',
    problems: [413, 415, 422],
    response: { status: 201, description: 'The files kept, and those refused.', schema: Uploads },
    handler: async ({ request, reply, actor }) => {
      if (!request.isMultipart()) throw new Invalid({ files: 'errors.required' });
      const form = await readMultipartForm(request, actor);
      reply.code(form.uploads.length > 0 ? 201 : 422);
      return {
        uploads: form.uploads.map((u) => presentAttachment(u)),
        rejected: form.rejected.map((r) => ({ filename: r.filename, reason: r.reason, message: r.message })),
      };
    },
  });

  define({
    method: 'GET', path: '/v1/attachments/:id', operationId: 'getAttachment', tag: 'Messages', access: 'read',
    summary: 'Download a file', description: 'The file\'s bytes, with the type sniffed when it was uploaded. Only for those who may read its message (customers: never a note\'s).',
    params: IdParam, problems: [404],
    response: { status: 200, description: 'The file.', contentType: 'application/octet-stream', headers: ['Content-Disposition'] },
    handler: async ({ request, reply, actor, params }) => {
      const attachment = await findDownloadableAttachment(db, actor, params.id);
      const file = await openStoredFile(uploadsDir, attachment.storage_key);
      if (!file) {
        request.log.warn({ attachment: attachment.id }, 'attachment file missing on disk');
        throw new NotFound();
      }
      reply.header('Content-Disposition', contentDisposition(attachment.filename, 'attachment'))
        .header('X-Content-Type-Options', 'nosniff').header('Cache-Control', 'private')
        .header('Content-Length', String(file.size)).type(attachment.content_type);
      reply.send(file.stream);
      return reply;
    },
  });
}
