/** A pause of an account's sign-in after too many wrong passwords (docs/security.md). */
export interface LoginLocksTable {
  email: string;
  locked_until: string;
  created_at: string;
}

declare module '../db/schema.js' {
  interface Database {
    login_locks: LoginLocksTable;
  }
}
