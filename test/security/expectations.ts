// Who may use which route: every route the app registers must be listed here, in an area whose
// default rule says what each actor gets, with exceptions spelled out. A route missing from this
// table fails the matrix test, so a new route forces its author to decide who may use it.
import { ASSET_VERSION } from '../../src/plugins/static-files.js';
import type { ActorName, Variant } from './world.js';
import { CUSTOMERS } from './world.js';

/**
 * What a request should get: `ok` (any answer below 500 that is not 401/403/404 nor a trip to the
 * login page), `login` (303 to /login: anonymous GETs), a status, or `public` (anything below 500).
 */
export type Outcome = 'ok' | 'login' | 'public' | number;
export type Rule = (actor: ActorName, variant: Variant | null, method: string) => Outcome;

const isCustomer = (actor: ActorName) => CUSTOMERS.includes(actor);
const STAFF_NOT_ADMIN: readonly ActorName[] = ['agent', 'restrictedAgent', 'supervisor'];
/** Anonymous visitors: pages send them to log in; a POST is refused (403, errors.loginRequired). */
const visitor = (method: string): Outcome => (method === 'GET' ? 'login' : 403);

/** Whose ticket (or thing of a ticket) a variant points at, and which customers may see it. */
const customerSees = (actor: ActorName, variant: Variant | null): boolean =>
  variant === 'a' ? actor === 'customer' || actor === 'colleague' : variant === 'b' ? actor === 'otherCustomer' : false;
/** A's ticket is in a restricted group the restricted agent is not in; B's is in theirs. */
const staffSees = (actor: ActorName, variant: Variant | null): boolean =>
  variant === 'missing' ? false : actor === 'restrictedAgent' ? variant === 'b' : true;

const rules = {
  public: (() => 'public') as Rule,
  signedIn: ((actor, _v, method) => (actor === 'anonymous' ? visitor(method) : 'ok')) as Rule,
  staff: ((actor, variant, method) => {
    if (actor === 'anonymous') return visitor(method);
    if (isCustomer(actor)) return 403;
    return variant === 'missing' ? 404 : 'ok';
  }) as Rule,
  staffTicket: ((actor, variant, method) => {
    if (actor === 'anonymous') return visitor(method);
    if (isCustomer(actor)) return 403;
    return staffSees(actor, variant) ? 'ok' : 404;
  }) as Rule,
  customer: ((actor, _v, method) => {
    if (actor === 'anonymous') return visitor(method);
    return isCustomer(actor) ? 'ok' : 403;
  }) as Rule,
  customerTicket: ((actor, variant, method) => {
    if (actor === 'anonymous') return visitor(method);
    if (!isCustomer(actor)) return 403;
    return customerSees(actor, variant) ? 'ok' : 404;
  }) as Rule,
  admin: ((actor, variant, method) => {
    if (actor === 'anonymous') return visitor(method);
    if (actor !== 'admin') return 403;
    return variant === 'missing' ? 404 : 'ok';
  }) as Rule,
};

/** Staff-side rules for what only supervisors and admins (managers) may do; agents get 403 before any lookup. */
const managerTicket: Rule = (actor, variant, method) => {
  if (actor === 'agent' || actor === 'restrictedAgent') return 403;
  return rules.staffTicket(actor, variant, method);
};
/** The form is checked before the object is looked up: an empty form gets `status` even for an id nobody can see. */
const validatesFirst = (rule: Rule, status: number): Rule => (actor, variant, method) => {
  const outcome = rule(actor, variant, method);
  return outcome === 404 && !isCustomer(actor) && actor !== 'anonymous' ? status : outcome;
};
/** Saved views are their owner's: A's view is the agent's, B's the admin's; anyone else's is 404. */
const ownView: Rule = (actor, variant, method) => {
  const outcome = rules.staff(actor, variant, method);
  if (outcome !== 'ok') return outcome;
  return (variant === 'a' && actor === 'agent') || (variant === 'b' && actor === 'admin') ? 'ok' : 404;
};
/** Nobody in the fixtures has a draft (the Simple preset has no draft status): the draft pages are 404 for all who see the ticket. */
const draftOnly: Rule = (actor, variant, method) => {
  const outcome = rules.customerTicket(actor, variant, method);
  return outcome === 'ok' ? 404 : outcome;
};
/** Supervisors manage the members of their own groups only (the fixtures' supervisor is in none: 404); admins of any. */
const teamMembers: Rule = (actor, variant, method) => {
  if (actor === 'supervisor') return 404;
  if (actor === 'agent' || actor === 'restrictedAgent') return 403;
  return rules.admin(actor, variant, method);
};
/** Macros: A is the agent's personal macro (anyone else: 404); B is shared with everyone (managers change it, other staff 403). */
const manageMacro: Rule = (actor, variant, method) => {
  const outcome = rules.staff(actor, variant, method);
  if (outcome !== 'ok') return outcome;
  if (variant === 'a') return actor === 'agent' ? 'ok' : 404;
  return actor === 'agent' || actor === 'restrictedAgent' ? 403 : 'ok';
};
/** Duplicating: any macro one sees (A: the agent's alone; B: all staff). */
const seeMacro: Rule = (actor, variant, method) => {
  const outcome = rules.staff(actor, variant, method);
  if (outcome !== 'ok') return outcome;
  return variant === 'a' && actor !== 'agent' ? 404 : 'ok';
};
/**
 * The help center (issue 23): anyone signed in reads it; visitors are sent to log in while the desk keeps
 * it closed to them (the default; test/help/ opens it). Article A is public; B is internal: staff only.
 */
