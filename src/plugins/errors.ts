import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Conflict, DomainError, Expired, Forbidden, Invalid, Malformed, NotFound, TooLarge, TooManyRequests } from '../lib/errors.js';

const GENERIC: Record<number, string> = {
  400: 'errors.badRequest', 403: 'errors.forbidden', 404: 'errors.notFound', 409: 'errors.conflict',
  413: 'errors.tooLarge', 415: 'errors.badRequest', 422: 'errors.invalid', 429: 'errors.tooMany',
};

/** How HTTP says each domain error (subclasses, e.g. a Conflict of one verb, answer as their parent). */
const STATUS_OF: [abstract new (...args: never[]) => DomainError, number][] = [
  [Malformed, 400], [Forbidden, 403], [NotFound, 404], [Conflict, 409], [Expired, 410],
  [TooLarge, 413], [Invalid, 422], [TooManyRequests, 429],
];

/** The status of a domain error; 500 for a kind nobody mapped (a bug, logged as one). */
export function statusOf(error: DomainError): number {
  return STATUS_OF.find(([kind]) => error instanceof kind)?.[1] ?? 500;
}

/**
 * One error handler: below 500 the page says what went wrong (a catalogue message, never internals);
 * at 500 the error is logged with the request id and the page says only that.
 */
export default fp(async (app) => {
  app.setNotFoundHandler(async (request, reply) => renderError(request, reply, 404, 'errors.notFound'));

  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    if (error instanceof DomainError && statusOf(error) !== 500) {
      if (error instanceof TooManyRequests) reply.header('Retry-After', String(error.retryAfterSeconds));
      const fields = error instanceof Invalid ? Object.values(error.fields).filter(Boolean) : [];
      return renderError(request, reply, statusOf(error), error.message, fields, error.params);
    }
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: error.code, status }, error.message);
    return renderError(request, reply, status, GENERIC[status] ?? (status === 500 ? 'errors.server' : 'errors.badRequest'));
  });
}, { name: 'errors', dependencies: ['views'] });

async function renderError(request: FastifyRequest, reply: FastifyReply, status: number, key: string, fields: string[] = [], params: Record<string, string> = {}) {
  const t = request.t ?? ((k: string) => k);
  const message = request.server.catalogue.has(key) ? t(key, params) : t(GENERIC[status] ?? 'errors.server');
  try {
    return await reply.page('errors/error', {
      status,
      title: t(`errors.title.${status in GENERIC || status === 500 ? status : 400}`),
      message,
      fields: fields.map((f) => t(f)),
    }, { status, fragment: 'errors/_error' });
  } catch (renderFailure) {
    request.log.error({ err: renderFailure }, 'error page failed to render');
    return reply.code(status).type('text/plain; charset=utf-8').send(`${status}`);
  }
}
