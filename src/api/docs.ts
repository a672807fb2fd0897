import type { FastifyReply } from 'fastify';

/**
 * The reference page: the OpenAPI document as HTML, drawn by our own template (views/api/docs.eta),
 * from our own files: no script, nothing from elsewhere. Operations by tag, each with its parameters,
 * body and answers; the named schemas at the end.
 */

type Json = Record<string, any>;

const pretty = (value: unknown) => JSON.stringify(value, null, 2);
const refName = (schema: Json | undefined) => (typeof schema?.$ref === 'string' ? schema.$ref.split('/').pop()! : null);

export function docsPage(reply: FastifyReply, document: Json) {
  const tags: { name: string; operations: Json[] }[] = (document.tags as { name: string }[]).map((tag) => ({ name: tag.name, operations: [] }));
  for (const [path, methods] of Object.entries(document.paths as Record<string, Json>)) {
    for (const [method, operation] of Object.entries(methods as Record<string, Json>)) {
      const tag = tags.find((t) => t.name === operation.tags?.[0]);
      const body = operation.requestBody?.content as Record<string, Json> | undefined;
      tag?.operations.push({
        id: operation.operationId, method: method.toUpperCase(), path, summary: operation.summary, description: operation.description ?? '',
        scope: operation.security?.length === 0 ? 'public' : operation['x-deskbell-scope'] === 'write' ? 'write' : 'read',
        parameters: (operation.parameters ?? []).map((p: Json) => ({ name: p.name, in: p.in, required: p.required === true, description: p.description ?? '', type: p.schema?.type ?? refName(p.schema) ?? '' })),
        bodies: Object.entries(body ?? {}).map(([type, content]) => ({ type, ref: refName(content.schema), schema: refName(content.schema) ? null : pretty(content.schema) })),
        responses: Object.entries(operation.responses as Record<string, Json>).map(([status, response]) => {
          const [type, content] = Object.entries((response.content ?? {}) as Record<string, Json>)[0] ?? [null, null];
          return { status, description: response.description, type, ref: refName(content?.schema) };
        }),
      });
    }
  }
  const schemas = Object.entries((document.components?.schemas ?? {}) as Record<string, unknown>).map(([name, schema]) => ({ name, json: pretty(schema) }));
  return reply.page('api/docs', { info: document.info, servers: document.servers, tags: tags.filter((t) => t.operations.length > 0), schemas });
}
