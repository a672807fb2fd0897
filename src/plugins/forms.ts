import fastifyFormbody from '@fastify/formbody';
import fastifyMultipart from '@fastify/multipart';
import fp from 'fastify-plugin';

export const FORM_LIMITS = {
  /** urlencoded forms: a long message fits, a flood does not. */
  bodyBytes: 1024 * 1024,
  /** Uploads (seed 002: 30 MB for all documents of a message). */
  fileBytes: 30 * 1024 * 1024,
  files: 10,
  fields: 50,
  parts: 100,
};

/** Form bodies: urlencoded for plain forms, multipart for uploads, both with limits enforced while reading. */
export default fp(async (app) => {
  await app.register(fastifyFormbody, { bodyLimit: FORM_LIMITS.bodyBytes });
  await app.register(fastifyMultipart, {
    limits: {
      fileSize: FORM_LIMITS.fileBytes, files: FORM_LIMITS.files, fields: FORM_LIMITS.fields,
      parts: FORM_LIMITS.parts, fieldSize: FORM_LIMITS.bodyBytes, headerPairs: 200,
    },
    throwFileSizeLimit: true,
  });
}, { name: 'forms' });
