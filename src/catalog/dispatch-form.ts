import { DISPATCH_POLICIES, type DispatchPolicy } from '../fleet/dispatch.js';
import type { Checker } from '../lib/validate.js';

/** A whole number in range from a form field ('' is `empty`), or null when it is not one. */
function wholeNumber(value: string | undefined, min: number, max: number, empty: number): number | null {
  const text = (value ?? '').trim();
  if (text === '') return empty;
  const n = Number(text);
  return /^\d+$/.test(text) && n >= min && n <= max ? n : null;
}

/**
 * The type's dispatch settings (seed 001's "template"): what happens to a new ticket of the type,
 * how many people an "offer to N" reaches (0: as many as needed), and how many employees it needs.
 */
export function checkDispatch(input: Record<string, string | undefined>, check: Checker) {
  const policy = (input.dispatchPolicy ?? 'none') || 'none';
  if (!DISPATCH_POLICIES.includes(policy as DispatchPolicy)) check.add('dispatchPolicy', 'errors.choice');
  const count = wholeNumber(input.dispatchCount, 0, 100, 0);
  if (count === null) check.add('dispatchCount', 'dispatch.errors.count');
  const needed = wholeNumber(input.membersNeeded, 1, 100, 1);
  if (needed === null) check.add('membersNeeded', 'dispatch.errors.membersNeeded');
  return { dispatch_policy: policy, dispatch_count: count ?? 0, members_needed: needed ?? 1 };
}
