import * as z from 'zod';
import { longText } from '../lib/form.js';

/**
 * An admin's text, read into typed input (src/lib/form.ts). Whether it is a valid message using only
 * the placeholders the shipped text offers, the verb checks (it knows the catalogue).
 */
export const textSchema = z.object({ value: longText({ max: 20_000 }) });
export type TextValue = z.output<typeof textSchema>;
