import * as z from 'zod';
import { email, flag, longText, text } from '../lib/form.js';
import { parseDomains } from './domains.js';

/**
 * The organisation forms, read into typed input (src/lib/form.ts). A name or domain another
 * organisation has, and who an address belongs to, the verbs check.
 */

export const organizationSchema = z.object({
  name: text({ max: 120 }),
  /** "acme.com, acme.co.uk": each one a domain (auto-join matches customers' addresses by them). */
  domains: text({ required: false, max: 1000 }).transform((typed, ctx) => {
    const domains = parseDomains(typed);
    if (domains === null) ctx.addIssue({ code: 'custom', message: 'admin.orgs.errors.domains' });
    return domains ?? [];
  }),
  membersSeeAllTickets: flag(),
  notes: longText({ required: false, max: 5000 }),
});
export type OrganizationInput = z.output<typeof organizationSchema>;

/** "Add member": a customer, by their address. */
export const memberSchema = z.object({ email: email() });
export type MemberInput = z.output<typeof memberSchema>;

/** A member's "manager" box. */
export const managerSchema = z.object({ manager: flag() });
export type ManagerInput = z.output<typeof managerSchema>;
