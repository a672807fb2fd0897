import type { MessageKind, Role, UserState } from '../db/schema.js';
import type { Actor } from '../users/actor.js';
import { seesTicket, type TicketFacts } from './tickets.js';

/**
 * The one place that knows what each kind of person may do. Verbs and route guards ask
 * `can(actor, action, subject)`; views ask `it.can(action, subject)`; nothing else compares roles.
 * The ticket scope (tickets/scope.ts) is the same rule as `ticket.see`, written as a query.
 */

/** Which side of the desk a person is on: staff work tickets, customers ask. */
export type Side = 'staff' | 'customer';

const STAFF: readonly Role[] = ['admin', 'supervisor', 'agent'];
const MANAGERS: readonly Role[] = ['admin', 'supervisor'];
const ADMINS: readonly Role[] = ['admin'];
const CUSTOMERS: readonly Role[] = ['customer'];
const EVERYONE: readonly Role[] = [...STAFF, ...CUSTOMERS];

/** Actions decided by role alone. */
const BY_ROLE = {
  /** Pages every signed-in person has: their account, uploads. */
  'account.use': EVERYONE,
  /** The agent desk: lists, search, dashboard, ticket pages, the staff side of the messenger. */
  'desk.use': STAFF,
  /** The customer portal, and a customer's own verbs on their tickets (reply, CCs, rating). */
  'portal.use': CUSTOMERS,
  'admin.access': ADMINS,
  /** The team page and the members of one's groups. */
  'team.manage': MANAGERS,
  /** Offer tickets to people, assign and release them (agents only look, and answer their offers). */
  'fleet.manage': MANAGERS,
  'offers.answer': STAFF,
  /** Open a ticket on someone's behalf. */
  'ticket.create': STAFF,
  /** Submit a ticket (or a draft) in the portal. */
  'ticket.submit': CUSTOMERS,
  'ticket.edit': STAFF,
  'ticket.assign': STAFF,
  'ticket.setStatus': STAFF,
  'ticket.bulk': STAFF,
  /** Tags are internal to staff: customers neither see nor change them. */
  'ticket.tag': STAFF,
  /** The tags admin page: the managed list, rename, merge. */
  'tags.manage': ADMINS,
  /** Replies, internal notes and service updates written from the desk. */
  'ticket.write': STAFF,
  'ticket.markSpam': STAFF,
  'ticket.video': STAFF,
  'ticket.delete': ADMINS,
  /** How an incoming mail was matched to its ticket. */
  'message.mailDetails': STAFF,
  'customer.invite': STAFF,
  /** Saved views: one's own, and sharing them with the whole desk. */
  'views.save': STAFF,
  'views.share': MANAGERS,
  /** Notification preferences exist for staff only (customers get every mail about their tickets). */
  'profile.notifications': STAFF,
  /** A signature for one's public replies (customers write none). */
  'profile.signature': STAFF,
  'setup.checklist': ADMINS,
  'app.version': ADMINS,
  'catalog.manage': ADMINS,
  'statuses.manage': ADMINS,
  'services.manage': ADMINS,
  'settings.manage': ADMINS,
  'brands.manage': ADMINS,
  'texts.manage': ADMINS,
  'groups.manage': ADMINS,
  'people.manage': ADMINS,
  /** Merge a ticket into another, split a message off, link tickets (both tickets must be in sight). */
  'ticket.merge': STAFF,
  'ticket.split': STAFF,
  'ticket.link': STAFF,
  /** Business hours and SLA policies (issue 21). */
  'sla.manage': ADMINS,
  /** Macros (canned responses): one's own personal ones, and sharing them with the desk or a group. */
  'macros.use': STAFF,
  'macros.share': MANAGERS,
  /** Snooze a ticket ("Remind me") and wake it again (issue 20). */
  'ticket.snooze': STAFF,
  /** The recycle bin: list deleted and spam tickets, restore them (issue 20). */
  'bin.manage': ADMINS,
  /** The JSON API (issue 22) and one's own API tokens: everyone, each with exactly their own permissions. */
  'api.use': EVERYONE,
  /** Every person's API tokens: see and revoke them. */
  'api.tokens.manage': ADMINS,
  /** The desk's directory through the API: people, organisations, groups. */
  'directory.read': STAFF,
  /** Webhook subscriptions, their delivery log and redelivery (issue 22). */
  'webhooks.manage': ADMINS,
  /** Triggers and automations (issue 21). */
  'rules.manage': ADMINS,
  /** Reports (issue 21): staff see those of their own tickets, supervisors and admins everyone's. */
  'reports.view': STAFF,
  'reports.all': MANAGERS,
  /** The help center (issue 23): write, publish and restore articles, keep its categories and sections. */
  'help.manage': STAFF,
  /** Internal articles of the help center: staff only, never customers or visitors. */
  'help.internal': STAFF,
  /**
   * Publish an article or take it back, and change, restore or delete a published one: what readers
   * see. Agents write and change drafts; supervisors and admins put them in the help center.
   */
  'help.publish': MANAGERS,
} as const satisfies Record<string, readonly Role[]>;

