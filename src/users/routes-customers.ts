import type { FastifyInstance } from 'fastify';
import { Invalid } from '../lib/errors.js';
import { readForm } from '../lib/form.js';
import { allow } from '../plugins/guards.js';
import { inviteNewCustomer, listOrganizationChoices } from './invite-customer.js';
import { inviteCustomerSchema } from './schemas.js';

type Form = Record<string, string | undefined>;

/** Staff invite customers to the portal (seed 003's registration mail). */
export default async function customerRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', allow('desk.use'));

  app.get('/agent/customers/invite', async (_request, reply) => {
    return reply.page('customers/invite', { values: {}, errors: {}, organizations: await listOrganizationChoices(db) });
  });

  app.post<{ Body: Form }>('/agent/customers/invite', async (request, reply) => {
    const form = request.body ?? {};
    try {
      const result = await inviteNewCustomer(db, request.actor!, readForm(inviteCustomerSchema, form));
      return reply.seeOther('/agent/customers/invite', result.resent ? 'customers.invite.resent' : 'customers.invite.sent');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return reply.page('customers/invite', {
        values: form, errors: error.fields, message: request.t(error.message), organizations: await listOrganizationChoices(db),
      }, { status: 422, fragment: 'customers/_invite_form' });
    }
  });
}
