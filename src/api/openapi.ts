import * as z from 'zod';
import { VERSION } from '../version.js';
import type { RouteDoc } from './define.js';
import { PROBLEM_TYPE } from './problem.js';
import { Problem } from './shapes.js';

/**
 * The OpenAPI 3.1 document, generated from the routes' own declarations (define.ts): every route
 * under /api is in it, with its parameters, body and answers as JSON Schema (zod's toJSONSchema,
 * draft 2020-12, which OpenAPI 3.1 speaks). Named shapes (`.meta({ id })`) become components.
 */

const STATUS_TEXT: Record<number, string> = {
  400: 'The query string (or the request) cannot be read.', 401: 'No token, or one that is unknown, expired or revoked.',
  403: 'The caller may not do this (their role, or a read-only token).', 404: 'Nothing there, or nothing the caller may see.',
  409: 'A conflict: the state of the ticket (closed), or an Idempotency-Key whose first request still runs.',
  412: 'If-Match names an older version: the ticket changed since it was read.', 413: 'Too large.',
  415: 'A body of another media type than this route reads.', 422: 'Invalid input: `errors` names each field.',
  429: 'Too many requests for this token: wait `Retry-After` seconds.',
};

type Json = Record<string, unknown>;

export function openApiDocument(routes: readonly RouteDoc[], baseUrl: string): Json {
  const components: Record<string, unknown> = {};
  // Schemas with an id (`.meta({ id })`) are declared once, as components, and referred to by $ref:
  // zod puts them in $defs (the root too, as a $ref), which move to components/schemas.
  const schemaOf = (schema: z.ZodType, io: 'input' | 'output'): Json => {
    const generated = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' });
    const json = JSON.parse(JSON.stringify(generated).replaceAll('"#/$defs/', '"#/components/schemas/')) as Json;
    for (const [id, def] of Object.entries((json.$defs ?? {}) as Record<string, unknown>)) components[id] = def;
    delete json.$defs;
    delete json.$schema;
    return json;
  };

  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.fullPath.replace(/:(\w+)/g, '{$1}');
    const parameters: Json[] = [];
    for (const [where, schema] of [['path', route.params], ['query', route.query]] as const) {
      if (!schema) continue;
      for (const [name, field] of Object.entries(schema.shape) as [string, z.ZodType][]) {
        const json = schemaOf(field, 'input');
        const description = typeof json.description === 'string' ? json.description : undefined;
        delete json.description;
        parameters.push({ name, in: where, required: where === 'path' || !field.safeParse(undefined).success, schema: json, ...(description ? { description } : {}) });
      }
    }
    if (route.idempotent) {
      parameters.push({ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 255 },
        description: 'A unique key for this request: sent again with the same key, the request is answered as the first time instead of running twice.' });
    }
    if (route.method === 'PATCH') {
      parameters.push({ name: 'If-Match', in: 'header', required: false, schema: { type: 'string' }, description: 'The ETag of the version read: refused with 412 when the ticket changed since.' });
    }
    const responses: Json = {};
    const success: Json = { description: route.response.description };
    if (route.response.schema) success.content = { 'application/json': { schema: schemaOf(route.response.schema, 'output') } };
    else if (route.response.contentType) success.content = { [route.response.contentType]: { schema: { type: 'string', contentMediaType: route.response.contentType } } };
    if (route.response.headers?.length) success.headers = Object.fromEntries(route.response.headers.map((name) => [name, { schema: { type: 'string' } }]));
    responses[String(route.response.status)] = success;
    const problems = route.access === 'public' ? [429, ...(route.problems ?? [])] : [401, 403, 429, ...(route.problems ?? [])];
    for (const status of [...new Set(problems)].sort()) {
      responses[String(status)] = { description: STATUS_TEXT[status] ?? 'An error.', content: { [PROBLEM_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } } };
    }
    let requestBody: Json | undefined;
    if (route.body) {
      const body = schemaOf(route.body, 'input');
      const content: Json = { 'application/json': { schema: body } };
      if (route.multipart) content['multipart/form-data'] = { schema: { type: 'object', properties: { kind: { type: 'string' }, body: { type: 'string' }, statusId: { type: 'string' }, files: { type: 'array', items: { type: 'string', contentMediaType: 'application/octet-stream' } } } } };
      requestBody = { required: true, content };
    } else if (route.multipart) {
      requestBody = { required: true, content: { 'multipart/form-data': { schema: { type: 'object', properties: { files: { type: 'array', items: { type: 'string', contentMediaType: 'application/octet-stream' } } } } } } };
    }
    (paths[path] ??= {})[route.method.toLowerCase()] = {
      operationId: route.operationId, summary: route.summary, ...(route.description ? { description: route.description } : {}),
      tags: [route.tag], ...(parameters.length ? { parameters } : {}), ...(requestBody ? { requestBody } : {}), responses,
      ...(route.access === 'public' ? { security: [] } : {}),
      ...(route.access === 'write' ? { 'x-deskbell-scope': 'write' } : {}),
    };
  }
  schemaOf(Problem, 'output');
  return {
    openapi: '3.1.0',
    info: {
      title: 'Deskbell API', version: VERSION,
      description: 'The help desk\'s JSON API: the same verbs and permissions as the pages. Authenticate with a personal API token (`Authorization: Bearer dsk_…`), made on your profile page or with `deskbell token create`.',
    },
    servers: [{ url: baseUrl }],
    security: [{ bearer: [] }, { session: [] }],
    tags: [{ name: 'Tickets' }, { name: 'Messages' }, { name: 'Directory' }, { name: 'Settings' }, { name: 'Reference' }, { name: 'Webhooks' }],
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A personal API token. Read-only tokens may not use write operations (`x-deskbell-scope: write`).' },
        session: { type: 'apiKey', in: 'cookie', name: 'deskbell_session', description: 'A signed-in browser: state-changing requests then need the page\'s CSRF token in `X-CSRF-Token`.' },
      },
    },
  };
}
