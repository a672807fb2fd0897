import * as z from 'zod';
import { choice, flag, text, withBlank } from '../lib/form.js';
import type { NewPersonRole } from './schema.js';

export const NEW_PERSON_ROLES: readonly NewPersonRole[] = ['none', 'customer', 'agent'];

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Whether an issuer may be reached over plain http: only on this machine (a provider in a test or next to the desk). */
export function isLoopback(url: URL): boolean {
  return LOOPBACK.has(url.hostname);
}

/** The issuer's URL: https, or http on loopback; no query, fragment or credentials. Kept as typed (without a trailing slash). */
function issuer() {
  const schema = z.string().trim().min(1, { error: 'errors.required' }).max(500, { error: 'errors.tooLong' })
    .refine((value) => {
      try {
        const url = new URL(value);
        if (url.username || url.password || url.search || url.hash) return false;
        return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url));
      } catch {
        return false;
      }
    }, { error: 'sso.admin.issuer.invalid' })
    .transform((value) => value.replace(/\/+$/, ''));
  return withBlank(z.preprocess((v) => (typeof v === 'string' ? v : ''), schema), '');
}

/** Email domains, separated by commas, spaces or lines: lower-cased, each a host name. Empty: any. */
function domains() {
  const schema = z.string().max(2000, { error: 'errors.tooLong' })
    .transform((value) => [...new Set(value.toLowerCase().split(/[\s,;]+/).map((d) => d.replace(/^@/, '')).filter(Boolean))])
    .refine((list) => list.every((d) => /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(d)), { error: 'sso.admin.domains.invalid' })
    .transform((list) => list.join(','));
  return withBlank(z.preprocess((v) => (typeof v === 'string' ? v : ''), schema), '');
}

/** An admin's provider form. The secret may stay empty when editing: the saved one is kept. */
export const providerSchema = z.object({
  name: text({ max: 60 }),
  issuer: issuer(),
  clientId: text({ max: 300 }),
  clientSecret: withBlank(z.preprocess((v) => (typeof v === 'string' ? v.trim() : ''), z.string().max(1000, { error: 'errors.tooLong' })), ''),
  emailDomains: domains(),
  forStaff: flag(),
  forCustomers: flag(),
  newRole: choice(NEW_PERSON_ROLES),
  passwordAllowed: flag(),
  enabled: flag(),
});
export type ProviderInput = z.output<typeof providerSchema>;