const helpReader: Rule = (actor, variant, method) => {
  if (actor === 'anonymous') return visitor(method);
  return variant === 'missing' ? 404 : 'ok';
};
const helpArticle: Rule = (actor, variant, method) => {
  const outcome = helpReader(actor, variant, method);
  return outcome === 'ok' && variant === 'b' && isCustomer(actor) ? 404 : outcome;
};
/** Supervisors and admins only: agents are refused (403) before anything is looked up. */
const managerOnly: Rule = (actor, variant, method) => (actor === 'agent' || actor === 'restrictedAgent' ? 403 : rules.staff(actor, variant, method));
/** A published article (A and B) is changed only by supervisors and admins: agents 403 once it is found. */
const publishedArticle: Rule = (actor, variant, method) =>
  ((actor === 'agent' || actor === 'restrictedAgent') && variant !== 'missing' ? 403 : rules.staff(actor, variant, method));
const adminAnswers = (answers: Partial<Record<Variant, Outcome>>): Rule => (actor, variant, method) =>
  (actor === 'admin' && variant && answers[variant]) || rules.admin(actor, variant, method);

export interface Area {
  rule: Rule;
  routes: string[];
  /** Routes of the area whose answer differs from the area's rule. */
  except?: Record<string, Rule>;
}

export const AREAS: Record<string, Area> = {
  'visitor pages and static files (anyone)': {
    rule: rules.public,
    routes: [
      'GET /public/*', `GET /public/${ASSET_VERSION}/*`, 'GET /healthz', 'GET /favicon.ico', 'GET /', 'GET /login', 'POST /login', 'GET /setup', 'POST /setup',
      'GET /welcome', 'POST /welcome', 'GET /password/forgot', 'POST /password/forgot', 'GET /password/forgot/sent',
      'GET /password/reset', 'POST /password/reset', 'GET /rate/:token', 'POST /rate/:token',
      // The second step of signing in: without a waiting step (a cookie of its own) it leads back to /login.
      'GET /login/two-factor', 'POST /login/two-factor', 'GET /login/two-factor/setup', 'POST /login/two-factor/setup',
      // Passkeys and single sign-on (issue 24): a challenge, a sign-in, the second step (without its cookie: 404 or
      // back to /login), a provider's start (its fixture issuer is a closed port: back to /login) and callback (403).
      'POST /login/passkey/options', 'POST /login/passkey', 'POST /login/two-factor/passkey/options', 'POST /login/two-factor/passkey',
      'GET /login/sso/:id', 'GET /login/sso/:id/callback',
    ],
  },
  'own account (anyone signed in)': {
    rule: rules.signedIn,
    routes: ['GET /account', 'POST /account', 'POST /account/password', 'POST /account/zone', 'POST /account/sessions/end', 'POST /logout',
      // Two-factor sign-in of one's own account (an empty code is refused with 422 before anything is looked up).
      'GET /account/two-factor', 'POST /account/two-factor/setup', 'POST /account/two-factor/confirm',
      'POST /account/two-factor/recovery-codes', 'POST /account/two-factor/off',
      // Sessions one can see: an empty form names no session to sign out (422).
      'GET /account/sessions', 'POST /account/sessions/removal', 'POST /account/sessions/mail',
      // Passkeys of one's own (issue 24): an empty form is a 422; another person's passkey is 404.
      'GET /account/passkeys', 'POST /account/passkeys/options', 'POST /account/passkeys', 'POST /account/passkeys/:id/delete'],
    except: {
      'POST /logout': rules.public,
      // Ends every session of the person and sends them to log in again. The unshared colleague is
      // the colleague's own account (sharing switched off), whose sessions the colleague's run ended.
      'POST /account/sessions/end': (actor) => (actor === 'anonymous' || actor === 'colleagueUnshared' ? 403 : 'login'),
      // A is the customer's passkey, B the other customer's: only its owner removes it.
      'POST /account/passkeys/:id/delete': (actor, variant, method) => {
        if (actor === 'anonymous') return visitor(method);
        return (variant === 'a' && actor === 'customer') || (variant === 'b' && actor === 'otherCustomer') ? 'ok' : 404;
      },
    },
  },
  'agent workspace (staff)': {
    rule: rules.staff,
    routes: [
      'GET /agent', 'GET /agent/search', 'GET /agent/tickets', 'GET /agent/tickets/menu', 'GET /agent/organizations/options', 'GET /agent/tickets/new', 'POST /agent/tickets', 'POST /agent/tickets/bulk', 'POST /agent/tickets/settings',
      'GET /agent/views', 'GET /agent/views/menu', 'GET /agent/views/new', 'POST /agent/views',
      'GET /agent/views/:id/edit', 'POST /agent/views/:id', 'POST /agent/views/:id/delete',
      'GET /agent/customers/invite', 'POST /agent/customers/invite', 'GET /agent/team',
      'GET /account/signature', 'POST /account/signature',
      'POST /agent/team/:id/members', 'POST /agent/team/:id/members/:userId/delete', 'GET /agent/offers',
      'GET /agent/macros', 'GET /agent/macros/new', 'POST /agent/macros', 'GET /agent/macros/:id/edit', 'POST /agent/macros/:id',
      'POST /agent/macros/:id/delete', 'GET /agent/macros/:id/duplicate',
      // Reports (issue 21): every staff member; agents' figures are of their own tickets (test/reports/).
      'GET /agent/reports', 'GET /agent/reports/table.csv', 'GET /agent/reports/tickets.csv',
      // A macro's file (issue 20): whoever sees the macro (A's: the agent alone; B's, shared: all staff).
      'GET /agent/macro-files/:id/:filename',
    ],
    except: {
      'GET /agent/views/:id/edit': ownView, 'POST /agent/views/:id': ownView, 'POST /agent/views/:id/delete': ownView,
      'GET /agent/team': (actor, variant, method) => (actor === 'agent' || actor === 'restrictedAgent' ? 403 : rules.staff(actor, variant, method)),
      'POST /agent/team/:id/members': teamMembers, 'POST /agent/team/:id/members/:userId/delete': teamMembers,
      'GET /agent/macros/:id/edit': manageMacro, 'POST /agent/macros/:id': manageMacro, 'POST /agent/macros/:id/delete': manageMacro,
      'GET /agent/macros/:id/duplicate': seeMacro,
      'GET /agent/macro-files/:id/:filename': seeMacro,
    },
  },
  'a ticket in the agent workspace (staff who can see the ticket)': {
    rule: rules.staffTicket,
    routes: [
      'GET /agent/tickets/:id', 'POST /agent/tickets/:id/status', 'POST /agent/tickets/:id/messages',
      'POST /agent/tickets/:id/assignment', 'GET /agent/tickets/:id/edit', 'POST /agent/tickets/:id/edit',
      'GET /agent/tickets/:id/delete', 'POST /agent/tickets/:id/delete', 'POST /agent/tickets/:id/videos',
      'POST /agent/tickets/:id/fleet/offers', 'POST /agent/tickets/:id/fleet/offers/:userId/withdrawal',
      'POST /agent/tickets/:id/fleet/assignees', 'POST /agent/tickets/:id/fleet/assignees/:userId/removal',
      'POST /agent/offers/:id/acceptance', 'POST /agent/offers/:id/decline',
      'GET /agent/tickets/:id/cancel', 'POST /agent/tickets/:id/cancel', 'POST /agent/tickets/:id/chat',
      'GET /agent/tickets/:id/live', 'POST /agent/tickets/:id/presence', 'GET /agent/tickets/:id/spam', 'POST /agent/tickets/:id/spam',
      'POST /agent/tickets/:id/properties', 'POST /agent/tickets/:id/tags', 'POST /agent/tickets/:id/tags/remove',
      'GET /agent/tickets/:id/merge', 'POST /agent/tickets/:id/merge', 'POST /agent/tickets/:id/split',
      'POST /agent/tickets/:id/links', 'POST /agent/tickets/:id/links/remove',
      'POST /agent/tickets/:id/macro', 'GET /agent/tickets/:id/macros', 'GET /agent/tickets/:id/macros/preview',
      // Snooze (issue 20): staff who see the ticket; an empty form is a 422 on a ticket they see.
      'POST /agent/tickets/:id/snooze', 'POST /agent/tickets/:id/unsnooze',
      // The compose box's "Insert an article" (issue 23): an empty form is a search for nothing.
      'POST /agent/tickets/:id/article',
    ],
    except: {
      // Deleting a ticket is for admins alone: 403 for other staff, whatever the id.
      'GET /agent/tickets/:id/delete': (actor, variant, method) => (STAFF_NOT_ADMIN.includes(actor) ? 403 : rules.staffTicket(actor, variant, method)),
      'POST /agent/tickets/:id/delete': (actor, variant, method) => (STAFF_NOT_ADMIN.includes(actor) ? 403 : rules.staffTicket(actor, variant, method)),
      'POST /agent/tickets/:id/fleet/offers': managerTicket, 'POST /agent/tickets/:id/fleet/assignees': managerTicket,
      'POST /agent/tickets/:id/fleet/offers/:userId/withdrawal': managerTicket,
      'POST /agent/tickets/:id/fleet/assignees/:userId/removal': managerTicket,
      'POST /agent/tickets/:id/assignment': validatesFirst(rules.staffTicket, 422),
    },
  },
  'customer portal (customers)': {
    rule: rules.customer,
    routes: ['GET /portal', 'GET /portal/tickets', 'GET /portal/tickets/new', 'POST /portal/tickets'],
  },
  'a ticket in the portal (customers who can see the ticket)': {
    rule: rules.customerTicket,
    routes: [
      'GET /portal/tickets/:id', 'GET /portal/tickets/:id/submitted', 'POST /portal/tickets/:id/replies',
      'POST /portal/tickets/:id/solve', 'POST /portal/tickets/:id/rating', 'POST /portal/tickets/:id/ccs',
      'GET /portal/tickets/:id/edit-draft', 'POST /portal/tickets/:id/submit-draft',
      'GET /portal/tickets/:id/cancel', 'POST /portal/tickets/:id/cancel', 'POST /portal/tickets/:id/chat',
      'GET /portal/tickets/:id/live',
    ],
    except: {
      'GET /portal/tickets/:id/edit-draft': draftOnly, 'POST /portal/tickets/:id/submit-draft': draftOnly,
      // Only the requester cancels: a colleague who sees the ticket through the organisation gets 403.
      'GET /portal/tickets/:id/cancel': (actor, variant, method) => (actor === 'colleague' && variant === 'a' ? 403 : rules.customerTicket(actor, variant, method)),
    },
  },
  'attachments (whoever may see the message)': {
    rule: ((actor, variant, method) => {
      if (actor === 'anonymous') return visitor(method);
      return (isCustomer(actor) ? customerSees(actor, variant) : staffSees(actor, variant)) ? 'ok' : 404;
    }),
    routes: ['GET /attachments/:id/:filename', 'POST /attachments'],
    except: { 'POST /attachments': rules.signedIn },
  },
  'administration (admins)': {
    rule: rules.admin,
    routes: [
      'GET /admin', 'POST /admin/setup/dismissal', 'GET /admin/audit', 'GET /admin/settings', 'POST /admin/settings',
      'GET /admin/statuses', 'POST /admin/statuses/settings', 'GET /admin/statuses/new', 'POST /admin/statuses',
      'GET /admin/statuses/:id/edit', 'POST /admin/statuses/:id', 'POST /admin/statuses/:id/position',
      'POST /admin/statuses/:id/default', 'GET /admin/statuses/:id/delete', 'POST /admin/statuses/:id/delete',
      'GET /admin/statuses/presets/:key', 'POST /admin/statuses/presets/:key',
      'GET /admin/types', 'GET /admin/types/new', 'POST /admin/types', 'GET /admin/types/:id', 'POST /admin/types/:id',
      'POST /admin/types/:id/retirement', 'POST /admin/types/:id/fields', 'POST /admin/types/:id/fields/:fieldId/position',
      'POST /admin/types/:id/fields/:fieldId/removal',
      'GET /admin/fields', 'GET /admin/fields/new', 'POST /admin/fields', 'GET /admin/fields/:id', 'POST /admin/fields/:id',
      'POST /admin/fields/:id/retirement',
      'GET /admin/users', 'GET /admin/users/new', 'POST /admin/users', 'GET /admin/users/:id', 'POST /admin/users/:id/role',
      'POST /admin/users/:id/state', 'POST /admin/users/:id/unlock', 'POST /admin/users/:id/password-link', 'GET /admin/users/:id/merge',
      'POST /admin/users/:id/merge', 'GET /admin/users/:id/export', 'GET /admin/users/:id/erase', 'POST /admin/users/:id/erase',
      'GET /admin/organizations', 'GET /admin/organizations/new', 'POST /admin/organizations', 'GET /admin/organizations/:id',
      'POST /admin/organizations/:id', 'POST /admin/organizations/:id/members',
      'POST /admin/organizations/:id/members/:userId/manager', 'POST /admin/organizations/:id/members/:userId/remove',
      'GET /admin/groups', 'GET /admin/groups/new', 'POST /admin/groups', 'GET /admin/groups/:id', 'POST /admin/groups/:id',
      'POST /admin/groups/:id/members', 'POST /admin/groups/:id/members/:userId/delete', 'GET /admin/groups/:id/delete',
      'POST /admin/groups/:id/delete',
      'GET /admin/brands', 'GET /admin/brands/new', 'POST /admin/brands', 'GET /admin/brands/:id', 'POST /admin/brands/:id',
      'POST /admin/brands/:id/delete',
      'GET /admin/services', 'GET /admin/services/new', 'POST /admin/services', 'GET /admin/services/import',
      'POST /admin/services/import', 'GET /admin/services/:id', 'POST /admin/services/:id',
      'GET /admin/texts', 'GET /admin/texts/:locale/:key', 'POST /admin/texts/:locale/:key', 'POST /admin/texts/:locale/:key/reset',
      'GET /admin/outbox', 'POST /admin/outbox/:id/retry',
      'GET /admin/mail', 'POST /admin/mail/addresses', 'POST /admin/mail/addresses/:id/delete', 'POST /admin/mail/settings',
      'POST /admin/mail/spam/delete',
      'GET /admin/tags', 'POST /admin/tags', 'POST /admin/tags/:id/rename', 'POST /admin/tags/:id/merge',
      'GET /admin/sla', 'GET /admin/sla/calendars/new', 'POST /admin/sla/calendars', 'GET /admin/sla/calendars/:id',
      'POST /admin/sla/calendars/:id', 'GET /admin/sla/policies/new', 'POST /admin/sla/policies', 'GET /admin/sla/policies/:id',
      'POST /admin/sla/policies/:id',
      'POST /admin/users/:id/two-factor/reset', 'POST /admin/users/:id/sessions/removal',
      // The recycle bin (issue 20).
      'GET /admin/bin', 'POST /admin/bin/:id/restore', 'POST /admin/bin/:id/purge',
      // Webhooks (issue 22): subscriptions, the delivery log, redelivery. An empty form is a 422 on a subscription that exists.
      'GET /admin/webhooks', 'GET /admin/webhooks/new', 'POST /admin/webhooks', 'GET /admin/webhooks/:id', 'POST /admin/webhooks/:id',
      'POST /admin/webhooks/:id/delete', 'POST /admin/webhooks/:id/secret', 'GET /admin/webhooks/deliveries/:id',
      'POST /admin/webhooks/deliveries/:id/redeliver',
      // Triggers and automations (issue 21).
      'GET /admin/triggers', 'GET /admin/triggers/new', 'POST /admin/triggers', 'GET /admin/triggers/:id', 'POST /admin/triggers/:id',
      'POST /admin/triggers/:id/position', 'POST /admin/triggers/:id/delete', 'GET /admin/triggers/:id/test',
      'GET /admin/automations', 'GET /admin/automations/new', 'POST /admin/automations', 'GET /admin/automations/:id', 'POST /admin/automations/:id',
      'POST /admin/automations/:id/position', 'POST /admin/automations/:id/delete', 'GET /admin/automations/:id/test',
      // Single sign-on providers (issue 24).
      'GET /admin/sso', 'GET /admin/sso/new', 'POST /admin/sso', 'GET /admin/sso/:id', 'POST /admin/sso/:id', 'POST /admin/sso/:id/delete',
      // A person's sign-in methods on their page (issue 24): a passkey removed, a provider's link undone.
      'POST /admin/users/:id/passkeys/:passkeyId/delete', 'POST /admin/users/:id/sso/:providerId/unlink',
    ],
    except: {
      'POST /admin/statuses/:id/position': validatesFirst(rules.admin, 422),
      'POST /admin/users/:id/role': validatesFirst(rules.admin, 422),
      'POST /admin/users/:id/state': validatesFirst(rules.admin, 422),
      // The new name (the tag to merge into) is read before the tag is looked up.
      'POST /admin/tags/:id/rename': validatesFirst(rules.admin, 422), 'POST /admin/tags/:id/merge': validatesFirst(rules.admin, 422),
      // The member (A's customer) is not in B's organisation.
      'POST /admin/organizations/:id/members/:userId/manager': adminAnswers({ b: 404 }),
      // An empty form names no sender to take off the spam list.
      'POST /admin/mail/spam/delete': (actor, variant, method) => (actor === 'admin' ? 404 : rules.admin(actor, variant, method)),
      // The fixtures' tickets are not in the bin: nothing to restore or purge (test/bin/ does both).
      'POST /admin/bin/:id/restore': (actor, variant, method) => (actor === 'admin' ? 404 : rules.admin(actor, variant, method)),
      'POST /admin/bin/:id/purge': (actor, variant, method) => (actor === 'admin' ? 404 : rules.admin(actor, variant, method)),
      // A's passkey is A's (the customer's): under B (the other customer) it is not found.
      'POST /admin/users/:id/passkeys/:passkeyId/delete': adminAnswers({ b: 404 }),
    },
  },
  'help center (signed-in readers; visitors when the desk allows it)': {
    rule: helpReader,
    routes: ['GET /help', 'GET /help/search', 'GET /help/sitemap.xml', 'GET /help/categories/:id', 'GET /help/sections/:id',
      'GET /help/articles/:id', 'POST /help/articles/:id/vote', 'POST /help/articles/:id/deflection', 'GET /help/suggestions', 'GET /help/images/:id'],
    except: {
      'GET /help/articles/:id': helpArticle, 'POST /help/articles/:id/vote': helpArticle, 'POST /help/articles/:id/deflection': helpArticle,
      // An article's image: for whoever may read the article (B's, of the internal article, staff only).
      'GET /help/images/:id': helpArticle,
    },
  },
  'help center editing (staff)': {
    rule: rules.staff,
    routes: [
      'GET /agent/help', 'GET /agent/help/articles/new', 'POST /agent/help/articles', 'GET /agent/help/articles/:id', 'POST /agent/help/articles/:id',
      'POST /agent/help/articles/:id/publication', 'POST /agent/help/articles/:id/delete', 'POST /agent/help/revisions/:id/restore',
      'GET /agent/help/categories', 'POST /agent/help/categories', 'GET /agent/help/categories/:id', 'POST /agent/help/categories/:id',
      'POST /agent/help/categories/:id/delete', 'POST /agent/help/sections', 'GET /agent/help/sections/:id', 'POST /agent/help/sections/:id',
      'POST /agent/help/sections/:id/delete',
      // "Create article from this ticket" (the form filled in from a ticket the agent sees; nothing saved).
      'GET /agent/tickets/:id/new-article',
      // "Similar solved tickets" of a ticket the agent sees (the side panel loads them).
      'GET /agent/tickets/:id/similar',
    ],
    except: {
      // Publishing is for supervisors and admins; agents write drafts, and the fixtures' articles A and B are published.
      'POST /agent/help/articles/:id/publication': managerOnly,
      'POST /agent/help/articles/:id': publishedArticle, 'POST /agent/help/articles/:id/delete': publishedArticle,
      'POST /agent/help/revisions/:id/restore': publishedArticle,
      'GET /agent/tickets/:id/new-article': rules.staffTicket,
      'GET /agent/tickets/:id/similar': rules.staffTicket,
    },
  },
};

