import type { Generated } from 'kysely';

/** The tables of migration 0016, merged into the shared Database interface. */
export interface SupportAddressesTable {
  id: Generated<number>;
  address: string;
  brand_id: number;
  group_id: number | null;
  created_at: Generated<string>;
}

export interface SpamSendersTable {
  address: string;
  marked_by_id: number | null;
  created_at: Generated<string>;
}

/** Every inbound Message-ID once, with what became of it: a message delivered twice is stored once. */
export interface InboundMessagesTable {
  message_id: string;
  ticket_id: number | null;
  outcome: string;
  /** The From address, for the hourly cap on polite refusals. */
  sender: Generated<string>;
  created_at: Generated<string>;
}

declare module '../db/schema.js' {
  interface Database {
    support_addresses: SupportAddressesTable;
    spam_senders: SpamSendersTable;
    inbound_messages: InboundMessagesTable;
  }
}
