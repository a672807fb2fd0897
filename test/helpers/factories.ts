import type { Db } from '../../src/db/connect.js';
import type { Role } from '../../src/db/schema.js';
import { hashPassword } from '../../src/lib/crypto.js';
import { nowIso } from '../../src/lib/time.js';

export const PASSWORD = 'correct horse battery';
let counter = 0;
let hashed: Promise<string> | null = null;

/** A person who can log in with PASSWORD (the hash is computed once per test process: scrypt is slow). */
export async function makeUser(db: Db, role: Role, fields: { email?: string; name?: string; organizationId?: number | null; state?: 'active' | 'invited' | 'disabled' } = {}) {
  counter++;
  hashed ??= hashPassword(PASSWORD);
  const now = nowIso();
  const email = fields.email ?? `${role}${counter}@example.test`;
  const row = await db.insertInto('users').values({
    email, name: fields.name ?? `${role[0]!.toUpperCase()}${role.slice(1)} ${counter}`, role,
    state: fields.state ?? 'active', password_hash: await hashed, organization_id: fields.organizationId ?? null,
    created_at: now, updated_at: now,
  }).returning(['id', 'email', 'name']).executeTakeFirstOrThrow();
  return row;
}