/** The API (issue 22): no token is 401 (the document and its page are public). */
const api = (rule: Rule): Rule => (actor, variant, method) => (actor === 'anonymous' ? 401 : rule(actor, variant, method));
const apiRules = {
  signedIn: api(() => 'ok'),
  staff: api((actor, variant) => (isCustomer(actor) ? 403 : variant === 'missing' ? 404 : 'ok')),
  ticket: api((actor, variant) => ((isCustomer(actor) ? customerSees(actor, variant) : staffSees(actor, variant)) ? 'ok' : 404)),
  staffTicket: api((actor, variant) => (isCustomer(actor) ? 403 : staffSees(actor, variant) ? 'ok' : 404)),
};
/** Own API tokens: A is the customer's, B the agent's; an admin revokes any; anyone else's is 404. */
const ownToken: Rule = (actor, variant, method) => {
  if (actor === 'anonymous') return visitor(method);
  if (variant === 'missing') return 404;
  return actor === 'admin' || (variant === 'a' && actor === 'customer') || (variant === 'b' && actor === 'agent') ? 'ok' : 404;
};

AREAS['the JSON API and API tokens (issue 22)'] = {
  rule: apiRules.signedIn,
  routes: [
    'GET /api/openapi.json', 'GET /api/docs',
    'GET /api/v1/me', 'GET /api/v1/tickets', 'POST /api/v1/tickets', 'GET /api/v1/tickets/:id', 'PATCH /api/v1/tickets/:id',
    'GET /api/v1/tickets/:id/messages', 'POST /api/v1/tickets/:id/messages', 'POST /api/v1/uploads', 'GET /api/v1/attachments/:id',
    'GET /api/v1/people', 'GET /api/v1/people/:id', 'GET /api/v1/organizations', 'GET /api/v1/organizations/:id', 'GET /api/v1/groups',
    'GET /api/v1/ticket-types', 'GET /api/v1/fields', 'GET /api/v1/statuses', 'GET /api/v1/tags', 'GET /api/v1/macros', 'GET /api/v1/search',
    'GET /account/tokens', 'POST /account/tokens', 'POST /account/tokens/:id/revoke', 'GET /admin/tokens', 'POST /admin/tokens/:id/revoke',
  ],
  except: {
    'GET /api/openapi.json': rules.public, 'GET /api/docs': rules.public,
    'GET /api/v1/tickets/:id': apiRules.ticket, 'GET /api/v1/tickets/:id/messages': apiRules.ticket, 'GET /api/v1/attachments/:id': apiRules.ticket,
    'PATCH /api/v1/tickets/:id': apiRules.staffTicket,
    // The body (an empty one here) is checked before the ticket is looked up.
    'POST /api/v1/tickets/:id/messages': api(() => 422),
    'GET /api/v1/people': apiRules.staff, 'GET /api/v1/people/:id': apiRules.staff, 'GET /api/v1/organizations': apiRules.staff,
    'GET /api/v1/organizations/:id': apiRules.staff, 'GET /api/v1/groups': apiRules.staff, 'GET /api/v1/tags': apiRules.staff,
    'GET /api/v1/macros': apiRules.staff,
    'GET /account/tokens': rules.signedIn, 'POST /account/tokens': rules.signedIn, 'POST /account/tokens/:id/revoke': ownToken,
    'GET /admin/tokens': rules.admin, 'POST /admin/tokens/:id/revoke': rules.admin,
  },
};

