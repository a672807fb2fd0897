import * as z from 'zod';
import { choice, confirmed, email, flag, newPasswordFields, optionalId, parseForm, password, secret, text } from '../lib/form.js';
import type { ConversationOrder } from '../db/schema.js';
import { AGENT_NOTIFICATIONS, type AgentNotification } from '../notify/prefs.js';
import { ROLES } from './actor.js';
import { availableLocales, availableTimeZones } from './profile.js';

/**
 * The account forms, read into typed input (src/lib/form.ts): a staff member's invitation of a
 * customer, one's own profile and password, and a new person from the command line. What needs the
 * database (an organisation that exists, an address already taken, the current password) the verbs
 * check, with the same message keys.
 */

/** "Invite customer": the organisation is looked up by the verb (an unknown one is no choice). */
export const inviteCustomerSchema = z.object({
  email: email(),
  name: text({ max: 120 }),
  organizationId: optionalId(),
});
export type InviteInput = z.output<typeof inviteCustomerSchema>;

/** A ticket's conversation, oldest or newest message first (an agent's profile choice). */
export const CONVERSATION_ORDERS: readonly ConversationOrder[] = ['oldest', 'newest'];

let profile: ReturnType<typeof buildProfileSchema> | null = null;

function buildProfileSchema() {
  return z.object({
    name: text({ max: 120 }),
    locale: choice(availableLocales()),
    /** An empty choice means "the desk's time zone" (stored as null). */
    timeZone: z.preprocess((value) => (value === '' ? null : value), z.enum(availableTimeZones() as [string, ...string[]], { error: 'errors.choice' }).nullable()),
    /** The fieldset's marker: an unticked box sends nothing, so a form without the fieldset (a customer's) is told apart. */
    notifyPrefs: flag(),
    /** Staff only (the field is not on a customer's form): missing means "leave as it is". */
    conversationOrder: choice(CONVERSATION_ORDERS, { blank: null }),
    ...Object.fromEntries(AGENT_NOTIFICATIONS.map((kind) => [`notify_${kind}`, flag()])) as Record<`notify_${AgentNotification}`, ReturnType<typeof flag>>,
  });
}

/** The zone a browser reports for itself (zone.js): one the runtime knows, nothing else. */
export const browserZoneSchema = z.object({
  zone: z.string().refine((zone) => availableTimeZones().includes(zone), { error: 'errors.choice' }),
});

/** "My Page": the languages and time zones are read once, on first use. */
export const profileSchema = () => (profile ??= buildProfileSchema());

export interface ProfileInput {
  name: string;
  locale: string;
  timeZone: string | null;
  /** The notification boxes as ticked, or null when the form had no such fieldset. */
  notifications: Record<AgentNotification, boolean> | null;
  /** Which end of a ticket's conversation comes first, or null when the form did not ask. */
  conversationOrder: ConversationOrder | null;
}

export function parseProfileForm(body: unknown): ProfileInput {
  const form = parseForm(profileSchema(), body);
  const { name, locale, timeZone, notifyPrefs, conversationOrder } = form;
  const notifications = notifyPrefs
    ? Object.fromEntries(AGENT_NOTIFICATIONS.map((kind) => [kind, form[`notify_${kind}`]])) as Record<AgentNotification, boolean>
    : null;
  return { name, locale, timeZone, notifications, conversationOrder };
}

/** "Change password": the current one, and the new one twice. */
export const changePasswordSchema = confirmed(z.object({ current: secret(), ...newPasswordFields() }));
export type ChangePasswordInput = z.output<typeof changePasswordSchema>;

/** A new password from an invitation or reset link: typed twice. */
export const newPasswordSchema = confirmed(z.object(newPasswordFields()));
export type NewPasswordInput = z.output<typeof newPasswordSchema>;

/** `deskbell user add`: with a password the person is active at once, without one they are invited. */
export const newPersonSchema = z.object({
  email: email(),
  name: text({ max: 120 }),
  role: choice(ROLES),
  password: z.preprocess((value) => (typeof value === 'string' && value !== '' ? value : undefined), password().optional())
    .transform((value) => value ?? null),
});
export type NewPersonInput = z.output<typeof newPersonSchema> & { organizationId?: number | null };
