import * as z from 'zod';
import { longText } from '../lib/form.js';
import { CHAT_MAX_LENGTH } from './chat.js';

/** The messenger's form (agent and customer side alike), read into typed input (src/lib/form.ts). */
export const chatLineSchema = z.object({ body: longText({ max: CHAT_MAX_LENGTH }) });
export type ChatLineInput = z.output<typeof chatLineSchema>;
