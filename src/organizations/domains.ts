import { sql } from 'kysely';
import type { Db } from '../db/connect.js';

const DOMAIN = /^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/**
 * "acme.com, Acme.co.uk" → ['acme.com', 'acme.co.uk']; null when one of them is not a domain.
 * A leading "@" is forgiven: people copy it from an address.
 */
export function parseDomains(value: string): string[] | null {
  const parts = value.split(',').map((d) => d.trim().toLowerCase().replace(/^@/, '')).filter(Boolean);
  if (!parts.every((d) => DOMAIN.test(d))) return null;
  return [...new Set(parts)];
}

/** Stored without spaces, so a lookup can match `,domain,` inside `,a.com,b.com,`. */
export function storedDomains(domains: string[]): string {
  return domains.join(',');
}

export function domainsOf(stored: string): string[] {
  return stored.split(',').filter(Boolean);
}

/**
 * The organisation whose email domains include this address's domain, exactly (a subdomain such
 * as mail.acme.com does not match acme.com: list it when it should).
 */
export async function organizationForEmail(db: Db, email: string): Promise<number | null> {
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  // Stored domains hold only [a-z0-9.-], and so does a domain that can match: no LIKE wildcards.
  if (!DOMAIN.test(domain)) return null;
  const row = await db.selectFrom('organizations').select('id')
    .where(sql<string>`',' || domains || ','`, 'like', `%,${domain},%`)
    .orderBy('id').limit(1).executeTakeFirst();
  return row?.id ?? null;
}
