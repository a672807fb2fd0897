import type { StatusCategory } from '../db/schema.js';

export const CATEGORIES: readonly StatusCategory[] = ['draft', 'new', 'open', 'pending', 'on_hold', 'solved', 'closed', 'cancelled'];

/** Every workflow keeps at least one status in each of these (DESIGN.md): tickets are born, worked, solved, closed. */
export const REQUIRED_CATEGORIES: readonly StatusCategory[] = ['new', 'open', 'solved', 'closed'];

export interface PresetStatus { name: string; customerLabel: string; category: StatusCategory }

export interface Preset {
  key: 'simple' | 'field_service' | 'escalation';
  statuses: PresetStatus[];
  /** Names of the statuses an assignment / an accepted offer moves a ticket to; absent means none. */
  assignmentStatus?: string;
  offerAcceptedStatus?: string;
}

const same = (name: string, category: StatusCategory): PresetStatus => ({ name, customerLabel: name, category });

/** Seed 000: "Pending" there means being worked on, so it is an open status. */
export const SIMPLE: Preset = {
  key: 'simple',
  statuses: [
    { name: 'New', customerLabel: 'Received', category: 'new' },
    { name: 'Open', customerLabel: 'Open', category: 'open' },
    { name: 'Pending', customerLabel: 'In progress', category: 'open' },
    { name: 'Solved', customerLabel: 'Solved', category: 'solved' },
    { name: 'Closed', customerLabel: 'Closed', category: 'closed' },
  ],
};

/** Seed 001: "Open" means offers are out and nobody is assigned yet; an accepted offer makes it Assigned. */
export const FIELD_SERVICE: Preset = {
  key: 'field_service',
  statuses: [
    same('Draft', 'draft'), same('Open', 'new'), same('Assigned', 'open'), same('In Progress', 'open'),
    same('Done', 'solved'), same('Closed', 'closed'), same('Cancelled', 'cancelled'),
  ],
  assignmentStatus: 'Assigned',
  offerAcceptedStatus: 'Assigned',
};

/** Seed 003's fifteen statuses in its order, plus Resolved so that rating and reopening work. */
export const ESCALATION: Preset = {
  key: 'escalation',
  statuses: [
    same('Support Team (Notified)', 'new'),
    same('Waiting on Customer (Initial Information)', 'pending'),
    same('Support Team (Triaging)', 'open'),
    same('Product Team', 'on_hold'),
    same('Support Team (Investigating)', 'open'),
    same('Technical Team', 'on_hold'),
    same('Support Team (Information Request)', 'open'),
    same('Waiting on Customer (Additional Information)', 'pending'),
    same('Support Team (Liaising)', 'open'),
    same('Technical Team (Investigating)', 'on_hold'),
    same('Development Team', 'on_hold'),
    same('Deployment Team', 'on_hold'),
    same('Support Team (Fix Validation)', 'open'),
    same('Waiting on Customer (Fix Validation)', 'pending'),
    same('Resolved', 'solved'),
    same('Closed', 'closed'),
  ],
};

export const PRESETS: readonly Preset[] = [SIMPLE, FIELD_SERVICE, ESCALATION];

export function findPreset(key: string): Preset | undefined {
  return PRESETS.find((p) => p.key === key);
}

/** Where tickets of a category go when the new workflow lacks that category: the nearest one it has. */
const FALLBACK: Record<StatusCategory, StatusCategory[]> = {
  draft: ['draft', 'new'], new: ['new'], open: ['open'], pending: ['pending', 'open'],
  on_hold: ['on_hold', 'pending', 'open'], solved: ['solved'], closed: ['closed'], cancelled: ['cancelled', 'closed'],
};

/**
 * The status a ticket in `from` sensibly lands in among `targets`: the same name in the same
 * category, else the first (the default) of the same or the nearest category, else the first open one.
 */
export function closestStatus<T extends { name: string; category: StatusCategory }>(from: { name: string; category: StatusCategory }, targets: readonly T[]): T | undefined {
  const sameName = targets.find((s) => s.category === from.category && s.name.toLowerCase() === from.name.toLowerCase());
  if (sameName) return sameName;
  for (const category of [...FALLBACK[from.category], 'open' as const]) {
    const found = targets.find((s) => s.category === category);
    if (found) return found;
  }
  return targets[0];
}
