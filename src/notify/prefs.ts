/**
 * Agents' opt-outs (users.notify_prefs, JSON): assignment and customer-reply mails are on unless
 * switched off; new tickets in one's groups and snoozed tickets coming back are off unless switched on.
 */
export const AGENT_NOTIFICATIONS = ['assigned', 'customer_reply', 'new_ticket', 'snooze_returned'] as const;
export type AgentNotification = (typeof AGENT_NOTIFICATIONS)[number];

// A snoozed ticket coming back is shown in the lists; a mail for it only when asked for (issue 20).
const DEFAULTS: Record<AgentNotification, boolean> = { assigned: true, customer_reply: true, new_ticket: false, snooze_returned: false };

export function readPrefs(json: string | null | undefined): Record<AgentNotification, boolean> {
  let stored: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(json || '{}');
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) stored = parsed as Record<string, unknown>;
  } catch {
    // A damaged value means the defaults, not a failed mail.
  }
  return Object.fromEntries(AGENT_NOTIFICATIONS.map((k) => [k, typeof stored[k] === 'boolean' ? stored[k] : DEFAULTS[k]])) as Record<AgentNotification, boolean>;
}

export function wants(json: string | null | undefined, kind: AgentNotification): boolean {
  return readPrefs(json)[kind];
}

/** The profile form's checkboxes (`notify_<kind>` = '1'), as form values. */
export function prefsFormValues(json: string | null | undefined): Record<string, string> {
  const prefs = readPrefs(json);
  return Object.fromEntries(AGENT_NOTIFICATIONS.map((k) => [`notify_${k}`, prefs[k] ? '1' : '']));
}
