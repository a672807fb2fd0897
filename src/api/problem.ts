import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, Invalid, TooManyRequests } from '../lib/errors.js';
import { statusOf } from '../plugins/errors.js';

/**
 * Errors of the API as `application/problem+json` (RFC 9457): `type`, `title`, `status`, `detail`,
 * `instance`, and for invalid input `errors`, one per field with a JSON pointer into the request
 * body (or the query), the message and its catalogue key as `code`.
 */

export const PROBLEM_TYPE = 'application/problem+json';

/** Nobody (or a token that is unknown, expired, revoked, or whose owner is disabled). */
export class Unauthorized extends DomainError {
  constructor(message = 'api.errors.unauthorized') { super(message); }
}

/** The If-Match of a PATCH names a version of the ticket that is no longer the current one. */
export class PreconditionFailed extends DomainError {
  constructor(message = 'api.errors.preconditionFailed') { super(message); }
}

/** The request is of a media type this route does not read (a form where JSON is expected). */
export class UnsupportedMediaType extends DomainError {
  constructor(message = 'api.errors.mediaType') { super(message); }
}

/** Invalid input in the query string (400), as opposed to the body (422). */
export class InvalidQuery extends Invalid {}

export interface FieldProblem {
  pointer: string;
  detail: string;
  code: string;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 410: 'Gone', 412: 'Precondition Failed',
  413: 'Content Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Content', 429: 'Too Many Requests', 500: 'Internal Server Error',
};

export function apiStatusOf(error: DomainError): number {
  if (error instanceof Unauthorized) return 401;
  if (error instanceof PreconditionFailed) return 412;
  if (error instanceof UnsupportedMediaType) return 415;
  if (error instanceof InvalidQuery) return 400;
  return statusOf(error);
}

/** A form field's name as a JSON pointer into the API's body: `field_<key>` is `/fields/<key>`. */
export function pointerOf(field: string, where: 'body' | 'query'): string {
  if (where === 'query') return `#/query/${field}`;
  const custom = /^field_(.+)$/.exec(field);
  return custom ? `#/fields/${custom[1]}` : `#/${field}`;
}

/** The API's error handler: domain errors keep their status, Fastify's keep theirs; a 500 is logged and says nothing more. */
export async function sendProblem(error: FastifyError | DomainError, request: FastifyRequest, reply: FastifyReply) {
  const t = request.t ?? ((key: string) => key);
  let status: number;
  let key: string;
  let params: Record<string, string> = {};
  let errors: FieldProblem[] | undefined;
  if (error instanceof DomainError && apiStatusOf(error) !== 500) {
    status = apiStatusOf(error);
    key = error.message;
    params = error.params;
    if (error instanceof TooManyRequests) reply.header('Retry-After', String(error.retryAfterSeconds));
    if (error instanceof Unauthorized) reply.header('WWW-Authenticate', 'Bearer realm="deskbell"');
    if (error instanceof Invalid) {
      const where = error instanceof InvalidQuery ? 'query' : 'body';
      errors = Object.entries(error.fields).filter(([, code]) => Boolean(code)).map(([field, code]) => ({
        pointer: pointerOf(field, where), detail: translate(request, code, error.params), code: code.split('?')[0]!,
      }));
    }
  } else {
    const fastifyError = error as FastifyError;
    status = fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500 ? fastifyError.statusCode : 500;
    if (status === 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: fastifyError.code, status }, fastifyError.message);
    key = status === 500 ? 'errors.server' : status === 413 ? 'errors.tooLarge' : status === 415 ? 'api.errors.mediaType' : status === 429 ? 'errors.tooMany' : 'errors.badRequest';
  }
  const problem = {
    type: 'about:blank',
    title: TITLES[status] ?? 'Error',
    status,
    detail: request.server.catalogue.has(key) ? t(key, params) : translate(request, key),
    instance: request.url.split('?')[0],
    ...(errors ? { errors } : {}),
  };
  return reply.code(status).header('Cache-Control', 'no-store').type(`${PROBLEM_TYPE}; charset=utf-8`).send(JSON.stringify(problem));
}

/** A message key (with values in query form, see lib/form.ts messageWith) in the reader's language. */
function translate(request: FastifyRequest, code: string, params: Record<string, string> = {}): string {
  const [key = '', query = ''] = code.split('?', 2);
  if (!request.server.catalogue.has(key)) return request.t('errors.invalid');
  return request.t(key, { ...params, ...Object.fromEntries(new URLSearchParams(query)) });
}
