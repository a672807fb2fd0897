import type { Generated, Selectable } from 'kysely';

/** Migration 0041: a trigger (runs on events) or an automation (runs on time), ordered by position. */
export interface RulesTable {
  id: Generated<number>;
  kind: string;
  name: string;
  position: number;
  enabled: Generated<number>;
  /** JSON: the events a trigger runs on (rules/conditions.ts RULE_EVENTS); [] for an automation. */
  events: Generated<string>;
  /** JSON: RuleConditions (rules/conditions.ts). */
  conditions: Generated<string>;
  /** JSON: RuleActions (rules/actions.ts). */
  actions: Generated<string>;
  /** A default automation made by the migration (`autoclose.solved`, ...): its conditions are fixed. */
  builtin: string | null;
  created_at: string;
  updated_at: string;
}

/** The chain an event belongs to: how many trigger rounds led to it, and which triggers fired on the way. */
export interface RuleChainsTable {
  event_id: number;
  depth: number;
  /** JSON: rule ids. */
  fired: Generated<string>;
}

/** An automation's last run on a ticket; `stamp` is the ticket's latest change then. */
export interface RuleRunsTable {
  rule_id: number;
  ticket_id: number;
  stamp: string;
  ran_at: string;
}

export type Rule = Selectable<RulesTable>;
export type RuleKind = 'trigger' | 'automation';

declare module '../db/schema.js' {
  interface Database {
    rules: RulesTable;
    rule_chains: RuleChainsTable;
    rule_runs: RuleRunsTable;
  }
}
