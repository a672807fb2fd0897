// The OpenAPI document (issue 22): generated from the routes' own schemas, valid OpenAPI 3.1 by a
// well-kept validator, with every route under /api in it; and the reference page drawn from it.
import t from 'tap';
import type { RouteOptions } from 'fastify';
import { Validator } from '@seriousme/openapi-schema-validator';
import { buildTestDesk } from '../helpers/app.js';

t.test('the document validates and names every /api route the app registers', async (t) => {
  const routes: string[] = [];
  const desk = await buildTestDesk(t, {}, {}, {
    onRoute: (route: RouteOptions) => {
      for (const method of [route.method].flat()) if (route.url.startsWith('/api/') && method !== 'HEAD') routes.push(`${method} ${route.url}`);
    },
  });
  const response = await desk.app.inject({ method: 'GET', url: '/api/openapi.json' });
  t.equal(response.statusCode, 200);
  t.match(response.headers['content-type'], /^application\/json/);
  const document = JSON.parse(response.body);
  const validator = new Validator();
  const result = await validator.validate(document);
  t.ok(result.valid, `valid OpenAPI ${validator.version}${result.valid ? '' : `: ${JSON.stringify(result.errors).slice(0, 2000)}`}`);
  t.equal(document.openapi, '3.1.0');
  const documented = Object.entries(document.paths as Record<string, Record<string, unknown>>)
    .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`));
  t.ok(routes.length >= 20, `${routes.length} routes under /api`);
  t.same(routes.filter((route) => !documented.includes(route)), [], 'every /api route is in the document');
  t.same(documented.filter((route) => !routes.includes(route)), [], 'and the document names no route that does not exist');
  const ticket = document.components.schemas.Ticket;
  t.ok(ticket?.properties?.subject, 'the shapes are components');
  const create = document.paths['/api/v1/tickets'].post;
  t.same(create.requestBody.content['application/json'].schema, { $ref: '#/components/schemas/NewTicket' }, 'a body by reference');
  t.ok(create.parameters.some((p: { name: string }) => p.name === 'Idempotency-Key'), 'the idempotency header');
  t.ok(document.paths['/api/v1/tickets/{id}'].patch.responses['412'], 'the 412 of a PATCH');
  t.ok(document.components.schemas.Problem, 'the problem document');
});

t.test('the reference page is ours, lists every operation, and loads nothing from elsewhere', async (t) => {
  const desk = await buildTestDesk(t);
  const document = JSON.parse((await desk.app.inject({ method: 'GET', url: '/api/openapi.json' })).body);
  const page = await desk.app.inject({ method: 'GET', url: '/api/docs' });
  t.equal(page.statusCode, 200, 'no sign-in needed');
  t.match(page.headers['content-type'], /^text\/html/);
  for (const [path, methods] of Object.entries(document.paths as Record<string, Record<string, { operationId: string }>>)) {
    for (const [method, operation] of Object.entries(methods)) {
      t.ok(page.body.includes(`id="op-${operation.operationId}"`) && page.body.includes(`${method.toUpperCase()} ${path}`), `${method.toUpperCase()} ${path} is on the page`);
    }
  }
  t.notMatch(page.body, /(src|href)="(https?:)?\/\//, 'no script, style or link from another site');
  t.match(page.body, 'Authorization: Bearer');
});
