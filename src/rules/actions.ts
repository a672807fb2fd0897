import { sql } from 'kysely';
import type { Trx } from '../db/connect.js';
import { nextInRotation } from '../fleet/dispatch.js';
import type { Translate } from '../i18n.js';
import { addMessage, changeTicket, type RuleMail } from '../kernel/index.js';
import { applyActions, describeActions, fillPlaceholders, placeholderValues, type VisibleTicket } from '../macros/apply.js';
import type { MacroActions } from '../macros/macros.js';
import { defaultStatusId, findVisibleTicket } from '../tickets/queries.js';
import { statusStamps } from '../tickets/status.js';
import type { Actor } from '../users/actor.js';
import type { Db } from '../db/connect.js';
import { DomainError } from '../lib/errors.js';
import type { Rule } from './schema.js';

/** Only to read tickets unscoped: a rule is Deskbell's own act, recorded with no actor. */
export const READER: Actor = { id: 0, email: '', name: 'Deskbell', role: 'admin', organizationId: null, isOrgManager: false, locale: 'en', timeZone: null };

export const MAIL_TARGETS = ['requester', 'assignee', 'group', 'address'] as const;
export type MailTarget = (typeof MAIL_TARGETS)[number];


/**
 * What a rule does: the macros' actions (the same applier, macros.ts `applyActions`) with a round
 * robin assignee, plus an internal note and a mail from a template with the macro placeholders. The
 * default automations also close (with the closed status) and remind the requester, as auto-close did.
 */
export interface RuleActions extends Omit<MacroActions, 'assignee'> {
  /** A staff member's id, null (nobody) or the next member of the ticket's group in turn. */
  assignee?: number | null | 'round_robin';
  note?: string;
  mail?: { to: MailTarget; address?: string; subject: string; body: string };
  close?: boolean;
  tellRequester?: boolean;
  remind?: boolean;
}

export function readActions(json: string): RuleActions {
  try {
    const value = JSON.parse(json) as unknown;
    return value && typeof value === 'object' ? (value as RuleActions) : {};
  } catch {
    return {};
  }
}

/** The actions as an admin reads them, for the run log and test mode. */
export async function describeRuleActions(db: Db, actions: RuleActions, t: Translate): Promise<string[]> {
  const { assignee, note, mail, close, tellRequester, remind, ...macro } = actions;
  const lines = await describeActions(db, { ...macro, ...(typeof assignee === 'number' || assignee === null ? { assignee } : {}) }, t, READER);
  if (assignee === 'round_robin') lines.push(t('rules.action.roundRobin'));
  if (note) lines.push(t('rules.action.note'));
  if (mail) lines.push(t('rules.action.mail', { to: mail.to === 'address' ? mail.address ?? '' : t(`rules.mailTo.${mail.to}`) }));
  if (remind) lines.push(t('rules.action.remind'));
  if (close) lines.push(t(tellRequester ? 'rules.action.closeTell' : 'rules.action.close'));
  return lines;
}

/**
 * A rule's actions on a ticket, by Deskbell itself, inside a savepoint: when one fails (a status
 * needing fields the ticket lacks, a group since deleted) nothing of the rule stays, and a history
 * line says so; otherwise a history line names the rule and what it did (the run log on the
 * ticket's History tab). Returns whether it acted.
 */
export async function runActions(trx: Trx, rule: Pick<Rule, 'id' | 'kind' | 'name' | 'actions'>, ticketId: number, t: Translate, now: string): Promise<boolean> {
  const actions = readActions(rule.actions);
  const savepoint = sql.raw(`rule_${rule.id}`);
  await sql`savepoint ${savepoint}`.execute(trx);
  try {
    const done = await act(trx, actions, ticketId, t, now);
    await sql`release savepoint ${savepoint}`.execute(trx);
    if (done.length === 0) return false;
    const mails = actions.mail ? [await fillMail(trx, actions.mail, ticketId)] : [];
    await changeTicket(trx, null, ticketId, {
      history: [{ kind: rule.kind, from: rule.name, to: done.join('; ') }], at: now,
      ...(mails.length > 0 ? { notify: { ruleMail: mails } } : {}),
    });
    return true;
  } catch (error) {
    await sql`rollback to savepoint ${savepoint}`.execute(trx);
    await sql`release savepoint ${savepoint}`.execute(trx);
    const reason = error instanceof DomainError ? t(error.message, error.params) : error instanceof Error ? error.message : String(error);
    await changeTicket(trx, null, ticketId, { history: [{ kind: 'rule_failed', from: rule.name, to: reason }], at: now });
    return false;
  }
}