export type RoleAction = keyof typeof BY_ROLE;

/** Actions decided about one thing: the subject each one needs. */
export interface SubjectActions {
  'ticket.see': TicketFacts;
  /** Staff cancel any ticket they see; a customer only as its requester. */
  'ticket.cancel': { requester_id: number };
  /** Customers read replies, updates and chat; notes (and their files) are staff-only. */
  'message.see': { kind: MessageKind };
  /** A personal view by its owner; a shared one by supervisors and admins. */
  'view.manage': { owner_id: number; shared: number };
  /** Admins change any group's members; supervisors those of the groups they belong to. */
  'group.manageMembers': { memberIds: readonly number[] };
  /** Admins add anyone; other staff add customers only. */
  'person.create': { role: Role };
  /** A personal macro by its owner; a shared one by supervisors and admins (macros/macros.ts). */
  'macro.manage': { owner_id: number; shared: number };
  /**
   * Offered in the compose box: one's own personal macros, and the shared ones not limited to a group
   * or limited to one of `memberOf` (the person's groups). The same rule as macros.ts `usableMacros`.
   */
  'macro.use': { owner_id: number; shared: number; group_id: number | null; memberOf: readonly number[] };
}

export type Action = RoleAction | keyof SubjectActions;

/** Whoever the question is about: an acting person (Actor), or anyone with an id and a role. */
export type Who = Pick<Actor, 'id' | 'role'> & Partial<Pick<Actor, 'organizationId' | 'isOrgManager' | 'teams'>> & { state?: UserState };

/**
 * May this person do this (to this subject)? A disabled account may do nothing; nobody signed in
 * (null) neither.
 */
export function can<A extends RoleAction>(who: Who | null, action: A): boolean;
export function can<A extends keyof SubjectActions>(who: Who | null, action: A, subject: SubjectActions[A]): boolean;
export function can(who: Who | null, action: Action, subject?: unknown): boolean {
  return decide(who, action, subject);
}

/** The same question asked from a template (`it.can(action, subject)`), where nothing is typed. */
export function decide(who: Who | null, action: Action, subject?: unknown): boolean {
  if (who === null || who.state === 'disabled') return false;
  if (Object.hasOwn(BY_ROLE, action)) return BY_ROLE[action as RoleAction].includes(who.role);
  switch (action as keyof SubjectActions) {
    case 'ticket.see':
      return seesTicket(who, subject as TicketFacts);
    case 'ticket.cancel':
      return STAFF.includes(who.role) || (who.role === 'customer' && (subject as { requester_id: number }).requester_id === who.id);
    case 'message.see':
      return STAFF.includes(who.role) || CUSTOMER_MESSAGE_KINDS.includes((subject as { kind: MessageKind }).kind);
    case 'view.manage': {
      const view = subject as { owner_id: number; shared: number };
      return view.shared === 1 ? MANAGERS.includes(who.role) : view.owner_id === who.id;
    }
    case 'group.manageMembers':
      return who.role === 'admin' || (who.role === 'supervisor' && (subject as { memberIds: readonly number[] }).memberIds.includes(who.id));
    case 'person.create':
      return who.role === 'admin' || (STAFF.includes(who.role) && (subject as { role: Role }).role === 'customer');
    case 'macro.manage': {
      const macro = subject as { owner_id: number; shared: number };
      if (!STAFF.includes(who.role)) return false;
      return macro.shared === 1 ? MANAGERS.includes(who.role) : macro.owner_id === who.id;
    }
    case 'macro.use': {
      const macro = subject as { owner_id: number; shared: number; group_id: number | null; memberOf: readonly number[] };
      if (!STAFF.includes(who.role)) return false;
      if (macro.shared !== 1) return macro.owner_id === who.id;
      return macro.group_id === null || macro.memberOf.includes(macro.group_id);
    }
  }
  throw new Error(`policy: unknown action ${String(action)}`);
}

/** The kinds of message a customer reads (and whose files they may download). */
export const CUSTOMER_MESSAGE_KINDS: readonly MessageKind[] = ['reply', 'update', 'chat'];

/**
 * A person's side as data: who wrote a message, who sent a mail, whether someone may be a
 * requester, a CC, a group member. Not for permissions: those are `can`.
 */
export function sideOf(person: { role: Role }): Side {
  return STAFF.includes(person.role) ? 'staff' : 'customer';
}

/** The roles on one side, for queries that list people (candidates for a group, possible assignees). */
export function rolesOn(side: Side): Role[] {
  return [...(side === 'staff' ? STAFF : CUSTOMERS)];
}

/** The roles that may do an action, for queries about people ("is there an active admin left?"). */
export function rolesThatCan(action: RoleAction): Role[] {
  return [...BY_ROLE[action]];
}