/** Webhook subscriptions through the API (issue 22): admins only, refused (403) before the body is read. */
const apiAdmin = api((actor, variant) => (actor !== 'admin' ? 403 : variant === 'missing' ? 404 : 'ok'));
AREAS['webhook subscriptions in the JSON API (issue 22, admins)'] = {
  rule: apiAdmin,
  routes: [
    'GET /api/v1/webhooks', 'POST /api/v1/webhooks', 'GET /api/v1/webhooks/:id', 'PATCH /api/v1/webhooks/:id', 'DELETE /api/v1/webhooks/:id',
    'GET /api/v1/webhooks/:id/deliveries', 'GET /api/v1/webhooks/deliveries/:id', 'POST /api/v1/webhooks/deliveries/:id/redeliver',
  ],
  // An empty body names no URL and no events.
  except: { 'POST /api/v1/webhooks': api((actor) => (actor === 'admin' ? 422 : 403)) },
};

/** POSTs that do not take the CSRF token: the rating link authenticates with its signed token instead. */
export const CSRF_EXEMPT = ['POST /rate/:token'];

/** The rule for a route, or undefined when nobody declared one. */
export function ruleFor(key: string): Rule | undefined {
  for (const area of Object.values(AREAS)) {
    if (area.routes.includes(key)) return area.except?.[key] ?? area.rule;
  }
  return undefined;
}

