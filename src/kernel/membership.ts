/**
 * What an add/remove change really does to a set a ticket holds (its CCs, its tags): each asked-for
 * value once, only those not yet there added and only those there removed, so the history and the
 * event say what changed.
 */
export function membershipChange<T>(current: { has(value: T): boolean }, change: { add?: readonly T[]; remove?: readonly T[] }): { added: T[]; removed: T[] } {
  return {
    added: [...new Set(change.add ?? [])].filter((value) => !current.has(value)),
    removed: [...new Set(change.remove ?? [])].filter((value) => current.has(value)),
  };
}
