import type { StatusCategory } from '../db/schema.js';
import type { Random } from './demo-text.js';

export interface DemoStatus { id: number; name: string; category: StatusCategory; is_default_for_category: number }

/**
 * How a ticket of this age (in days) usually stands: fresh ones are new or being worked on, those a
 * few weeks old mostly solved, old ones closed with a few forgotten ones still open.
 */
export function chooseCategory(ageDays: number, random: Random): StatusCategory {
  const r = random();
  if (ageDays < 2) return r < 0.45 ? 'new' : r < 0.8 ? 'open' : r < 0.95 ? 'pending' : 'on_hold';
  if (ageDays < 14) return r < 0.1 ? 'new' : r < 0.4 ? 'open' : r < 0.55 ? 'pending' : r < 0.6 ? 'on_hold' : 'solved';
  if (ageDays < 45) return r < 0.08 ? 'open' : r < 0.12 ? 'pending' : r < 0.14 ? 'on_hold' : r < 0.5 ? 'solved' : 'closed';
  return r < 0.01 ? 'open' : r < 0.015 ? 'pending' : r < 0.02 ? 'on_hold' : r < 0.04 ? 'cancelled' : 'closed';
}

const FALLBACK: Partial<Record<StatusCategory, StatusCategory>> = { pending: 'open', on_hold: 'open', cancelled: 'closed', draft: 'new' };

/**
 * A status of the category from the desk's own workflow: the category's default most of the time,
 * another of its statuses now and then. A category the workflow lacks falls back to a near one.
 */
export function statusPicker(statuses: DemoStatus[]): (category: StatusCategory, random: Random) => DemoStatus {
  const byCategory = new Map<StatusCategory, DemoStatus[]>();
  for (const status of statuses) {
    const list = byCategory.get(status.category) ?? [];
    if (status.is_default_for_category) list.unshift(status);
    else list.push(status);
    byCategory.set(status.category, list);
  }
  return (category, random) => {
    let wanted: StatusCategory | undefined = category;
    while (wanted && !byCategory.has(wanted)) wanted = FALLBACK[wanted];
    const list = byCategory.get(wanted ?? 'open') ?? statuses;
    return list.length === 1 || random() < 0.7 ? list[0]! : list[1 + Math.floor(random() * (list.length - 1))]!;
  };
}