/**
 * Which fixture each parameter names. The first id parameter is the one varied (A's, B's, missing);
 * the others stay on A's.
 */
export type IdKind = 'ticket' | 'attachment' | 'user' | 'staffUser' | 'org' | 'group' | 'status' | 'type' | 'field'
  | 'brand' | 'service' | 'view' | 'address' | 'job' | 'tag' | 'slaCalendar' | 'slaPolicy' | 'macro' | 'apiToken'
  | 'webhook' | 'webhookDelivery' | 'trigger' | 'automation' | 'ssoProvider' | 'passkey' | 'macroFile'
  | 'article' | 'helpCategory' | 'helpSection' | 'helpRevision' | 'helpImage';

export function paramKind(url: string, param: string): IdKind | string {
  if (param === 'userId') return url.startsWith('/admin/organizations') ? 'user' : 'staffUser';
  if (param === 'fieldId') return 'field';
  if (param === 'passkeyId') return 'passkey';
  if (param === 'providerId') return 'ssoProvider';
  if (param === 'filename') return 'filename';
  if (param === 'token') return 'not-a-token';
  if (param === 'locale') return 'en';
  if (param === 'key') return url.startsWith('/admin/statuses') ? 'simple' : 'portal.home.title';
  if (param === '*') return 'app.css';
  const kinds: [RegExp, IdKind][] = [
    [/^\/(agent|portal)\/tickets\/|^\/agent\/offers\//, 'ticket'], [/^\/attachments\//, 'attachment'],
    [/^\/agent\/views\//, 'view'], [/^\/agent\/team\//, 'group'], [/^\/admin\/statuses\//, 'status'],
    [/^\/admin\/types\//, 'type'], [/^\/admin\/fields\//, 'field'], [/^\/admin\/users\//, 'user'],
    [/^\/admin\/organizations\//, 'org'], [/^\/admin\/groups\//, 'group'], [/^\/admin\/brands\//, 'brand'],
    [/^\/admin\/services\//, 'service'], [/^\/admin\/outbox\//, 'job'], [/^\/admin\/mail\/addresses\//, 'address'],
    [/^\/admin\/tags\//, 'tag'],
    [/^\/admin\/sla\/calendars\//, 'slaCalendar'], [/^\/admin\/sla\/policies\//, 'slaPolicy'],
    [/^\/agent\/macros\//, 'macro'],
    [/^\/admin\/bin\//, 'ticket'],
    [/^\/api\/v1\/tickets\//, 'ticket'], [/^\/api\/v1\/attachments\//, 'attachment'], [/^\/api\/v1\/people\//, 'user'],
    [/^\/api\/v1\/organizations\//, 'org'], [/^\/(account|admin)\/tokens\//, 'apiToken'],
    [/^\/admin\/webhooks\/deliveries\//, 'webhookDelivery'], [/^\/admin\/webhooks\//, 'webhook'],
    [/^\/admin\/triggers\//, 'trigger'], [/^\/admin\/automations\//, 'automation'],
    [/^\/admin\/sso\/|^\/login\/sso\//, 'ssoProvider'], [/^\/account\/passkeys\//, 'passkey'],
    [/^\/agent\/macro-files\//, 'macroFile'],
    [/^\/(agent\/)?help\/articles\//, 'article'], [/^\/(agent\/)?help\/categories\//, 'helpCategory'],
    [/^\/(agent\/)?help\/sections\//, 'helpSection'], [/^\/agent\/help\/revisions\//, 'helpRevision'],
    [/^\/help\/images\//, 'helpImage'],
    [/^\/api\/v1\/webhooks\/deliveries\//, 'webhookDelivery'], [/^\/api\/v1\/webhooks\//, 'webhook'],
  ];
  const found = kinds.find(([pattern]) => pattern.test(url));
  if (!found) throw new Error(`no fixture for :${param} of ${url}`);
  return found[1];
}
