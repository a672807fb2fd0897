import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import type { NewUser } from '../db/schema.js';
import { rolesThatCan } from '../policy/can.js';

export function findUserByEmail(db: Db, email: string) {
  // Addresses are one person whatever their case; COLLATE NOCASE also lets this use the unique index.
  return db.selectFrom('users').selectAll().where(sql<boolean>`email = ${email.trim()} collate nocase`).executeTakeFirst();
}

export function findUserById(db: Db, id: number) {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertUser(db: Db, user: NewUser): Promise<number> {
  const row = await db.insertInto('users').values(user).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function hasActiveAdmin(db: Db): Promise<boolean> {
  const row = await db.selectFrom('users').select('id')
    .where('role', 'in', rolesThatCan('admin.access')).where('state', '=', 'active').limit(1).executeTakeFirst();
  return row !== undefined;
}
