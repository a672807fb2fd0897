import type { Generated, Selectable } from 'kysely';

export type TokenScope = 'read' | 'write';

/** Migration 0038: a personal API token (only its SHA-256 is kept). */
export interface ApiTokensTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  token_hash: string;
  /** The token's first characters after `dsk_`, to tell tokens apart in lists. */
  prefix: string;
  scope: TokenScope;
  expires_at: string | null;
  last_used_at: string | null;
  created_at: string;
}

/** Migration 0038: the answer to a POST with an Idempotency-Key (status null while it runs). */
export interface ApiIdempotencyTable {
  id: Generated<number>;
  user_id: number;
  key: string;
  /** SHA-256 of method, path and body: the same key with another request is refused. */
  fingerprint: string;
  status: number | null;
  /** JSON: the headers replayed with the answer (Location, ETag, Content-Type). */
  headers: string | null;
  body: string | null;
  created_at: string;
}

export type ApiToken = Selectable<ApiTokensTable>;

declare module '../db/schema.js' {
  interface Database {
    api_tokens: ApiTokensTable;
    api_idempotency: ApiIdempotencyTable;
  }
}
