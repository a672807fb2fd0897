import t from 'tap';
import * as errors from '../../src/lib/errors.js';
import { statusOf } from '../../src/plugins/errors.js';
import { TicketClosed } from '../../src/tickets/customer.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';

// Verbs say what went wrong; only the error plugin knows how HTTP says it.
t.test('domain errors carry no HTTP status; the error plugin maps each class to one', async (t) => {
  const cases: [errors.DomainError, number][] = [
    [new errors.Malformed(), 400], [new errors.Forbidden(), 403], [new errors.NotFound(), 404],
    [new errors.Conflict(), 409], [new errors.Expired('notify.rate.expired'), 410], [new errors.TooLarge(), 413],
    [new errors.Invalid({ name: 'errors.required' }), 422], [new errors.TooManyRequests(), 429],
    [new TicketClosed(7), 409],
  ];
  for (const [error, status] of cases) {
    t.notOk('statusCode' in error, `${error.name} has no statusCode`);
    t.equal(statusOf(error), status, `${error.name} answers ${status}`);
  }
  const kinds = Object.values(errors).filter((value) => typeof value === 'function' && value !== errors.DomainError);
  t.equal(kinds.length, 8, 'every error class of lib/errors.ts is in the list above');

  class Unmapped extends errors.DomainError {}
  t.equal(statusOf(new Unmapped('errors.conflict')), 500, 'a kind nobody mapped is a server error, not a guess');
});

t.test('what a user sees for each kind: the status and the message', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const agent = new Client(app);
  await agent.login((await makeUser(db, 'agent')).email, PASSWORD);

  const malformed = await agent.get('/agent/tickets?after=%27;drop%20table');
  t.equal(malformed.statusCode, 400);
  t.match(malformed.body, 'That page link is not valid.');

  const missing = await agent.get('/agent/tickets/987654');
  t.equal(missing.statusCode, 404);
  t.match(missing.body, 'There is nothing here.');

  const forbidden = await agent.get('/admin');
  t.equal(forbidden.statusCode, 403);
  t.match(forbidden.body, 'You are not allowed to do that.');

  const invalid = await agent.post('/agent/tickets', { requesterEmail: 'not an address', subject: '', message: '' });
  t.equal(invalid.statusCode, 422);
  t.match(invalid.body, 'Enter an email address like name@example.com.', 'the form comes back with what to fix');
  t.match(invalid.body, 'value="not an address"', 'and what was typed');
});
