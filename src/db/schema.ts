import type { Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { UsersTable, SessionsTable, UserTokensTable, LoginAttemptsTable, OrganizationsTable, GroupsTable, GroupMembersTable, BrandsTable, SignaturesTable, AuditLogTable } from './schema-people.js';

export type { UsersTable, SessionsTable, UserTokensTable, LoginAttemptsTable, OrganizationsTable, GroupsTable, GroupMembersTable, BrandsTable, SignaturesTable, AuditLogTable } from './schema-people.js';

/**
 * The typed picture of the database, as migrations/ leave it.
 * Times are UTC ISO-8601 strings everywhere (they sort as text, so keyset pagination works on them).
 * Booleans are 0/1 integers (SQLite has no boolean type).
 */
export type Role = 'admin' | 'supervisor' | 'agent' | 'customer';
export type UserState = 'invited' | 'active' | 'disabled';
export type StatusCategory = 'draft' | 'new' | 'open' | 'pending' | 'on_hold' | 'solved' | 'closed' | 'cancelled';
export type Priority = 'low' | 'normal' | 'high' | 'urgent';
export type MessageKind = 'reply' | 'chat' | 'note' | 'update';
/** Which end of a ticket's conversation an agent reads first (their profile). */
export type ConversationOrder = 'oldest' | 'newest';
export type TokenKind = 'setup' | 'invite' | 'reset';
export type JobState = 'queued' | 'done' | 'dead';
export type Bool = 0 | 1;

export interface StatusesTable {
  id: Generated<number>;
  name: string;
  customer_label: string;
  category: StatusCategory;
  position: number;
  is_default_for_category: Generated<Bool>;
  retired_at: string | null;
}

export interface TicketTypesTable {
  id: Generated<number>;
  name: string;
  description: Generated<string>;
  default_group_id: number | null;
  default_priority: Generated<Priority>;
  customer_can_choose: Generated<Bool>;
  initial_status_id: number | null;
  customer_facing: Generated<Bool>;
  dispatch_policy: Generated<string>;
  dispatch_count: Generated<number>;
  members_needed: Generated<number>;
  position: Generated<number>;
  retired_at: string | null;
  created_at: string;
}

export interface FieldsTable {
  id: Generated<number>;
  key: string;
  label: string;
  kind: 'text' | 'textarea' | 'number' | 'date' | 'dropdown' | 'checkbox' | 'email' | 'url';
  options: Generated<string>;
  required_for_customer: Generated<Bool>;
  required_for_agent: Generated<Bool>;
  required_before_category: StatusCategory | null;
  customer_visible: Generated<Bool>;
  retired_at: string | null;
  created_at: string;
}

export interface TicketTypeFieldsTable {
  type_id: number;
  field_id: number;
  position: number;
}

export interface ServicesTable {
  id: Generated<number>;
  name: string;
  customer_id: number | null;
  organization_id: number | null;
  provider_group_id: number | null;
  state: Generated<'active' | 'ended'>;
  starts_on: string | null;
  ends_on: string | null;
  created_at: string;
}

export interface TicketsTable {
  id: Generated<number>;
  subject: string;
  type_id: number;
  brand_id: number;
  status_id: number;
  priority: Generated<Priority>;
  visibility: Generated<'internal' | 'public'>;
  requester_id: number;
  organization_id: number | null;
  assignee_id: number | null;
  group_id: number | null;
  service_id: number | null;
  channel: 'portal' | 'email' | 'agent' | 'api';
  created_by_id: number | null;
  created_at: string;
  updated_at: string;
  last_activity_at: string;
  last_replier_id: number | null;
  first_response_at: string | null;
  solved_at: string | null;
  closed_at: string | null;
  /** Snoozed until then (issue 20): out of "My open tickets", in the snoozer's "Snoozed" view. */
  snoozed_until: Generated<string | null>;
  snoozed_by_id: Generated<number | null>;
  /** The snooze ended (its time came, the customer wrote): marked until someone snoozes or unsnoozes it again. */
  snooze_returned_at: Generated<string | null>;
  /** In the recycle bin since then (deleted or spam): left out of every scope until restored or purged. */
  binned_at: Generated<string | null>;
  binned_by_id: Generated<number | null>;
  binned_reason: Generated<'deleted' | 'spam' | null>;
}

export interface TicketFieldValuesTable {
  ticket_id: number;
  field_id: number;
  value: string;
}

export interface TicketCcsTable {
  ticket_id: number;
  user_id: number;
}

export interface TagsTable {
  id: Generated<number>;
  /** Lower-case and trimmed (tags/normalise.ts). */
  name: string;
}

export interface TicketTagsTable {
  ticket_id: number;
  tag_id: number;
}

export interface TicketMembersTable {
  ticket_id: number;
  user_id: number;
  role: 'assigned' | 'requested';
  offer_state: 'pending' | 'accepted' | 'declined' | 'withdrawn' | 'expired' | null;
  offered_at: string | null;
  offer_expires_at: string | null;
  responded_at: string | null;
  is_primary: Generated<Bool>;
  created_at: string;
}

/** Where a round-robin rotation stands: `group:<id>` or `staff`, and whom it picked last. */
export interface DispatchCursorsTable {
  pool: string;
  last_user_id: number;
}

export interface TicketSeenTable {
  ticket_id: number;
  user_id: number;
  seen_at: string;
}

/** A person's place in a ticket's messenger: last chat line seen, last one a digest mailed. */
export interface ChatMarksTable {
  ticket_id: number;
  user_id: number;
  read_through_id: Generated<number>;
  mailed_through_id: Generated<number>;
}

export interface MessagesTable {
  id: Generated<number>;
  ticket_id: number;
  author_id: number | null;
  kind: MessageKind;
  body_text: string;
  body_html: string;
  via: 'web' | 'email' | 'api';
  email_message_id: string | null;
  match_reason: string | null;
  quoted_text: string | null; // a mail's whole text when the stored text was cut from it (0049)
  created_at: string;
}

export interface AttachmentsTable {
  id: Generated<number>;
  message_id: number | null;
  uploader_id: number | null;
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
  storage_key: string;
  created_at: string;
}

export interface TicketEventsTable {
  id: Generated<number>;
  ticket_id: number;
  actor_id: number | null;
  kind: string;
  /** For custom-field changes: the field's label at the time. */
  field: string | null;
  from_value: string | null;
  to_value: string | null;
  created_at: string;
}

export interface RatingsTable {
  id: Generated<number>;
  ticket_id: number;
  user_id: number | null;
  score: 'good' | 'bad';
  comment: Generated<string>;
  created_at: string;
}

export interface JobsTable {
  id: Generated<number>;
  kind: string;
  payload: string;
  state: Generated<JobState>;
  run_at: string;
  attempts: Generated<number>;
  max_attempts: number;
  locked_until: string | null;
  last_error: string | null;
  created_at: string;
  finished_at: string | null;
}

export interface SettingsTable {
  key: string;
  value: string;
}

/** One row (id 1): a counter the configuration tables' triggers move (migration 0057, db/change-cache.ts). */
export interface ConfigMarkerTable {
  id: number;
  n: Generated<number>;
}

export interface TextsTable {
  key: string;
  locale: string;
  value: string;
}

export interface VideoSessionsTable {
  id: Generated<number>;
  ticket_id: number;
  created_by_id: number | null;
  title: string;
  url: string;
  starts_at: string | null;
  created_at: string;
}

export interface Database {
  audit_log: AuditLogTable;
  config_marker: ConfigMarkerTable;
  users: UsersTable;
  sessions: SessionsTable;
  user_tokens: UserTokensTable;
  login_attempts: LoginAttemptsTable;
  organizations: OrganizationsTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  brands: BrandsTable;
  signatures: SignaturesTable;
  statuses: StatusesTable;
  ticket_types: TicketTypesTable;
  fields: FieldsTable;
  ticket_type_fields: TicketTypeFieldsTable;
  services: ServicesTable;
  tickets: TicketsTable;
  ticket_field_values: TicketFieldValuesTable;
  ticket_ccs: TicketCcsTable;
  tags: TagsTable;
  ticket_tags: TicketTagsTable;
  ticket_members: TicketMembersTable;
  ticket_seen: TicketSeenTable;
  chat_marks: ChatMarksTable;
  dispatch_cursors: DispatchCursorsTable;
  messages: MessagesTable;
  attachments: AttachmentsTable;
  ticket_events: TicketEventsTable;
  ratings: RatingsTable;
  jobs: JobsTable;
  settings: SettingsTable;
  texts: TextsTable;
  video_sessions: VideoSessionsTable;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type Ticket = Selectable<TicketsTable>;
export type Status = Selectable<StatusesTable>;
export type Message = Selectable<MessagesTable>;
export type Job = Selectable<JobsTable>;
