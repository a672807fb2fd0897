import type { Generated, Selectable } from 'kysely';

/** Migration 0032: a macro (canned response) is a name, a Markdown body, a message kind and actions. */
export interface MacrosTable {
  id: Generated<number>;
  /** Who made it: a personal macro's owner; for a shared one, who created it. */
  owner_id: number;
  name: string;
  /** Markdown with placeholders (macros.ts MACRO_PLACEHOLDERS), checked when saved. */
  body: Generated<string>;
  /** The compose box's message kind it writes: reply, update or note. */
  kind: Generated<string>;
  /** 1: offered to every agent (or to one group's members); only supervisors and admins manage those. */
  shared: Generated<number>;
  /** A shared macro limited to this group's members (null: everyone). */
  group_id: number | null;
  /** JSON: MacroActions (macros.ts). */
  actions: Generated<string>;
  usage_count: Generated<number>;
  last_used_at: string | null;
  created_at: string;
  updated_at: string;
}

export type Macro = Selectable<MacrosTable>;

/** Migration 0044: a macro's file, stored under its own key (copies go to messages under new keys). */
export interface MacroAttachmentsTable {
  id: Generated<number>;
  macro_id: number;
  filename: string;
  /** Sniffed from the bytes when uploaded, as for message attachments. */
  content_type: string;
  size: number;
  sha256: string;
  storage_key: string;
  created_at: string;
}

export type MacroAttachment = Selectable<MacroAttachmentsTable>;

declare module '../db/schema.js' {
  interface Database {
    macros: MacrosTable;
    macro_attachments: MacroAttachmentsTable;
  }
}
