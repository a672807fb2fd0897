import type { Priority } from '../db/schema.js';

export const PRIORITIES: readonly Priority[] = ['low', 'normal', 'high', 'urgent'];
