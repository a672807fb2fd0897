import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as z from 'zod';
import { Forbidden, Invalid, NotFound, type FieldErrors } from '../lib/errors.js';
import { can, type RoleAction } from '../policy/can.js';
import type { Actor } from '../users/actor.js';
import { withIdempotency } from './idempotency.js';
import { InvalidQuery, Unauthorized, UnsupportedMediaType } from './problem.js';

/**
 * One API route, declared once: its address, who may call it, its parameters, query, body and
 * answer as zod schemas. The same declaration registers the Fastify route (which checks the input
 * against the schemas) and describes it in the OpenAPI document (openapi.ts).
 */
export interface RouteSpec<P extends z.ZodObject = z.ZodObject, Q extends z.ZodObject = z.ZodObject, B extends z.ZodType = z.ZodType> {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Under /api, with Fastify's `:name` parameters: `/v1/tickets/:id`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  /**
   * `public`: anyone, no token needed (the document itself). `read`: any token or session.
   * `write`: a read-write token, or a session (with its CSRF token).
   */
  access: 'public' | 'read' | 'write';
  /** A permission checked before the input is read: whoever lacks it is refused (403) whatever they send. */
  permission?: RoleAction;
  params?: P;
  query?: Q;
  /** A JSON body; with `multipart`, the form fields of a multipart body as well. */
  body?: B;
  multipart?: boolean;
  /** A POST that honours `Idempotency-Key`. */
  idempotent?: boolean;
  /** The success answer: its status, a JSON schema (or a content type for bytes), and what it is. */
  response: { status: number; description: string; schema?: z.ZodType; contentType?: string; headers?: string[] };
  /** The problem statuses worth documenting besides 401/403/429 (every route may answer those). */
  problems?: number[];
  handler: (context: Context<z.output<P>, z.output<Q>, z.output<B>>) => Promise<unknown>;
}

export interface Context<P, Q, B> {
  request: FastifyRequest;
  reply: FastifyReply;
  actor: Actor;
  params: P;
  query: Q;
  body: B;
}

/** A declared route as the OpenAPI document reads it (the full path, under /api). */
export type RouteDoc = Omit<RouteSpec, 'handler'> & { fullPath: string };

// A route's handler is called with its own schemas' types; the registry holds them all.
type AnySpec = RouteSpec<z.ZodObject, z.ZodObject, z.ZodType>;

export type Define = <P extends z.ZodObject = z.ZodObject, Q extends z.ZodObject = z.ZodObject, B extends z.ZodType = z.ZodType>(spec: RouteSpec<P, Q, B>) => void;

/** The `define` of one API plugin (prefix `/api`): registers each route and records it in `registry`. */
export function definer(api: FastifyInstance, registry: RouteDoc[]): Define {
  return (spec) => {
    const { handler, ...doc } = spec as unknown as AnySpec;
    registry.push({ ...doc, fullPath: `/api${doc.path}` });
    api.route({
      method: spec.method,
      url: spec.path,
      // Nobody at all is told so (401) before anything else, the CSRF check (a preHandler) included.
      preValidation: async (request) => {
        if (spec.access !== 'public' && !request.actor) throw new Unauthorized();
      },
      handler: async (request, reply) => {
        const actor = spec.access === 'public' ? request.actor : requireActor(request, spec.access);
        if (spec.permission && !can(actor!, spec.permission)) throw new Forbidden();
        const params = spec.params ? parseParams(spec.params, request.params) : {};
        const query = spec.query ? parseWith(spec.query, request.query ?? {}, 'query') : {};
        const isMultipart = request.isMultipart();
        if (spec.body && !isMultipart && request.body !== undefined && !isJson(request)) throw new UnsupportedMediaType();
        if (isMultipart && !spec.multipart) throw new UnsupportedMediaType();
        // A multipart body is read by the handler (files are streamed); a JSON one is checked here.
        const body = spec.body && !isMultipart ? parseWith(spec.body, request.body ?? {}, 'body') : undefined;
        reply.header('Cache-Control', 'no-store');
        // The answer as JSON text, not yet sent: an idempotent POST keeps it before it goes out. A
        // handler that answers itself (a file's bytes) returns the reply.
        let answered = false;
        const run = async (): Promise<string | undefined> => {
          const result = await (handler as AnySpec['handler'])({ request, reply, actor: actor!, params, query, body });
          if (result === reply) answered = true;
          if (result === undefined || result === reply) return undefined;
          reply.type('application/json; charset=utf-8');
          return JSON.stringify(result);
        };
        const payload = spec.idempotent && request.headers['idempotency-key'] !== undefined
          ? await withIdempotency(request, reply, actor!, run)
          : await run();
        if (answered) return reply;
        return reply.send(payload);
      },
    });
  };
}

/** Who may call: someone (a token or a session) whose role lets them use the API, with a token of the right scope. */
function requireActor(request: FastifyRequest, access: 'read' | 'write'): Actor {
  const actor = request.actor;
  if (!actor) throw new Unauthorized();
  if (!can(actor, 'api.use')) throw new Forbidden();
  if (access === 'write' && request.apiToken && request.apiToken.scope !== 'write') throw new Forbidden('api.errors.readOnlyToken');
  return actor;
}

function isJson(request: FastifyRequest): boolean {
  return /^application\/(.+\+)?json\b/i.test(String(request.headers['content-type'] ?? ''));
}

/** Path parameters that do not parse name nothing that exists: 404, as on the pages. */
function parseParams<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new NotFound();
  return result.data;
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query'): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) errors[key] ??= 'api.errors.unknownField';
      continue;
    }
    const path = issue.path.map(String);
    // A custom field's value is reported as the form reports it (`field_<key>`), so both read alike.
    const name = path[0] === 'fields' && path.length > 1 ? `field_${path[1]}` : path.join('/') || 'body';
    errors[name] ??= CATALOGUE_KEY.test(issue.message) ? issue.message : issueKey(issue);
  }
  throw where === 'query' ? new InvalidQuery(errors, 'errors.badRequest') : new Invalid(errors);
}

/** A message the schema gave as a catalogue key (`errors.required`, `webhooks.errors.url`), not zod's own words. */
const CATALOGUE_KEY = /^[a-z][\w-]*(\.[\w-]+)+(\?\S*)?$/i;

/** zod's own messages (a wrong type, a missing key) as the catalogue's. */
function issueKey(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') return (issue as { input?: unknown }).input === undefined ? 'errors.required' : 'api.errors.type';
  if (issue.code === 'too_big') return 'errors.tooLong';
  if (issue.code === 'too_small') return 'errors.required';
  if (issue.code === 'unrecognized_keys') return 'api.errors.unknownField';
  if (issue.code === 'invalid_value') return 'errors.choice';
  return 'errors.invalid';
}
