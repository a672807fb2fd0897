import type { LightMyRequestResponse } from 'fastify';
import type { Test } from 'tap';
import { createApiToken } from '../../src/api/tokens.js';
import type { Config } from '../../src/config.js';
import { buildTestDesk, type TestDesk } from '../helpers/app.js';
import { makeTicket, makeUser } from '../helpers/factories.js';

export type Person = 'agent' | 'restricted' | 'customer' | 'other' | 'admin';

export interface ApiDesk extends TestDesk {
  users: Record<Person, { id: number; email: string; name: string }>;
  tokens: Record<Person, string>;
  tickets: { mine: number; others: number; restrictedGroup: number };
  groups: { east: number };
  /** A request with this person's token (none: a visitor), JSON in and out. */
  call: (who: Person | null, method: string, url: string, body?: unknown, headers?: Record<string, string>) => Promise<LightMyRequestResponse>;
}

/**
 * A desk for the API's tests: an admin, an agent, a restricted agent (only the East group, an
 * outside provider), two customers, each with a read-write token; the customer's ticket (no group),
 * the other customer's, and one in the East group.
 */
export async function buildApiDesk(t: Test, overrides: Partial<Config> = {}): Promise<ApiDesk> {
  const desk = await buildTestDesk(t, overrides);
  const { db, app } = desk;
  const now = new Date().toISOString();
  const users = {
    admin: await makeUser(db, 'admin', { email: 'ada@desk.test', name: 'Ada Admin' }),
    agent: await makeUser(db, 'agent', { email: 'kim@desk.test', name: 'Kim Agent' }),
    restricted: await makeUser(db, 'agent', { email: 'rex@east.test', name: 'Rex Provider' }),
    customer: await makeUser(db, 'customer', { email: 'ann@acme.test', name: 'Ann Acme' }),
    other: await makeUser(db, 'customer', { email: 'bea@bolt.test', name: 'Bea Bolt' }),
  };
  const east = await db.insertInto('groups').values({ name: 'Provider East', description: '', is_restricted: 1, created_at: now }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('group_members').values({ group_id: east.id, user_id: users.restricted.id }).execute();
  const tickets = {
    mine: await makeTicket(db, { requesterId: users.customer.id, subject: 'Ann printer jam' }),
    others: await makeTicket(db, { requesterId: users.other.id, subject: 'Bea lost badge' }),
    restrictedGroup: await makeTicket(db, { requesterId: users.other.id, subject: 'Bea door sensor', groupId: east.id }),
  };
  const tokens = {} as Record<Person, string>;
  for (const [who, user] of Object.entries(users) as [Person, { id: number }][]) {
    tokens[who] = (await createApiToken(db, null, user.id, { name: `${who} script`, scope: 'write', expiresOn: '' })).token;
  }
  const call: ApiDesk['call'] = (who, method, url, body, headers = {}) => app.inject({
    method: method as 'GET', url,
    headers: { ...(who ? { authorization: `Bearer ${tokens[who]}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
  return { ...desk, users, tokens, tickets, groups: { east: east.id }, call };
}

/** The JSON of an answer, which must have this status (the body is in the message when not). */
export function json<T = any>(t: Test, response: LightMyRequestResponse, status: number, what = ''): T {
  t.equal(response.statusCode, status, `${what} answers ${status}${response.statusCode === status ? '' : `: ${response.body.slice(0, 300)}`}`);
  return (response.body ? JSON.parse(response.body) : undefined) as T;
}
