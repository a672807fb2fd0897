import type { Config } from '../config.js';
import type { Db } from '../db/connect.js';
import type { Catalogue, Translate } from '../i18n.js';
import type { Actor } from '../users/actor.js';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    db: Db;
    catalogue: Catalogue;
  }
  interface FastifyRequest {
    /** The logged-in person, or null for a visitor. */
    actor: Actor | null;
    /** The logged-in person's stored session id (a hash of the cookie), or null for a visitor. */
    sessionId: string | null;
    /** Secret the CSRF token is derived from: the session's, or a visitor cookie's. */
    csrfSecret: string;
    csrfToken: string;
    t: Translate;
    /** The API token this request authenticated with (src/api/auth.ts); absent for cookie sessions and visitors. */
    apiToken?: { id: number; scope: 'read' | 'write' } | null;
  }
  interface FastifyReply {
    /** Render a page, or only `fragment` when htmx asks for a partial swap. */
    page(view: string, data?: Record<string, unknown>, options?: PageOptions): Promise<FastifyReply>;
    /** POST/redirect/GET that also works for htmx requests (HX-Location instead of a 303 into a panel). */
    seeOther(url: string, flash?: string, options?: SeeOtherOptions): FastifyReply;
  }
}

export interface PageOptions {
  fragment?: string;
  status?: number;
  /** Data only the full page needs (menus, filter choices): not loaded for a fragment. */
  pageOnly?: () => Promise<Record<string, unknown>>;
}

export interface SeeOtherOptions {
  /** Numbers for the flash message's {placeholders} ("12 tickets updated"). */
  params?: Record<string, number>;
  /** For htmx: swap only this element with the next page's fragment (HX-Location with a target). */
  target?: string;
}
