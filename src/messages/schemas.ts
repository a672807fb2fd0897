import * as z from 'zod';
import { choice, longText, optionalId, readForm, refuse } from '../lib/form.js';
import { AGENT_MESSAGE_KINDS } from './messages.js';

/**
 * The agent's message form (reply, service update, internal note), read into typed input
 * (src/lib/form.ts). Mail reaches the same verb through the same schema (mailin/deliver.ts).
 */
export const agentMessageSchema = z.object({
  kind: choice(AGENT_MESSAGE_KINDS),
  body: longText(),
  /** "Submit as ...": a status to move the ticket to with the message, or none. */
  statusId: optionalId(),
  /** The newest public message the form was opened with (stale.ts); none from mail. */
  seenMessageId: z.preprocess((value) => (value === '' ? undefined : value), z.string({ error: 'errors.invalid' }).transform(Number)
    .refine((n) => Number.isSafeInteger(n) && n >= 0, { error: 'errors.invalid' }).nullable().default(null)),
});
export type AgentMessageInput = z.output<typeof agentMessageSchema>;

/** The form, or Invalid: a tampered "seen" marker is reported on the message itself, after its own mistakes. */
export function parseAgentMessage(body: unknown): AgentMessageInput {
  const { value, errors } = readForm(agentMessageSchema, body);
  const { seenMessageId: seen, ...rest } = errors;
  if (seen !== undefined) rest.body ??= seen;
  refuse(rest);
  return value;
}