/** The actions themselves; returns what was done, as the run log says it. */
async function act(trx: Trx, actions: RuleActions, ticketId: number, t: Translate, now: string): Promise<string[]> {
  let ticket = await findVisibleTicket(trx, READER, ticketId);
  if (!ticket) return [];
  const { assignee, note, mail, close, tellRequester, remind, ...rest } = actions;
  let assigneeId: number | null | undefined = assignee === 'round_robin' ? undefined : assignee;
  if (assignee === 'round_robin') {
    // The group the rule moves it to, if it does: the rotation of that group's members.
    if (rest.groupId !== undefined) {
      await applyActions(trx, null, READER, ticket, { groupId: rest.groupId }, t, null, now);
      ticket = (await findVisibleTicket(trx, READER, ticketId))!;
    }
    assigneeId = (await nextInRotation(trx, ticketId))?.id;
  }
  const macro: MacroActions = { ...rest, ...(assigneeId !== undefined ? { assignee: assigneeId } : {}) };
  const done = await describeRuleActions(trx, { ...rest, ...(assigneeId !== undefined ? { assignee: assigneeId } : {}), ...(note ? { note } : {}), ...(mail ? { mail } : {}) }, t);
  await applyActions(trx, null, READER, ticket, macro, t, null, now);
  if (note) {
    const text = fillPlaceholders(note, await placeholderValues(trx, READER.name, ticket));
    await addMessage(trx, null, ticketId, { kind: 'note', bodyText: text, stamps: 'none' });
  }
  if (remind) {
    await changeTicket(trx, null, ticketId, {
      history: [{ kind: 'reminder', from: null, to: ticket.requester_email }], at: now, notify: { requester: 'reminder' },
    });
    done.push(t('rules.action.remind'));
  }
  if (close) {
    const fresh = (await findVisibleTicket(trx, READER, ticketId))!;
    if (await closeTicket(trx, fresh, tellRequester === true, now)) done.push(t(tellRequester ? 'rules.action.closeTell' : 'rules.action.close'));
  }
  return done;
}

/** Close with the workflow's closed status, by Deskbell, as auto-close did (no required fields asked). */
async function closeTicket(trx: Trx, ticket: VisibleTicket, tell: boolean, now: string): Promise<boolean> {
  const closedId = await defaultStatusId(trx, 'closed');
  if (closedId === undefined || closedId === ticket.status_id) return false;
  const closed = await trx.selectFrom('statuses').select(['id', 'name']).where('id', '=', closedId).executeTakeFirstOrThrow();
  return changeTicket(trx, null, ticket.id, {
    set: { status_id: closed.id, ...statusStamps('closed', ticket, now) }, at: now,
    onlyIf: { status_id: ticket.status_id },
    history: [{ kind: 'status', from: ticket.status_name, to: closed.name }],
    ...(tell ? { notify: { requester: 'closed' as const } } : {}),
  });
}

async function fillMail(trx: Trx, mail: NonNullable<RuleActions['mail']>, ticketId: number): Promise<RuleMail> {
  const ticket = (await findVisibleTicket(trx, READER, ticketId))!;
  const values = await placeholderValues(trx, ticket.assignee_name ?? READER.name, ticket);
  return {
    to: mail.to, ...(mail.address ? { address: mail.address } : {}),
    subject: fillPlaceholders(mail.subject, values, (v) => v).replace(/[\r\n]+/g, ' '),
    body: fillPlaceholders(mail.body, values),
  };
}
